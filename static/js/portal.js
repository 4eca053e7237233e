// Feedback where the eyes are, on every page (templates/base.html).
// - A form's error summary (templates/_partials/error_summary.html) is scrolled to
//   and focused when it appears, on a page load or an htmx swap; a link in it puts
//   the cursor in its field with the field's label in view.
// - A "saved" note (data-saved) is scrolled into view and read out by the page's
//   live region (#announcer), and the cursor goes to the first field of the form
//   it sits in, ready for the next record.
// Each is handled once (data-settled), so other swaps on the page leave them be.
(function () {
  "use strict";

  var FIELDS =
    "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) {
      return;
    }
    // Emptied first, so the same words said twice are read twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  function fresh(selector) {
    var element = document.querySelector(selector + ":not([data-settled])");
    if (element) {
      element.setAttribute("data-settled", "");
    }
    return element;
  }

  function settle() {
    var summary = fresh("[data-error-summary]");
    if (summary) {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
      return;
    }
    var saved = fresh("[data-saved]");
    if (saved) {
      saved.scrollIntoView({ block: "start" });
      announce(saved.textContent.trim());
      var form = saved.closest("form");
      var first = form && form.querySelector(FIELDS);
      if (first) {
        first.focus({ preventScroll: true });
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settle);
  } else {
    settle();
  }
  document.addEventListener("htmx:afterSettle", settle);

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
})();
