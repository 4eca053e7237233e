"""Shapes on the map: an area's or a department's outline, a walk's route.

Stored as JSON in latitude, longitude order, six decimals:
- an outline is a list of rings (an area may lie in several parts), each ring a
  list of at least three points;
- a route is a list of at least two points.

People give them as text (`ShapeField`): one point a line, "55.4044, 10.4433",
a blank line between the rings of an outline; or as GeoJSON, as the
municipality's map data and drawing sites such as geojson.io hand it out.
Danish map data is often in UTM zone 32 (EPSG:25832, metres): such points are
converted (the `utm` package). Points outside Odense are refused by line.
"""

import json
import math
import re

import utm
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ODENSE_BOUNDS = {"lat": (55.25, 55.55), "lon": (10.15, 10.65)}
# UTM zone 32 eastings and northings around Odense, with a wide margin.
UTM_BOUNDS = {"east": (540_000, 640_000), "north": (6_090_000, 6_190_000)}
MAX_POINTS = 2000
MAX_TEXT = MAX_POINTS * 100  # GeoJSON's properties and spaces included

NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def in_odense(lat: float, lon: float) -> bool:
    return in_range(lat, ODENSE_BOUNDS["lat"]) and in_range(lon, ODENSE_BOUNDS["lon"])


def point_errors(latitude, longitude) -> dict[str, str]:
    """What is wrong with a row's point (a finding's, a resident's report's), by
    field: none, or both coordinates, in Odense."""
    errors = {}
    for name, value, bounds in (
        ("latitude", latitude, ODENSE_BOUNDS["lat"]),
        ("longitude", longitude, ODENSE_BOUNDS["lon"]),
    ):
        if value is not None and not in_range(float(value), bounds):
            errors[name] = _("Punktet ligger uden for Odense.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Angiv både bredde- og længdegrad, eller ingen.")
    return errors


def validate_outline(value) -> None:
    """What the model keeps: rings of at least three points, all in Odense."""
    if not isinstance(value, list):
        raise ValidationError(_("Omridset skal være en liste af ringe."))
    for ring in value:
        if not isinstance(ring, list) or len(ring) < 3:
            raise ValidationError(
                _("Hver del af et omrids skal have mindst tre punkter.")
            )
        validate_points(ring)


def validate_route(value) -> None:
    """What the model keeps: none, or a line of at least two points in Odense."""
    if not isinstance(value, list):
        raise ValidationError(_("Ruten skal være en liste af punkter."))
    if len(value) == 1:
        raise ValidationError(_("En rute skal have mindst to punkter."))
    validate_points(value)


def validate_points(points: list) -> None:
    if len(points) > MAX_POINTS:
        raise ValidationError(
            _("Højst %(max)d punkter.") % {"max": MAX_POINTS}, code="too_many"
        )
    for point in points:
        if not (
            isinstance(point, list)
            and len(point) == 2
            and all(
                isinstance(n, int | float) and not isinstance(n, bool) for n in point
            )
            and in_odense(*point)
        ):
            raise ValidationError(_("Et punkt ligger uden for Odense."))


def outline_field() -> models.JSONField:
    """An area's or a department's outline, kept by coordinators in the admin."""
    return models.JSONField(
        _("omrids"),
        default=list,
        blank=True,
        validators=[validate_outline],
        help_text=_(
            "Til kortet: ét punkt pr. linje som breddegrad, længdegrad (fx 55.4044, "
            "10.4433), en tom linje mellem flere dele. Eller sæt GeoJSON ind, fx fra "
            "kommunens kortdata eller geojson.io (også i UTM, EPSG:25832)."
        ),
    )


class ShapeField(forms.CharField):
    """A text box for an outline or a route, read as described at the top of this
    module. It cleans to the JSON the model keeps."""

    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})
    rings = True

    def __init__(self, **kwargs):
        # A model's JSONField hands its encoder and decoder to its form field, and
        # for its callable default (list) asks for the initial value in a hidden
        # input: a change is judged against the saved value instead.
        for handed in ("encoder", "decoder", "show_hidden_initial"):
            kwargs.pop(handed, None)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value or ""
        rings = value if self.rings else [value]
        return "\n\n".join(
            "\n".join(f"{lat:.6f}, {lon:.6f}" for lat, lon in ring) for ring in rings
        )

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return []
        if len(text) > MAX_TEXT:
            raise ValidationError(
                _("Teksten er for lang: højst %(max)s tegn.")
                % {"max": f"{MAX_TEXT:,}".replace(",", ".")}
            )
        if text[0] in "{[":
            rings = read_geojson(text, rings=self.rings)
        else:
            rings = read_lines(text)
        if self.rings:
            for number, ring in enumerate(rings, start=1):
                if len(ring) < 3:
                    raise ValidationError(
                        _("Del %(n)d af omridset har under tre punkter.")
                        % {"n": number}
                    )
            return rings
        if len(rings) > 1:
            return [point for ring in rings for point in ring]
        return rings[0]


class OutlineField(ShapeField):
    rings = True


class RouteField(ShapeField):
    rings = False


def read_lines(text: str) -> list[list[list[float]]]:
    """One point a line; a blank line starts a new ring."""
    rings, ring = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if ring:
                rings.append(ring)
                ring = []
            continue
        numbers = NUMBER.findall(line)
        if len(numbers) != 2 or NUMBER.sub("", line).strip(" ,;\t") != "":
            raise ValidationError(
                _(
                    "Linje %(n)d: skriv et punkt som breddegrad, længdegrad, "
                    "fx 55.4044, 10.4433."
                )
                % {"n": number}
            )
        first, second = (float(n.replace(",", ".")) for n in numbers)
        if not (math.isfinite(first) and math.isfinite(second)):
            raise ValidationError(
                _("Linje %(n)d: tallet er for stort.") % {"n": number}
            )
        ring.append(point_from(first, second, where=_("Linje %(n)d") % {"n": number}))
    if ring:
        rings.append(ring)
    return rings


def read_geojson(text: str, *, rings: bool) -> list[list[list[float]]]:
    """The outer rings of (multi)polygons, or the (multi)line strings, of a
    GeoJSON geometry, feature or feature collection."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ValidationError(
            _("Det ligner GeoJSON, men kan ikke læses. Sæt hele filens indhold ind.")
        ) from None
    wanted = ("Polygon", "MultiPolygon") if rings else ("LineString", "MultiLineString")
    found = []
    for geometry in geometries(data):
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind not in wanted or not isinstance(coordinates, list):
            continue
        if kind == "Polygon":
            parts = coordinates[:1]
        elif kind == "MultiPolygon":
            parts = [
                polygon[0] if isinstance(polygon, list) and polygon else None
                for polygon in coordinates
            ]
        elif kind == "LineString":
            parts = [coordinates]
        else:
            parts = coordinates
        found.extend(parts)
    if not found:
        raise ValidationError(
            _("GeoJSON'en har intet omrids (Polygon).")
            if rings
            else _("GeoJSON'en har ingen linje (LineString).")
        )
    read = []
    for part in found:
        if not isinstance(part, list) or not part:
            raise ValidationError(NOT_NUMBERS)
        ring = []
        for position in part:
            if not (isinstance(position, list) and len(position) >= 2):
                raise ValidationError(NOT_NUMBERS)
            # GeoJSON gives longitude (or easting) first.
            east, north = (coordinate(n) for n in position[:2])
            ring.append(point_from(north, east, where="GeoJSON"))
        if rings and len(ring) > 1 and ring[0] == ring[-1]:
            ring.pop()  # GeoJSON closes its rings; the map closes them itself
        read.append(ring)
    return read


NOT_NUMBERS = _("GeoJSON'en har et punkt, der ikke er tal.")


def coordinate(value) -> float:
    """A coordinate as a finite float (never a truth value, never a number too
    big for one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(NOT_NUMBERS)
    try:
        value = float(value)
    except OverflowError:
        raise ValidationError(NOT_NUMBERS) from None
    if not math.isfinite(value):
        raise ValidationError(NOT_NUMBERS)
    return value


def geometries(data) -> list[dict]:
    """The geometries in a GeoJSON object, a collection at most this deep."""
    found, waiting = [], [(data, 0)]
    while waiting:
        item, depth = waiting.pop(0)
        if not isinstance(item, dict) or depth > 3:
            continue
        kind = item.get("type")
        if kind == "FeatureCollection":
            inner = item.get("features")
        elif kind == "GeometryCollection":
            inner = item.get("geometries")
        elif kind == "Feature":
            inner = [item.get("geometry")]
        else:
            found.append(item)
            continue
        if isinstance(inner, list):
            waiting.extend((part, depth + 1) for part in inner)
    return found


def point_from(first: float, second: float, *, where: str) -> list[float]:
    """A point given latitude first; also taken the other way round, or as UTM
    zone 32 (northing first, as `first`), as long as it lands in Odense."""
    candidates = [(first, second), (second, first)]
    for north, east in ((first, second), (second, first)):
        if in_range(east, UTM_BOUNDS["east"]) and in_range(north, UTM_BOUNDS["north"]):
            candidates.append(utm.to_latlon(east, north, 32, northern=True))
    for lat, lon in candidates:
        if in_odense(lat, lon):
            return [round(float(lat), 6), round(float(lon), 6)]
    raise ValidationError(
        _("%(where)s: punktet %(first)s, %(second)s ligger ikke i Odense.")
        % {"where": where, "first": shown(first), "second": shown(second)}
    )


def shown(value: float) -> str:
    """A coordinate in a message: as typed, up to a sensible length."""
    text = f"{value:g}"
    return text if len(text) <= 20 else text[:20] + "…"


def in_range(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


# A phone's position can be off by tens of metres and an outline drawn roughly:
# a point this near an outline's edge counts as in it (metres).
NEAR_METRES = 150
METRES_PER_DEGREE = 111_320


def in_outline(outline: list, lat: float, lon: float) -> bool:
    """Whether the point lies in one of the outline's rings, or within NEAR_METRES
    of its edge. An area without an outline holds every point in Odense."""
    if not outline:
        return in_odense(lat, lon)
    return any(_in_ring(ring, lat, lon) for ring in outline) or any(
        _metres_to_ring(ring, lat, lon) <= NEAR_METRES for ring in outline
    )


def _in_ring(ring: list, lat: float, lon: float) -> bool:
    """Ray casting: a ray east from the point crosses the ring's edges an odd
    number of times from inside."""
    inside = False
    for (lat1, lon1), (lat2, lon2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def _metres_to_ring(ring: list, lat: float, lon: float) -> float:
    """The shortest distance from the point to the ring's edges, on a plane
    (at Odense's latitude a degree east is shorter than a degree north)."""
    scale = math.cos(math.radians(lat))

    def plane(point_lat: float, point_lon: float) -> tuple[float, float]:
        return (point_lon - lon) * scale, point_lat - lat

    shortest = math.inf
    for first, second in zip(ring, ring[1:] + ring[:1], strict=True):
        (x1, y1), (x2, y2) = plane(*first), plane(*second)
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / length))
        shortest = min(shortest, math.hypot(x1 + t * dx, y1 + t * dy))
    return shortest * METRES_PER_DEGREE
