/* The menu behind a button on a narrow screen (no inline script: the CSP allows scripts from
   this site's static files only). Without JavaScript the menu stays open above the page. */
(function () {
  "use strict";
  function setUp() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("sidenav");
    if (!button || !menu) { return; }
    document.documentElement.classList.add("js-menu");
    button.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
