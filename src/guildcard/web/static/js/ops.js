// Operator console: progressive enhancement only; every form works without this file.
(function () {
  "use strict";
  // Forms with data-confirm ask before they post (closing a period, suspending a merchant).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // A form posts once: a second click while the page loads would only replay it.
  document.querySelectorAll(".ops-main form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      var button = form.querySelector("button[type=submit], button:not([type])");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
})();
