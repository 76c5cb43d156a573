// A refused form comes back with its first field in error marked `autofocus`, at an address that
// ends in the form's #fragment (so the page opens at the form, not at its top). Browsers skip
// autofocus when the address names a fragment, and scrolling to the fragment (once the page has
// loaded) takes the focus away again: focus that field after it.
(function () {
  "use strict";
  function focusField() {
    const field = document.querySelector("[autofocus]");
    if (field && document.activeElement !== field) {
      field.focus();
    }
  }
  if (document.readyState === "complete") {
    window.setTimeout(focusField, 0);
  } else {
    window.addEventListener("load", function () {
      window.setTimeout(focusField, 0);
    });
  }
})();
