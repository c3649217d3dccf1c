// The counter's checklist: shows how many mandatory papers have a file chosen, as the officer
// scans or picks them (the server checks again; this only helps the officer see the gaps).
(function () {
  "use strict";
  var form = document.querySelector(".onestop-intake");
  if (!form) { return; }
  var line = form.querySelector(".onestop-completeness");
  var english = (document.documentElement.lang || "vi").indexOf("en") === 0;
  function update() {
    var items = form.querySelectorAll(".onestop-checklist li[data-required='1']");
    var done = 0;
    var missing = [];
    items.forEach(function (item) {
      var input = item.querySelector("input[type=file]");
      if (input && input.files && input.files.length) { done += 1; item.classList.add("done"); }
      else { item.classList.remove("done"); missing.push(item.querySelector("label").textContent.split(" · ")[0]); }
    });
    var text = english
      ? done + "/" + items.length + " mandatory papers present"
      : "Đã có " + done + "/" + items.length + " giấy tờ bắt buộc";
    if (missing.length) { text += (english ? "; missing: " : "; còn thiếu: ") + missing.join("; "); }
    else if (items.length) { text += english ? ": complete." : ": đầy đủ."; }
    line.textContent = text;
  }
  form.addEventListener("change", update);
  update();
})();
