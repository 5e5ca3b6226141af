// Member H5: the member code refreshes itself before it expires, and the merchant list
// filters as one types. Without this file the card reloads itself (meta refresh) and the
// search is a plain GET form.
(function () {
  "use strict";

  var POLL_MS = 3000;

  function startMemberCode(box) {
    var qr = box.querySelector("[data-qr]");
    var digits = box.querySelector("[data-digits]");
    var countdown = box.querySelector("[data-countdown]");
    var deadline = Date.now() + Number(box.dataset.expiresIn) * 1000;
    var loading = false;

    function refresh() {
      if (loading) { return; }
      loading = true;
      box.classList.add("refreshing");
      fetch("/api/v1/me/member-code", { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 401) { window.location.href = "/m/login?next=/m"; }
          if (!response.ok) { throw new Error("member code " + response.status); }
          return response.json();
        })
        .then(function (code) {
          if (digits.textContent !== code.digits) {
            qr.innerHTML = code.svg;
            digits.textContent = code.digits;
          }
          deadline = Date.now() + code.expires_in * 1000;
          showVisit(code.last_visit);
        })
        .catch(function () { deadline = Date.now() + 5000; })  // try again soon
        .then(function () {
          loading = false;
          box.classList.remove("refreshing");
          tick();
        });
    }

    // After a purchase the code on screen is used: the server hands out the next one at once and
    // names the purchase, so the card learns it by asking every few seconds.
    var visit = document.querySelector("[data-visit]");
    var polled = Date.now();

    function yuan(fen) {
      var text = (Math.abs(fen) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
      return (fen < 0 ? "-¥" : "¥") + text;
    }

    function showVisit(last) {
      if (!visit || !last || visit.dataset.visitId === last.purchase_id) { return; }
      var text = visit.dataset.text.replace("%(merchant)s", last.merchant_name)
        .replace("%(amount)s", yuan(last.payable_fen))
        .replace("%(points)s", last.points_earned.toLocaleString("en-US"));
      if (last.points_used) {
        text += visit.dataset.usedText.replace("%(points)s", last.points_used.toLocaleString("en-US"));
      }
      visit.textContent = text;
      visit.dataset.visitId = last.purchase_id;
      visit.hidden = false;
    }

    function tick() {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      countdown.textContent = String(left);
      if (left <= 0 || Date.now() - polled >= POLL_MS) {
        polled = Date.now();
        refresh();
      }
    }

    var link = box.querySelector("[data-refresh]");
    if (link) {
      link.addEventListener("click", function (event) { event.preventDefault(); refresh(); });
    }
    // Timers sleep in a background tab: check again as soon as the page is visible.
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { tick(); }
    });
    window.setInterval(tick, 1000);
    tick();
  }

  function startMerchantSearch(input) {
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-merchant]"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
    var none = document.querySelector("[data-no-match]");

    function matches(item, needle, compact) {
      var d = item.dataset;
      return [d.name, d.category].some(function (text) { return text.indexOf(needle) >= 0; }) ||
        (/^[\x00-\x7f]*$/.test(compact) &&
          [d.initials, d.categoryInitials].some(function (text) { return text.indexOf(compact) >= 0; }));
    }

    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var compact = needle.replace(/\s+/g, "");
      var shown = 0;
      items.forEach(function (item) {
        var ok = !needle || matches(item, needle, compact);
        item.hidden = !ok;
        if (ok) { shown += 1; }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-merchant]:not([hidden])");
      });
      if (none) { none.hidden = shown > 0 || items.length === 0; }
    });
  }

  var box = document.querySelector("[data-member-code]");
  if (box) { startMemberCode(box); }
  var search = document.querySelector("[data-merchant-search]");
  if (search) { startMerchantSearch(search); }
})();
