// GuildCard pages: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";
  // Elements with data-autofocus get focus on load (the counter's scan field).
  var focus = document.querySelector("[data-autofocus]");
  if (focus) { focus.focus(); }
  // A <select data-autosubmit> submits its form when changed (no inline handlers: the CSP forbids them).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
