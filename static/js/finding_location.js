// The finding form's map picker (over the base map, base_map.js): a click on the map, or "use my position", fills
// #id_latitude and #id_longitude; typing in them moves the marker. The inputs stay
// the truth: without this script (or without a position) they are typed by hand.
(function () {
  "use strict";

  var element = document.getElementById("location-map");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  if (!element || !latitude || !longitude || !window.L || !window.portalMap) {
    return;
  }
  var status = document.getElementById("location-status");
  var button = document.getElementById("use-my-position");
  var marker = null;

  if (!element.clientHeight) {
    element.style.height = "16rem"; // when no stylesheet gives the map a height
  }
  var map = window.portalMap(element);

  function typed() {
    var lat = parseFloat(latitude.value.replace(",", "."));
    var lon = parseFloat(longitude.value.replace(",", "."));
    return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
  }

  function show(point) {
    if (marker) {
      marker.setLatLng(point);
    } else {
      marker = L.circleMarker(point, {
        radius: 9,
        color: "#212529",
        weight: 2,
        fillColor: "#0d6efd",
        fillOpacity: 0.9,
      }).addTo(map);
    }
  }

  function choose(point) {
    latitude.value = point[0].toFixed(6);
    longitude.value = point[1].toFixed(6);
    show(point);
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  map.on("click", function (event) {
    choose([event.latlng.lat, event.latlng.lng]);
  });

  [latitude, longitude].forEach(function (input) {
    input.addEventListener("input", function () {
      var point = typed();
      if (point) {
        show(point);
        map.panTo(point);
      }
    });
  });

  if (button) {
    // Shown only where this script runs: without it the button would do nothing.
    button.hidden = false;
    button.addEventListener("click", function () {
      say("");
      map.here(choose, function () {
        say((status && status.dataset.error) || "Din position kunne ikke findes.");
      });
    });
  }

  var start = typed();
  if (start) {
    show(start);
  }
  // Without a place yet, the map shows the chosen area.
  var areaName = map.followArea(
    document.getElementById("id_area"),
    element.dataset.area,
    function () {
      return !typed();
    }
  );
  if (start) {
    map.setView(start, 17);
  } else {
    map.showAreas(areaName());
  }
})();
