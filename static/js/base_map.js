// Every map's base (templates/_partials/map_base.html): tiles when the page's
// #map-base names a tile server, and always the outlines of the areas and their
// departments, so a map without tiles still shows where things are. The colours
// are the legend's (portal.css, .legend-*). Names are set as text, never HTML.
(function () {
  "use strict";

  var ODENSE = [55.4, 10.39];

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  // An outline's rings are its parts, side by side (to Leaflet, a list of rings
  // is one shape with holes; a list of lists of rings is several shapes).
  function parts(outline) {
    return outline.map(function (ring) {
      return [ring];
    });
  }

  window.portalMap = function (element) {
    var data = document.getElementById("map-base");
    var base = data
      ? JSON.parse(data.textContent)
      : { tiles: {}, areas: [] };
    var map = L.map(element);
    if (base.tiles.url) {
      L.tileLayer(base.tiles.url, {
        attribution: base.tiles.attribution,
        maxZoom: 19,
      }).addTo(map);
    }
    var outlines = [];
    base.areas.forEach(function (area) {
      area.departments.forEach(function (department) {
        L.polygon(parts(department.outline), {
          color: "#495057",
          weight: 2,
          fillOpacity: 0.06,
        })
          .bindTooltip(text(department.name))
          .addTo(map);
      });
      if (area.outline.length) {
        var shape = L.polygon(parts(area.outline), {
          color: "#6f42c1",
          weight: 3,
          dashArray: area.approximate ? "8 6" : null,
          fill: false,
          interactive: false,
        })
          .bindTooltip(text(area.name), {
            permanent: true,
            direction: "center",
            className: "map-label",
          })
          .addTo(map);
        shape.areaName = area.name;
        outlines.push(shape);
      }
    });

    // Shows the named area, else all areas (all of Odense when none has an
    // outline). Answers whether the named area was found.
    map.showAreas = function (name) {
      var named = outlines.filter(function (shape) {
        return shape.areaName === name;
      });
      var shown = named.length ? named : outlines;
      if (shown.length) {
        map.fitBounds(L.featureGroup(shown).getBounds(), { padding: [16, 16] });
      } else {
        map.setView(ODENSE, 12);
      }
      return named.length > 0;
    };

    // The area chosen in `select` (else the one named `fallback`): shown now,
    // and when another is chosen while `empty()` says nothing is drawn yet.
    map.followArea = function (select, fallback, empty) {
      function chosen() {
        if (select) {
          return select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
        }
        return fallback || "";
      }
      if (select) {
        select.addEventListener("change", function () {
          if (empty()) {
            map.showAreas(chosen());
          }
        });
      }
      return chosen;
    };

    // The phone's position, handed to `found` and shown close up; `failed` when
    // the browser has none or gives none.
    map.here = function (found, failed) {
      if (!navigator.geolocation) {
        failed();
        return;
      }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var point = [position.coords.latitude, position.coords.longitude];
          found(point);
          map.setView(point, 17);
        },
        failed,
        { enableHighAccuracy: true, timeout: 15000 }
      );
    };
    return map;
  };

  // Text for a tooltip: a name or place people typed, never read as HTML.
  window.portalMap.text = text;
})();
