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

  var LAT = [55.25, 55.55];
  var LON = [10.15, 10.65];
  function inOdense(point) {
    return (
      point[0] >= LAT[0] && point[0] <= LAT[1] && point[1] >= LON[0] && point[1] <= LON[1]
    );
  }

  // The route in the box, a point a line (latitude first, or the other way
  // round, as the server reads it); null when the box holds what only the
  // server reads (GeoJSON, UTM): the map then leaves the box alone.
  function points() {
    var route = [];
    var rows = box.value.split("\n").filter(function (row) {
      return row.trim();
    });
    for (var i = 0; i < rows.length; i += 1) {
      var numbers = rows[i].match(/-?\d+(?:[.,]\d+)?/g) || [];
      if (numbers.length !== 2) {
        return null;
      }
      var point = numbers.map(function (n) {
        return parseFloat(n.replace(",", "."));
      });
      if (inOdense(point)) {
        route.push(point);
      } else if (inOdense([point[1], point[0]])) {
        route.push([point[1], point[0]]);
      } else {
        return null;
      }
    }
    return route;
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function unreadable() {
    say((status && status.dataset.unreadable) || "");
  }

  function draw() {
    var route = points();
    if (route === null) {
      unreadable();
      route = [];
    }
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
    if (status) {
      var counted = route.length === 1 ? status.dataset.countOne : status.dataset.count;
      say((counted || "").replace("%s", String(route.length)));
    }
  }

  // A point added to the route, unless the box holds one the map cannot read.
  function add(point) {
    var route = points();
    if (route === null) {
      unreadable();
      return;
    }
    write(route.concat([point]));
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
        var route = points();
        if (route === null) {
          unreadable();
          return;
        }
        write(route.slice(0, -1));
      } else if (action === "clear") {
        write([]);
      } else if (action === "here") {
        map.here(add, function () {
          say((status && status.dataset.error) || "");
        });
      }
    });
  });

  var areaName = map.followArea(document.getElementById("id_area"), "", function () {
    return !(points() || []).length;
  });
  var route = draw();
  if (route.length) {
    map.fitBounds(line.getBounds(), { padding: [24, 24], maxZoom: 17 });
  } else {
    map.showAreas(areaName());
  }
})();
