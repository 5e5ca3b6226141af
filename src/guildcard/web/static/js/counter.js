// Counter console: keyboard shortcuts and scanner debouncing. Every page works without this file.
(function () {
  "use strict";
  var REPEAT_MS = 2000;
  var scanForm = document.getElementById("scan-form");
  if (scanForm) {
    var scan = scanForm.querySelector("#scan");
    var amount = scanForm.querySelector("#amount");
    // A wedge scanner types the digits then Enter. Enter in the scan field: ignore a repeat of the
    // same code within 2 s; otherwise go on to the amount if it is still empty.
    scan.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      var code = scan.value.trim();
      var last = {};
      try { last = JSON.parse(sessionStorage.getItem("gc-last-scan") || "{}"); } catch (e) { last = {}; }
      var now = Date.now();
      if (code && last.code === code && now - last.at < REPEAT_MS) {
        event.preventDefault();
        scan.value = "";
        return;
      }
      sessionStorage.setItem("gc-last-scan", JSON.stringify({ code: code, at: now }));
      if (!amount.value.trim()) {
        event.preventDefault();
        amount.focus();
      }
    });
  }
  var refundConfirm = document.getElementById("refund-confirm");
  if (refundConfirm) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        window.location.href = refundConfirm.getAttribute("data-cancel-url");
      }
    });
  }
  var preview = document.getElementById("preview");
  if (preview) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        window.location.href = preview.getAttribute("data-cancel-url");
      } else if (event.key === "F2") {
        // F2: use the points (as many as allowed); when they are all used already, use none.
        event.preventDefault();
        var button = document.getElementById("use-max") || document.getElementById("use-none");
        if (button) { button.click(); }
      }
    });
  }
  // One click records one purchase: a second submit of the same form is swallowed (the server would
  // replay the receipt anyway).
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
    });
  });
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (form) {
      form.removeAttribute("data-sent");
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
