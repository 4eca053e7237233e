// Feedback where the eyes are, on every page (templates/base.html).
// - A form's error summary (templates/_partials/error_summary.html) is scrolled to
//   and focused when it appears, on a page load or an htmx swap; a link in it puts
//   the cursor in its field with the field's label in view.
// - A "saved" note (data-saved) is scrolled into view and read out by the page's
//   live region (#announcer), and the cursor goes to the first field of the form
//   it sits in, ready for the next record.
// Each is handled once (data-settled), so other swaps on the page leave them be.
// - A form that htmx draws again while it is filled in (choosing an area or an
//   activity brings their fields) keeps what was typed while the answer was on
//   its way: what the request carried is written back by the server, what was
//   typed after it is put back here.
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

  // The first of those not handled yet; all of them are handled from now on
  // (a page with two forms in one has two summaries: the first is the one).
  function fresh(selector) {
    var elements = document.querySelectorAll(selector + ":not([data-settled])");
    Array.prototype.forEach.call(elements, function (element) {
      element.setAttribute("data-settled", "");
    });
    return elements[0] || null;
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

  // A table's or chart's box that scrolls sideways can be reached and scrolled by
  // keyboard (Chromium lets the keyboard into any such box), and is named for a
  // screen reader by its caption, or else the heading before it. A chart's
  // drawing itself is hidden from screen readers: its table has the figures.
  function name(box) {
    var caption = box.querySelector("caption, figcaption");
    if (caption) {
      return caption.textContent.trim();
    }
    for (var before = box.previousElementSibling; before; before = before.previousElementSibling) {
      if (/^H[1-6]$/.test(before.tagName)) {
        return before.textContent.trim();
      }
    }
    return document.title.split(" · ")[0];
  }

  function reachable() {
    document.querySelectorAll(".table-responsive, .chart").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name(box));
          box.setAttribute("data-reachable", "");
        }
      } else if (box.hasAttribute("data-reachable")) {
        ["tabindex", "role", "aria-label", "data-reachable"].forEach(function (attribute) {
          box.removeAttribute(attribute);
        });
      }
    });
  }

  function ready() {
    settle();
    reachable();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  document.addEventListener("htmx:afterSettle", ready);
  window.addEventListener("resize", reachable);
  // A table folded in a <details> is measured when it opens.
  document.addEventListener("toggle", reachable, true);

  function values(form) {
    var found = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") {
        (found[name] = found[name] || []).push(value);
      }
    });
    // A field emptied or unticked is a value too.
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.type !== "hidden" && !(field.name in found)) {
        found[field.name] = [];
      }
    });
    return found;
  }

  function put(form, name, chosen) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name !== name || field.type === "hidden") {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = chosen.indexOf(field.value) !== -1;
      } else if (field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = chosen.indexOf(option.value) !== -1;
        });
      } else {
        field.value = chosen.length ? chosen[0] : "";
      }
    });
  }

  var sent = null;
  var late = null;
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.target;
    sent =
      event.detail.verb === "get" && form.tagName === "FORM" && form.id
        ? { id: form.id, values: values(form) }
        : null;
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    late = null;
    if (!sent || event.detail.target.id !== sent.id) {
      return;
    }
    var now = values(event.detail.target);
    late = { id: sent.id, values: {} };
    Object.keys(now).forEach(function (name) {
      if (JSON.stringify(now[name]) !== JSON.stringify(sent.values[name] || [])) {
        late.values[name] = now[name];
      }
    });
    sent = null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var form = late && document.getElementById(late.id);
    if (form) {
      Object.keys(late.values).forEach(function (name) {
        put(form, name, late.values[name]);
      });
      // A choice changed meanwhile (another activity) draws its fields in turn.
      Object.keys(late.values).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.tagName === "SELECT") {
          field.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    }
    late = null;
  });

  // On paper everything folded away is printed too, then folded again.
  var folded = [];
  window.addEventListener("beforeprint", function () {
    folded = Array.prototype.filter.call(document.querySelectorAll("main details"), function (d) {
      return !d.open;
    });
    folded.forEach(function (details) {
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    folded.forEach(function (details) {
      details.open = false;
    });
    folded = [];
  });

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
