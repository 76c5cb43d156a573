// Fast time entry on the staff pages (loaded by workspace/_timer_nav.html on every staff page):
// the week grid's cells saved as they are left, the project picker's filter, the keyboard
// shortcuts, the running timer in the tab's title and the "Undo" of a discarded timer.
(function () {
  "use strict";
  if (window.timeTrackerTime) { return; }
  window.timeTrackerTime = true;

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  // The week grid --------------------------------------------------------------------------
  var grid = document.getElementById("week-grid");

  // What the grid says, in the page's language (data-msg-* on the grid, see time_week.html).
  function message(name, fallback) {
    return (grid && grid.dataset[name]) || fallback;
  }

  function setMessage(input, text, ok) {
    var box = input.parentElement.querySelector(".cell-message");
    input.classList.toggle("is-invalid", !ok);
    input.classList.toggle("is-saved", ok && text !== "");
    if (box) {
      box.textContent = ok ? "" : text;
      box.classList.toggle("text-danger", !ok);
    }
    if (ok) { input.removeAttribute("aria-invalid"); } else { input.setAttribute("aria-invalid", "true"); }
  }

  // One save at a time, in the order the cells were left: each sees the entries the one
  // before it made (a new entry starts after the day's last one).
  var queue = Promise.resolve();
  function saveCell(input) {
    queue = queue.then(function () { return sendCell(input); });
    return queue;
  }

  function sendCell(input) {
    var value = input.value.trim();
    if (value === (input.dataset.value || "")) {
      input.dataset.tried = "";
      setMessage(input, "", true);  // back to what is saved: nothing to say
      return Promise.resolve();
    }
    if (value === input.dataset.tried) {
      return Promise.resolve();  // refused just now: its message still stands
    }
    input.dataset.tried = value;
    return fetch(grid.dataset.cellUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify({ project: input.dataset.project, day: input.dataset.day, hours: value })
    }).then(function (response) {
      return response.json().catch(function () { return { error: message("msgNoAnswer", "The server did not answer ({status}).").replace("{status}", String(response.status)) }; })
        .then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        setMessage(input, result.data.error || result.data.message || message("msgNotSaved", "Not saved."), false);
        return;
      }
      var data = result.data;
      input.dataset.tried = "";
      input.value = data.value;
      input.dataset.value = data.value;
      setMessage(input, "", true);
      var row = input.closest("tr");
      var rowTotal = row && row.querySelector("[data-row-total]");
      if (rowTotal) { rowTotal.textContent = data.row_total; }
      var dayTotal = grid.querySelector('[data-day-total="' + input.dataset.col + '"]');
      if (dayTotal) { dayTotal.textContent = data.day_total; }
      var weekTotal = grid.querySelector("[data-week-total]");
      if (weekTotal) { weekTotal.textContent = data.week_total; }
    }).catch(function () {
      input.dataset.tried = "";
      setMessage(input, message("msgOffline", "Not saved: the connection failed. Try again."), false);
    });
  }

  function cellBelow(input) {
    var cells = Array.prototype.slice.call(grid.querySelectorAll('.grid-cell[data-col="' + input.dataset.col + '"]'));
    var i = cells.indexOf(input);
    return cells[i + 1] || null;
  }

  if (grid) {
    grid.classList.add("js-saves");
    // Leaving a cell saves it ("change" alone misses a cell typed back to its first value).
    grid.addEventListener("focusout", function (event) {
      if (event.target.classList.contains("grid-cell")) { saveCell(event.target); }
    });
    grid.addEventListener("keydown", function (event) {
      var input = event.target;
      if (!input.classList.contains("grid-cell") || event.key !== "Enter") { return; }
      event.preventDefault();
      saveCell(input);
      var next = cellBelow(input);
      if (next) { next.focus(); next.select(); }
    });
    grid.addEventListener("focusin", function (event) {
      if (event.target.classList.contains("grid-cell")) { event.target.select(); }
    });
  }

  // The project picker's filter ------------------------------------------------------------
  function normalise(text) { return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }

  document.querySelectorAll("[data-project-picker]").forEach(function (picker) {
    var filter = picker.querySelector("[data-project-filter]");
    var select = picker.querySelector("select");
    if (!filter || !select) { return; }
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var words = normalise(filter.value).split(/\s+/).filter(Boolean);
      var first = null;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var text = normalise(group.label + " " + option.textContent);
          var match = words.every(function (w) { return text.indexOf(w) !== -1; });
          option.hidden = !match;
          if (match) { shown += 1; if (!first) { first = option; } }
        });
        group.hidden = shown === 0;
      });
      if (first && words.length) { select.value = first.value; }
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  });

  // Keyboard shortcuts ---------------------------------------------------------------------
  var help = document.querySelector("[data-shortcuts]");
  if (help && help.parentElement !== document.body) {
    document.body.appendChild(help);  // a modal belongs to the body, not the (collapsed) menu
  }

  function typing(target) {
    if (!(target instanceof Element)) { return false; }
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function focusSearch() {
    var field = document.querySelector("main [data-search]:not([hidden])") ||
      document.querySelector("main form[role=search] input, main form[data-filter] input, main form[data-filter] select, main form[aria-label^=Filter] input, main form[aria-label^=Filter] select");
    if (field) { field.focus(); if (field.select) { field.select(); } }
    return Boolean(field);
  }

  function startOrStop() {
    var stop = document.querySelector("[data-timer-stop-form]");
    if (stop) { stop.requestSubmit(); return; }
    var start = document.querySelector("[data-timer-start-form]");
    if (start) {
      var picker = start.querySelector("[data-project-filter]:not([hidden])") || start.querySelector("select");
      if (picker) { picker.focus(); }
      return;
    }
    if (help) { window.location.href = help.dataset.startUrl; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "Escape" && help && help.classList.contains("show") && window.bootstrap) {
      // Closes the help wherever the focus is (the dialog's own handler needs it inside).
      window.bootstrap.Modal.getOrCreateInstance(help).hide();
      return;
    }
    if (document.querySelector(".modal.show") && event.key !== "?") { return; }
    switch (event.key) {
      case "n":
        if (help) { event.preventDefault(); window.location.href = help.dataset.newUrl; }
        break;
      case "s":
        event.preventDefault();
        startOrStop();
        break;
      case "/":
        if (focusSearch()) { event.preventDefault(); }
        break;
      case "?":
        if (help && window.bootstrap) {
          event.preventDefault();
          window.bootstrap.Modal.getOrCreateInstance(help).toggle();
        }
        break;
      default:
        break;
    }
  });

  if (window.location.hash === "#start-timer") {
    var startForm = document.querySelector("[data-timer-start-form]");
    var first = startForm && (startForm.querySelector("[data-project-filter]:not([hidden])") || startForm.querySelector("select"));
    if (first) { first.focus(); }
  }

  // The running timer in the tab's title ---------------------------------------------------
  var running = document.querySelector("[data-timer-title]");
  if (running) {
    var start = Date.parse(running.dataset.timerStart);
    var pad = function (n) { return n < 10 ? "0" + n : String(n); };
    var title = function () {
      var s = Math.max(0, Math.floor((Date.now() - start) / 1000));
      document.title = "\u25B6 " + Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" +
        pad(s % 60) + " \u00B7 " + running.dataset.timerTitle;
    };
    if (!isNaN(start)) { title(); window.setInterval(title, 1000); }
  }

  // The "Undo" of a discarded timer sits in the flash message when there is one -------------
  var undo = document.querySelector("[data-timer-undo]");
  var alert = document.querySelector("main .alert-warning");
  if (undo && alert) {
    undo.classList.add("d-inline-flex", "ms-2");
    var close = alert.querySelector(".btn-close");
    alert.insertBefore(undo, close);
  }
})();
