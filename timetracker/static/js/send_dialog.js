// The invoice send dialog (templates/workspace/invoices/_actions.html, send_form.html).
// A "Send…" link opens its page (GET /invoices/<id>/send); with JavaScript the same form is
// fetched as a fragment (?dialog=1) into a Bootstrap modal. In the modal and on the page, the
// preview is fetched again from the server (…/send/preview) as the subject, the message or the
// recipients change, so it is always the email's own template. A submitted form disables its
// buttons (the server also refuses a second submission of one form).
(function () {
  "use strict";

  var PREVIEW_DELAY = 300;

  function previewParams(form) {
    var params = new URLSearchParams();
    var subject = form.querySelector("[name=subject]");
    var message = form.querySelector("[name=message]");
    var first = form.querySelector("[name=recipients]:checked");
    params.set("subject", subject ? subject.value : "");
    params.set("message", message ? message.value : "");
    params.set("to", first ? first.value : "");
    return params;
  }

  function wirePreview(root) {
    var form = root.querySelector("#send-form");
    var target = root.querySelector("#send-preview");
    if (!form || !target || !form.dataset.previewUrl) {
      return;
    }
    var timer = null;
    var latest = 0;
    function refresh() {
      var ticket = ++latest;
      var url = form.dataset.previewUrl + "?" + previewParams(form).toString();
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null && ticket === latest) {
            target.innerHTML = html;
          }
        })
        .catch(function () {
          /* the preview stays as it was; sending does not depend on it */
        });
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, PREVIEW_DELAY);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  function guardSubmissions(root) {
    root.querySelectorAll("#send-form, #mark-sent-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) {
          return;
        }
        document
          .querySelectorAll('button[form="' + form.id + '"], #' + form.id + " button")
          .forEach(function (button) {
            window.setTimeout(function () {
              button.disabled = true;
            }, 0);
          });
      });
    });
  }

  function openDialog(link, modalElement) {
    var content = modalElement.querySelector("[data-send-dialog-content]");
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("dialog", "1");
    fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("dialog " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        content.innerHTML = html;
        wirePreview(content);
        guardSubmissions(content);
        window.bootstrap.Modal.getOrCreateInstance(modalElement).show();
      })
      .catch(function () {
        window.location.href = link.href; // the page version of the dialog
      });
  }

  function init() {
    document.querySelectorAll("a[data-send-dialog]").forEach(function (link) {
      var modalElement = document.querySelector(link.dataset.sendDialog);
      if (!modalElement || !window.bootstrap) {
        return; // the link opens the page
      }
      link.addEventListener("click", function (event) {
        event.preventDefault();
        openDialog(link, modalElement);
      });
    });
    var page = document.querySelector("[data-testid=send-page]");
    if (page) {
      wirePreview(page);
      guardSubmissions(page);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
