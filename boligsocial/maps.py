"""What every map in the portal draws beneath its own marks (static/js/base_map.js):
tiles when a tile server is configured, and always the outlines of the areas the
person may see, with their departments, so a map without tiles still orients."""

from django.conf import settings
from django.db.models import Prefetch

from .models import Area, HousingDepartment


def map_base(user, *, area_id: int | None = None) -> dict:
    """The page's `map_base`, rendered by templates/_partials/map_base.html. Two
    queries: the areas and their departments. A page about one area (a finding,
    a walk) sends only that area's outlines: a phone in the field loads less.
    `user` None: a residents' page, which shows its own area (`area_id`) only."""
    departments = HousingDepartment.objects.exclude(outline=[]).only(
        "area_id", "number", "name", "outline"
    )
    if user is None and area_id is None:
        raise ValueError("A residents' map shows its own area only.")
    areas = Area.objects.all() if user is None else Area.objects.visible_to(user)
    if area_id is not None:
        areas = areas.filter(pk=area_id)
    areas = areas.only("name", "outline", "outline_is_approximate").prefetch_related(
        Prefetch("departments", queryset=departments)
    )
    shapes = [
        {
            "name": area.name,
            "outline": area.outline,
            "approximate": area.outline_is_approximate,
            "departments": [
                {"name": f"{d.number} {d.name}", "outline": d.outline}
                for d in area.departments.all()
            ],
        }
        for area in areas
    ]
    return {
        "tiles": {
            "url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        "areas": shapes,
        # What the legend under the map names (templates/_partials/map_legend.html).
        "approximate": any(a["approximate"] and a["outline"] for a in shapes),
        "departments": any(a["departments"] for a in shapes),
    }
