// Merchant pages: ask before disabling staff or revoking a key. Works without this file.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/disable'], form[action$='/revoke']"),
    function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(document.documentElement.lang === "en" ? "Are you sure?" : "确定吗？")) {
          event.preventDefault();
        }
      });
    });
})();
