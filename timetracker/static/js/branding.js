// The client form's accent colour: a colour picker kept in step with the #RRGGBB text field,
// and a preview of a button and a link in the colour on white with its WCAG contrast ratio
// (a warning under 4.5:1). The server validates the value again and says the same on saving
// (timetracker/portal/branding.py, contrast_warning). Colours are set through the CSSOM, which
// the Content-Security-Policy allows (no style attribute is written).
//
// The ratio's words come from the page, in its language: the ratio element's
// data-accent-ratio-text, with "{ratio}" where the number goes (English when it is absent);
// the number is written as the page's language writes numbers (<html lang>).
(function () {
  "use strict";

  var HEX = /^#[0-9a-fA-F]{6}$/;
  var AA = 4.5;

  function channel(value) {
    var c = value / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }

  function luminance(hex) {
    var r = parseInt(hex.slice(1, 3), 16);
    var g = parseInt(hex.slice(3, 5), 16);
    var b = parseInt(hex.slice(5, 7), 16);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }

  function contrast(first, second) {
    var a = luminance(first);
    var b = luminance(second);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  function setUp(root) {
    var text = root.querySelector("[data-accent-text]");
    var picker = root.querySelector("[data-accent-picker]");
    var preview = root.querySelector("[data-accent-preview]");
    if (!text || !picker || !preview) {
      return;
    }
    var button = preview.querySelector("[data-accent-sample-button]");
    var link = preview.querySelector("[data-accent-sample-link]");
    var ratioText = preview.querySelector("[data-accent-ratio]");
    var warning = preview.querySelector("[data-accent-warning]");
    var ratioWords =
      ratioText.getAttribute("data-accent-ratio-text") || "Contrast against white: {ratio}:1";
    var language = document.documentElement.lang || "en";

    function ratioNumber(value) {
      var floored = Math.floor(value * 100) / 100;
      try {
        return floored.toLocaleString(language, {
          minimumFractionDigits: 2,
          maximumFractionDigits: 2,
        });
      } catch (error) {
        return floored.toFixed(2);
      }
    }

    function show(value) {
      if (!HEX.test(value)) {
        preview.hidden = true;
        return;
      }
      var onWhite = contrast(value, "#ffffff");
      button.style.backgroundColor = value;
      button.style.borderColor = value;
      button.style.color = onWhite >= contrast(value, "#000000") ? "#ffffff" : "#000000";
      link.style.color = value;
      ratioText.textContent = ratioWords.replace("{ratio}", ratioNumber(onWhite));
      warning.hidden = onWhite >= AA;
      preview.hidden = false;
    }

    picker.addEventListener("input", function () {
      text.value = picker.value.toUpperCase();
      show(picker.value);
    });
    text.addEventListener("input", function () {
      var value = text.value.trim();
      if (HEX.test(value)) {
        picker.value = value.toLowerCase();
      }
      show(value);
    });
    show(text.value.trim());
  }

  document.querySelectorAll("[data-accent]").forEach(setUp);
})();
