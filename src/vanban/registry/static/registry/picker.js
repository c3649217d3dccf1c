/* A search box above every list marked data-picker: typing hides the agencies whose name does
   not contain the words typed, with or without diacritics (đ/d folded); chosen ones stay shown.
   A file, not an inline script (CSP script-src 'self'). Without JavaScript the list still works. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function filter(select, query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    var groups = select.querySelectorAll("optgroup");
    Array.prototype.forEach.call(select.options, function (option) {
      var text = fold(option.textContent);
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      option.hidden = !(match || option.selected);
    });
    Array.prototype.forEach.call(groups, function (group) {
      var shown = Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      group.hidden = !shown;
    });
  }
  function count(select, note) {
    var chosen = Array.prototype.filter.call(select.options, function (o) { return o.selected; });
    note.textContent = chosen.length ? chosen.length + " ✓ " +
      chosen.map(function (o) { return o.textContent; }).join("; ") : "";
  }
  /* The province's recipient groups (data-groups: [{name, codes}]) as buttons above the list:
     one click adds every member of the group to the chosen agencies. */
  function groupButtons(select, line, note) {
    var groups;
    try { groups = JSON.parse(select.getAttribute("data-groups") || "[]"); } catch (e) { return; }
    if (!groups.length) { return; }
    var bar = document.createElement("div");
    bar.className = "picker-groups";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", select.getAttribute("data-groups-label") || "Nhóm nơi nhận");
    groups.forEach(function (group) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn picker-group";
      button.textContent = "+ " + group.name + " (" + group.codes.length + ")";
      button.setAttribute("data-testid", "picker-group");
      button.addEventListener("click", function () {
        Array.prototype.forEach.call(select.options, function (option) {
          if (group.codes.indexOf(option.value) >= 0) { option.selected = true; option.hidden = false; }
        });
        count(select, note);
      });
      bar.appendChild(button);
    });
    line.appendChild(bar);
  }
  function setUp() {
    document.querySelectorAll("select[data-picker]").forEach(function (select) {
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker-search";
      box.placeholder = select.getAttribute("data-search-label") || "Tìm cơ quan…";
      box.setAttribute("aria-label", box.placeholder);
      box.setAttribute("aria-controls", select.id);
      var note = document.createElement("div");
      note.className = "muted picker-chosen";
      note.setAttribute("aria-live", "polite");
      var line = document.createElement("div");  // its own line, above the list
      line.className = "picker-line";
      box.style.width = "100%";
      box.style.maxWidth = "420px";
      box.style.margin = "0 0 4px";
      box.style.padding = "6px 8px";
      box.style.font = "inherit";
      line.appendChild(box);
      select.parentNode.insertBefore(line, select);
      select.parentNode.insertBefore(note, select.nextSibling);
      groupButtons(select, line, note);
      box.addEventListener("input", function () { filter(select, box.value); });
      select.addEventListener("change", function () { count(select, note); });
      count(select, note);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
