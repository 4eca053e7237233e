// The walk form's route drawing (over the base map, base_map.js): each tap on the
// map, or "Tilføj min position" at a corner on the walk, adds a point to the
// route; "Fjern sidste punkt" and "Ryd ruten" undo. The text box #id_route_line,
// one "latitude, longitude" a line, stays the truth: without this script the
// route is typed or pasted there, and typing there redraws the line.
(function () {
  "use strict";

  var element = document.getElementById("route-map");
  var box = document.getElementById("id_route_line");
  if (!element || !box || !window.L || !window.portalMap) {
    return;
  }
  var status = document.getElementById("route-status");
  var map = window.portalMap(element);
  var line = L.polyline([], { color: "#d63384", weight: 4 }).addTo(map);
  var corners = L.layerGroup().addTo(map);

  function points() {
    return box.value
      .split("\n")
      .map(function (row) {
        var numbers = row.match(/-?\d+(?:[.,]\d+)?/g) || [];
        if (numbers.length !== 2) {
          return null;
        }
        var lat = parseFloat(numbers[0].replace(",", "."));
        var lon = parseFloat(numbers[1].replace(",", "."));
        return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
      })
      .filter(Boolean);
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function draw() {
    var route = points();
    line.setLatLngs(route);
    corners.clearLayers();
    route.forEach(function (point) {
      L.circleMarker(point, {
        radius: 5,
        color: "#212529",
        weight: 1,
        fillColor: "#d63384",
        fillOpacity: 1,
        interactive: false,
      }).addTo(corners);
    });
    return route;
  }

  function write(route) {
    box.value = route
      .map(function (point) {
        return point[0].toFixed(6) + ", " + point[1].toFixed(6);
      })
      .join("\n");
    draw();
    var template = status && status.dataset.count;
    if (template) {
      say(template.replace("%s", String(route.length)));
    }
  }

  function add(point) {
    write(points().concat([point]));
  }

  map.on("click", function (event) {
    add([event.latlng.lat, event.latlng.lng]);
  });
  box.addEventListener("input", draw);

  document.querySelectorAll("[data-route-action]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var action = button.dataset.routeAction;
      if (action === "undo") {
        write(points().slice(0, -1));
      } else if (action === "clear") {
        write([]);
      } else if (action === "here") {
        var failed = (status && status.dataset.error) || "";
        if (!navigator.geolocation) {
          say(failed);
          return;
        }
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var point = [position.coords.latitude, position.coords.longitude];
            add(point);
            map.setView(point, 17);
          },
          function () {
            say(failed);
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      }
    });
  });

  var area = document.getElementById("id_area");
  function areaName() {
    return area && area.selectedIndex > 0 ? area.options[area.selectedIndex].text : "";
  }
  if (area) {
    area.addEventListener("change", function () {
      if (!points().length) {
        map.showAreas(areaName());
      }
    });
  }
  var route = draw();
  if (route.length) {
    map.fitBounds(line.getBounds(), { padding: [24, 24], maxZoom: 17 });
  } else {
    map.showAreas(areaName());
  }
})();
