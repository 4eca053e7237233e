"""Outlines and routes as people hand them over: typed points in either order and
with decimal commas, GeoJSON from a drawing site or the municipality's map data in
UTM zone 32; and the coordinator keeping an area's outline in the admin."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from boligsocial.models import Area, HousingDepartment, Organisation
from boligsocial.places import (
    MAX_POINTS,
    OutlineField,
    RouteField,
    validate_outline,
    validate_route,
)

# A small triangle in Vollsmose, in degrees and (the same corners) in UTM 32N.
TRIANGLE = [[55.4044, 10.4433], [55.405, 10.4445], [55.4056, 10.4433]]
TRIANGLE_UTM = [[590000, 6140000], [590100, 6140000], [590100, 6140100]]


def outline(text: str):
    return OutlineField().clean(text)


def route(text: str):
    return RouteField().clean(text)


def test_points_are_read_a_line_each_in_either_order_and_with_decimal_commas():
    typed = "55.4044, 10.4433\n55,4050 10,4445\n10.4433; 55.4056\n"
    assert outline(typed) == [TRIANGLE]


def test_a_blank_line_starts_another_part_of_an_outline():
    typed = "55.4044, 10.4433\n55.405, 10.4445\n55.4056, 10.4433\n\n\n" * 2
    assert outline(typed) == [TRIANGLE, TRIANGLE]


def test_an_empty_box_is_no_outline():
    assert outline("  \n ") == []
    assert route("") == []


def test_geojson_gives_longitude_first_and_its_closing_point_is_dropped():
    ring = [[lon, lat] for lat, lon in TRIANGLE] + [[10.4433, 55.4044]]
    feature = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"navn": "Vollsmose"},
                "geometry": {"type": "Polygon", "coordinates": [ring, ring]},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [10.4, 55.4]},
            },
        ],
    }
    # The hole (the polygon's second ring) and the point are left out.
    assert outline(json.dumps(feature)) == [TRIANGLE]


def test_a_multipolygon_gives_one_part_per_polygon():
    ring = [[lon, lat] for lat, lon in TRIANGLE]
    shape = {"type": "MultiPolygon", "coordinates": [[ring], [ring]]}
    assert outline(json.dumps(shape)) == [TRIANGLE, TRIANGLE]


def test_the_municipalitys_utm_coordinates_are_converted_to_degrees():
    ring = TRIANGLE_UTM + [TRIANGLE_UTM[0]]
    read = outline(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    assert read == [
        [[55.397994, 10.421094], [55.397975, 10.422672], [55.398874, 10.422705]]
    ]
    # Typed as northing, easting (the order of latitude, longitude), too.
    assert outline("6140000 590000\n6140000 590100\n6140100 590100") == read


def test_a_route_is_a_line_string_or_points_a_line():
    line = {
        "type": "LineString",
        "coordinates": [[10.4433, 55.4044], [10.4445, 55.405]],
    }
    assert route(json.dumps(line)) == TRIANGLE[:2]
    assert route("55.4044, 10.4433\n55.405, 10.4445") == TRIANGLE[:2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("55.4044, 10.4433\nhjørnet ved skolen", "Linje 2: skriv et punkt"),
        ("55.4044 10.4433 12", "Linje 1: skriv et punkt"),
        (
            "56.1, 10.2\n55.4, 10.4\n55.4, 10.41",
            "Linje 1: punktet 56.1, 10.2 ligger ikke i Odense.",
        ),
        (
            "55.4044, 10.4433\n55.405, 10.4445",
            "Del 1 af omridset har under tre punkter.",
        ),
        ('{"type": "Polygon", "coordinates": [[[10.4, 55.4], ', "kan ikke læses"),
        (
            '{"type": "LineString", "coordinates": [[10.4, 55.4], [10.41, 55.4]]}',
            "intet omrids",
        ),
        (
            '{"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4]]]}',
            "ikke er tal",
        ),
        ("55.4, 10.4\n" * (MAX_POINTS + 1), "Højst 2000 punkter."),
        # What a forged or broken paste holds: each refused, never a failure.
        (
            "1" * 400 + ", 10.4\n55.4, 10.4\n55.41, 10.4",
            "Linje 1: tallet er for stort.",
        ),
        (
            '{"type": "Polygon", "coordinates": [[[1' + "0" * 400 + ", 1]]]}",
            "ikke er tal",
        ),
        (
            '{"type": "Polygon", "coordinates": [[[true, false], [1, 2], [3, 4]]]}',
            "ikke er tal",
        ),
        (
            '{"type": "Polygon", "coordinates": [[[NaN, 55.4], [1, 2], [3, 4]]]}',
            "ikke er tal",
        ),
        ('{"type": "MultiPolygon", "coordinates": [5]}', "ikke er tal"),
        ('{"type": "MultiPolygon", "coordinates": [{"a": 1}]}', "ikke er tal"),
        ("[" * 1000, "kan ikke læses"),
        ('{"type": "Feature", "geometry": ' * 700 + "{}" + "}" * 700, "intet omrids"),
        ("5" * 200_001, "Teksten er for lang: højst 200.000 tegn."),
    ],
)
def test_an_outline_it_cannot_read_says_why(text, message):
    with pytest.raises(ValidationError) as refused:
        validate_outline(outline(text))
    assert message in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "LineString", "coordinates": []}',
        '{"type": "MultiLineString", "coordinates": [5, "x"]}',
        '{"type": "LineString", "coordinates": [[true, false], [10.4, 55.4]]}',
    ],
)
def test_a_route_that_reads_as_nothing_is_refused_not_erased(text):
    with pytest.raises(ValidationError, match="ikke er tal"):
        route(text)


def test_a_route_of_one_point_is_refused_by_the_model():
    with pytest.raises(ValidationError, match="mindst to punkter"):
        validate_route(route("55.4044, 10.4433"))


def test_the_box_shows_what_is_kept_a_point_a_line():
    shown = OutlineField().prepare_value([TRIANGLE, TRIANGLE])
    assert (
        shown.split("\n\n")[0]
        == "55.404400, 10.443300\n55.405000, 10.444500\n55.405600, 10.443300"
    )
    assert OutlineField().clean(shown) == [TRIANGLE, TRIANGLE]


# --- The admin ---------------------------------------------------------------------


def area_post(area: Area, **changes) -> dict:
    values = {
        "name": area.name,
        "slug": area.slug,
        "description": area.description,
        "aliases": area.aliases,
        "outline": OutlineField().prepare_value(area.outline),
    }
    if area.outline_is_approximate:
        values["outline_is_approximate"] = "on"
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_the_eight_areas_start_with_an_approximate_outline(db):
    areas = Area.objects.all()
    assert areas.count() == 8
    assert all(area.outline_is_approximate and len(area.outline) == 1 for area in areas)
    for area in areas:
        area.full_clean()


def test_a_coordinator_pastes_the_real_outline_and_it_is_no_longer_approximate(
    client, coordinator
):
    client.force_login(coordinator)
    area = Area.objects.get(slug="vollsmose")
    url = reverse("admin:boligsocial_area_change", args=[area.pk])
    form = client.get(url).content.decode()
    assert "55." in form  # the default outline, a point a line
    ring = [[e, n] for e, n in TRIANGLE_UTM]
    pasted = json.dumps(
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    )
    response = client.post(url, area_post(area, outline=pasted))
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.outline == [
        [[55.397994, 10.421094], [55.397975, 10.422672], [55.398874, 10.422705]]
    ]
    assert not area.outline_is_approximate


def test_saving_an_area_unchanged_keeps_its_outline_approximate(client, coordinator):
    client.force_login(coordinator)
    area = Area.objects.get(slug="rising")
    url = reverse("admin:boligsocial_area_change", args=[area.pk])
    response = client.post(url, area_post(area, description="Gadeplan"))
    assert response.status_code == 302
    kept = Area.objects.get(pk=area.pk)
    assert kept.outline == area.outline
    assert kept.outline_is_approximate


def test_an_outline_with_a_mistake_is_refused_by_line_and_kept_as_typed(
    client, coordinator
):
    client.force_login(coordinator)
    area = Area.objects.get(slug="rising")
    url = reverse("admin:boligsocial_area_change", args=[area.pk])
    typed = "55.4044, 10.4433\n55.405 10.4445\n55.4056, 1.4433"
    response = client.post(url, area_post(area, outline=typed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Linje 3: punktet 55.4056, 1.4433 ligger ikke i Odense." in html
    assert "55.405 10.4445" in html
    assert Area.objects.get(pk=area.pk).outline == area.outline


def test_a_department_gets_an_outline_in_the_admin(client, coordinator):
    client.force_login(coordinator)
    housing = Organisation.objects.create(name="Boligforeningen", kind="housing")
    response = client.post(
        reverse("admin:boligsocial_housingdepartment_add"),
        {
            "organisation": housing.pk,
            "area": Area.objects.get(slug="vollsmose").pk,
            "number": "7",
            "name": "Egeparken",
            "households": "120",
            "outline": "55.4044, 10.4433\n55.405, 10.4445\n55.4056, 10.4433",
        },
    )
    assert response.status_code == 302
    assert HousingDepartment.objects.get(number="7").outline == [TRIANGLE]
