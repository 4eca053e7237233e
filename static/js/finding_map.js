// The findings map (and a walk's map): draws the findings the page embeds
// (json_script, data-points) and the walks' routes (data-routes, optional) over
// the portal's base map. A click on a point opens the finding, on a route the
// walk. The list beside the map holds the same findings, so the map is an aid,
// never the only way to reach one.
(function () {
  "use strict";

  var element = document.getElementById("finding-map");
  if (!element || !window.L || !window.portalMap) {
    return;
  }
  // Each status's colour, from its badge in the legend under the map.
  function colour(status) {
    var badge = document.querySelector("[data-map-legend] [data-status='" + status + "']");
    return badge ? window.getComputedStyle(badge).backgroundColor : "#6c757d";
  }
  function read(id) {
    var data = id && document.getElementById(id);
    return data ? JSON.parse(data.textContent) : [];
  }
  var map = window.portalMap(element);
  var text = window.portalMap.text;
  var drawn = [];

  read(element.dataset.routes).forEach(function (walk) {
    var line = L.polyline(walk.line, { color: "#d63384", weight: 4, opacity: 0.9 });
    line.bindTooltip(text(walk.label));
    if (walk.url) {
      line.on("click", function () {
        window.location.assign(walk.url);
      });
    }
    drawn.push(line.addTo(map));
  });

  read(element.dataset.points).forEach(function (point) {
    var marker = L.circleMarker([point.lat, point.lon], {
      radius: 8,
      color: point.overdue ? "#dc3545" : "#212529",
      weight: point.overdue ? 3 : 1,
      fillColor: colour(point.status),
      fillOpacity: 0.9,
    });
    marker.bindTooltip(
      text(point.category + ": " + point.place + " (" + point.status_label + ")")
    );
    marker.on("click", function () {
      window.location.assign(point.url);
    });
    drawn.push(marker.addTo(map));
  });

  if (drawn.length) {
    map.fitBounds(L.featureGroup(drawn).getBounds(), {
      padding: [24, 24],
      maxZoom: 17,
    });
  } else {
    map.showAreas();
  }
})();
