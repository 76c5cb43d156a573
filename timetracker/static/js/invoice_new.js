// The new invoice form: offer only the chosen client's projects, and show the preview of the
// draft's lines (GET /invoices/new/preview, an HTML fragment) whenever the choices change.
// Without this script the form works the same: its "Preview" button asks the server.
(function () {
  "use strict";
  const form = document.getElementById("invoice-new");
  if (!form) {
    return;
  }
  const client = form.elements.namedItem("client");
  const box = document.getElementById("invoice-preview");
  const chooseFirst = document.getElementById("projects-choose-client");
  const placeholder = box.innerHTML;
  let timer = 0;
  let latest = 0;

  function showClientsProjects() {
    form.querySelectorAll("[data-client]").forEach(function (group) {
      const other = group.dataset.client !== client.value;
      group.hidden = other;
      if (other) {
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          box.checked = false;
        });
      }
    });
    chooseFirst.hidden = Boolean(client.value);
  }

  function query() {
    const params = new URLSearchParams();
    params.set("client_id", client.value);
    form.querySelectorAll("input[name=project]:checked").forEach(function (box) {
      params.append("project_ids", box.value);
    });
    ["date_from", "date_to", "group_by", "tax_rate"].forEach(function (name) {
      params.set(name, form.elements.namedItem(name).value);
    });
    return params.toString();
  }

  async function refresh() {
    if (!client.value) {
      box.innerHTML = placeholder;
      return;
    }
    const mine = ++latest;
    box.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.previewUrl + "?" + query(), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      const html = await response.text();
      if (mine === latest) {
        box.innerHTML = html; // our own escaped fragment (refusals come as a fragment too)
      }
    } catch (error) {
      if (mine === latest) {
        box.textContent = box.dataset.failed; // the page's words, in its language
      }
    } finally {
      if (mine === latest) {
        box.removeAttribute("aria-busy");
      }
    }
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }

  client.addEventListener("change", showClientsProjects);
  form.addEventListener("change", later);
  form.addEventListener("input", function (event) {
    if (event.target.type !== "checkbox") {
      later();
    }
  });
  showClientsProjects();
  if (client.value && !box.querySelector("[data-testid=preview-lines], [data-testid=preview-empty]")) {
    refresh();
  }
})();
