// The findings map: draws the findings the page embeds (json_script) with Leaflet.
// Tiles only when the page names a tile server; otherwise a plain background.
// A click on a point opens the finding. The list beside the map holds the same
// findings, so the map is an aid, never the only way to reach one.
(function () {
  "use strict";

  var element = document.getElementById("finding-map");
  if (!element || !window.L) {
    return;
  }
  var ODENSE = [55.4, 10.39];
  // Each status's colour, from its badge in the legend under the map.
  function colour(status) {
    var badge = document.querySelector("[data-map-legend] [data-status='" + status + "']");
    return badge ? window.getComputedStyle(badge).backgroundColor : "#6c757d";
  }
  var points = JSON.parse(
    document.getElementById(element.dataset.points).textContent
  );
  var map = L.map(element);
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution,
      maxZoom: 19,
    }).addTo(map);
  }

  function label(point) {
    // Text, never HTML: the place is typed by people.
    var text = document.createElement("span");
    text.textContent =
      point.category + ": " + point.place + " (" + point.status_label + ")";
    return text;
  }

  var markers = points.map(function (point) {
    var marker = L.circleMarker([point.lat, point.lon], {
      radius: 8,
      color: point.overdue ? "#dc3545" : "#212529",
      weight: point.overdue ? 3 : 1,
      fillColor: colour(point.status),
      fillOpacity: 0.9,
    });
    marker.bindTooltip(label(point));
    marker.on("click", function () {
      window.location.assign(point.url);
    });
    return marker.addTo(map);
  });

  if (markers.length) {
    map.fitBounds(L.featureGroup(markers).getBounds(), {
      padding: [24, 24],
      maxZoom: 17,
    });
  } else {
    map.setView(ODENSE, 12);
  }
})();
