// TimeTracker page behaviour. Loaded on every page; no inline scripts (the CSP forbids them).
(function () {
  "use strict";
  // Confirm destructive actions: <form data-confirm="Are you sure?">
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  });
  // Elapsed time of a running timer: <span data-timer-start="ISO-8601">
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    document.querySelectorAll("[data-timer-start]").forEach(function (el) {
      var start = Date.parse(el.dataset.timerStart);
      if (isNaN(start)) { return; }
      var s = Math.max(0, Math.floor((Date.now() - start) / 1000));
      el.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    });
  }
  tick();
  setInterval(tick, 1000);
  // Auto-submit filter selects: <select data-autosubmit>
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit();
    }
  });
})();
