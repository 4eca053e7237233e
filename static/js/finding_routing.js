// The finding form: choosing a category fills in the organisation that normally
// fixes it in the area (#id_responsible's data-routing), unless the person chose
// one by hand. Without this script the server fills it in on the first save and
// asks to save again, so the organisation is always named before it is sent.
(function () {
  "use strict";

  var category = document.getElementById("id_category");
  var responsible = document.getElementById("id_responsible");
  if (!category || !responsible || !responsible.dataset.routing) {
    return;
  }
  var routing = JSON.parse(responsible.dataset.routing);
  var chosenByHand = responsible.value !== "";

  responsible.addEventListener("change", function () {
    chosenByHand = responsible.value !== "";
  });
  function fill() {
    if (!chosenByHand) {
      responsible.value = routing[category.value] || "";
    }
  }
  category.addEventListener("change", fill);
  // A category chosen before this script ran (a quick hand on a slow line)
  // gets its organisation too; one the page came with is left as it is.
  var picked = category.options[category.selectedIndex];
  if (picked && !picked.defaultSelected) {
    fill();
  }
})();
