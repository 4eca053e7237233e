"""The findings map: who sees which findings (in the list and in the map's data),
the filter, the tiles setting and its CSP, and what the page costs."""

import datetime
import json
import re
import subprocess
import sys

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area, Organisation
from safety.conftest import TODAY
from safety.models import Finding, FindingCategory, Walk
from safety.walks.map_views import ROUTE_LIMIT
from tests.test_deployment import ROOT, clean_environment

pytestmark = pytest.mark.usefixtures("frozen_today")

MAP = reverse("safety:finding_map")
NOW = timezone.make_aware(datetime.datetime(2026, 5, 4, 9, 0))
TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"


def make_finding(
    place: str,
    *,
    area: str = "rising",
    category: str = "Hærværk",
    responsible: str = "Fyns Politi",
    point: tuple[str, str] | None = ("55.398100", "10.384600"),
    **fields,
) -> Finding:
    latitude, longitude = point or (None, None)
    values = {
        "area": Area.objects.get(slug=area),
        "category": FindingCategory.objects.get(name=category),
        "description": "Beskrivelsen vises aldrig på kortet",
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "responsible": Organisation.objects.get(name=responsible),
        "found_at": NOW,
    }
    values.update(fields)
    return Finding.objects.create(**values)


@pytest.fixture
def findings(db) -> dict[str, Finding]:
    """Police: a new one in Rising (overdue), a fixed one in Korsløkkeparken from
    March, one without a place; SSP: street lighting in Rising."""
    return {
        "bench": make_finding(
            "Bænken ved søen", due_date=TODAY - datetime.timedelta(days=1)
        ),
        "tunnel": make_finding(
            "Tunnellen under vejen",
            area="korslokkeparken",
            status=Finding.Status.FIXED,
            found_at=NOW - datetime.timedelta(days=60),
            fixed_at=NOW - datetime.timedelta(days=50),
        ),
        "stairs": make_finding("Trappen i opgang 3", point=None),
        "lamp": make_finding(
            "Lygtepælen ved stien", category="Belysning", responsible="SSP Odense"
        ),
    }


def embedded(response, script_id: str):
    """What the page embeds for the map scripts (json_script), as the browser
    reads it."""
    match = re.search(
        rf'<script id="{script_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    return json.loads(match.group(1))


def map_points(response) -> list[dict]:
    return embedded(response, "finding-points")


def img_src(policy: str) -> str:
    """The img-src directive of a Content-Security-Policy (in any order)."""
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip()
    )
    return directives["img-src"]


def listed(response) -> set[str]:
    return {finding.place for finding in response.context["page"]}


def mapped(response) -> set[str]:
    return {point["place"] for point in map_points(response)}


# --- Who sees what --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "coordinator"])
def test_keepers_see_every_finding_in_the_list_and_on_the_map(
    client, personas, findings, role
):
    client.force_login(personas[role])
    response = client.get(MAP)
    assert response.status_code == 200
    everything = {finding.place for finding in findings.values()}
    assert listed(response) == everything
    assert mapped(response) == everything - {"Trappen i opgang 3"}


def test_a_partner_sees_only_the_findings_routed_to_its_organisation_wherever(
    client, partner, findings
):
    client.force_login(partner)
    response = client.get(MAP)
    assert response.status_code == 200
    # Korsløkkeparken is not among the partner's areas, but its finding there is
    # the police's; SSP's lamp in Rising is not.
    assert listed(response) == {
        "Bænken ved søen",
        "Trappen i opgang 3",
        "Tunnellen under vejen",
    }
    assert mapped(response) == {"Bænken ved søen", "Tunnellen under vejen"}
    assert "Lygtepælen" not in response.content.decode()


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_other_roles_are_refused(client, personas, findings, role):
    client.force_login(personas[role])
    assert client.get(MAP).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, findings):
    response = client.get(MAP)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_map_is_only_read(client, staff):
    client.force_login(staff)
    assert client.post(MAP).status_code == 405


# --- The map's data and the list ------------------------------------------------------


def test_each_point_has_what_the_script_draws_and_never_the_description(
    client, staff, findings
):
    client.force_login(staff)
    response = client.get(MAP)
    bench = next(p for p in map_points(response) if p["place"] == "Bænken ved søen")
    assert bench == {
        "id": findings["bench"].pk,
        "lat": 55.3981,
        "lon": 10.3846,
        "category": "Hærværk",
        "place": "Bænken ved søen",
        "status": "new",
        "status_label": "Ny",
        "overdue": True,
        "url": reverse("safety:finding_detail", args=[findings["bench"].pk]),
    }
    assert "Beskrivelsen" not in response.content.decode()


def test_the_list_marks_overdue_findings_and_those_without_a_place(
    client, staff, findings
):
    client.force_login(staff)
    html = client.get(MAP).content.decode()
    assert html.count('data-testid="overdue"') == 1
    assert "uden placering" in html
    assert findings["bench"].get_absolute_url() in html


def test_a_place_cannot_break_out_of_the_embedded_data(client, staff):
    make_finding("</script><script>alert(1)</script>")
    client.force_login(staff)
    response = client.get(MAP)
    assert "<script>alert(1)" not in response.content.decode()
    assert mapped(response) == {"</script><script>alert(1)</script>"}


def test_the_list_is_paged_while_the_map_shows_every_finding(client, staff):
    for n in range(30):
        make_finding(f"Sted {n}")
    client.force_login(staff)
    response = client.get(MAP)
    assert len(listed(response)) == 25
    assert len(map_points(response)) == 30
    assert len(listed(client.get(MAP, {"page": 2}))) == 5


# --- The filter -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "fixed"}, {"Tunnellen under vejen"}),
        (
            {"status": "open"},
            {"Bænken ved søen", "Trappen i opgang 3", "Lygtepælen ved stien"},
        ),
        ({"area": "korslokkeparken"}, {"Tunnellen under vejen"}),
        ({"found_to": "2026-04-01"}, {"Tunnellen under vejen"}),
        (
            {"found_from": "2026-05-04", "found_to": "2026-05-04"},
            {"Bænken ved søen", "Trappen i opgang 3", "Lygtepælen ved stien"},
        ),
    ],
)
def test_the_filter_narrows_list_and_map_alike(
    client, coordinator, findings, query, expected
):
    if "area" in query:
        query = {"area": Area.objects.get(slug=query["area"]).pk}
    client.force_login(coordinator)
    response = client.get(MAP, query)
    assert listed(response) == expected
    assert mapped(response) == expected - {"Trappen i opgang 3"}


def test_the_filter_by_category(client, coordinator, findings):
    client.force_login(coordinator)
    lighting = FindingCategory.objects.get(name="Belysning")
    response = client.get(MAP, {"category": lighting.pk})
    assert listed(response) == mapped(response) == {"Lygtepælen ved stien"}


def test_bad_filter_values_are_shown_as_errors_and_filter_nothing(
    client, coordinator, findings
):
    client.force_login(coordinator)
    response = client.get(
        MAP,
        {
            "status": "burnt",
            "category": "x",
            "area": "999999",
            "found_from": "yesterday",
            "page": "last-but-one",
        },
    )
    assert response.status_code == 200
    assert len(listed(response)) == 4
    assert set(response.context["filter"].errors) == {
        "status",
        "category",
        "area",
        "found_from",
    }


# --- The base and the routes ----------------------------------------------------------


def make_walk(area: str, day: datetime.date, line: list) -> Walk:
    return Walk.objects.create(
        area=Area.objects.get(slug=area),
        starts_at=timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(17))
        ),
        status=Walk.Status.HELD,
        route_line=line,
    )


LINE = [[55.408, 10.407], [55.409, 10.409]]


def test_the_map_draws_every_areas_outline_and_its_departments_for_keepers(
    client, staff, departments
):
    vollsmose = Area.objects.get(slug="vollsmose")
    department = vollsmose.departments.first()
    department.outline = [[[55.404, 10.443], [55.405, 10.444], [55.406, 10.443]]]
    department.save()
    client.force_login(staff)
    base = embedded(client.get(MAP), "map-base")
    areas = {area["name"]: area for area in base["areas"]}
    assert len(areas) == 8
    assert all(area["approximate"] and area["outline"] for area in areas.values())
    assert areas["Vollsmose"]["departments"] == [
        {
            "name": f"{department.number} {department.name}",
            "outline": department.outline,
        }
    ]
    # A department without an outline is not sent.
    assert areas["Rising"]["departments"] == []
    assert base["approximate"] and base["departments"]


def test_a_partner_gets_the_outlines_of_its_own_areas_only(client, partner):
    client.force_login(partner)
    response = client.get(MAP)
    assert [area["name"] for area in embedded(response, "map-base")["areas"]] == [
        "Rising"
    ]


def test_a_real_outline_is_not_called_approximate(client, staff):
    Area.objects.update(outline_is_approximate=False)
    client.force_login(staff)
    response = client.get(MAP)
    assert not embedded(response, "map-base")["approximate"]
    assert 'data-testid="legend-approximate"' not in response.content.decode()


def test_the_routes_of_the_walks_in_the_filters_area_and_period_are_drawn(
    client, staff
):
    rising_may = make_walk("rising", datetime.date(2026, 5, 2), LINE)
    rising_march = make_walk("rising", datetime.date(2026, 3, 2), LINE)
    vollsmose = make_walk("vollsmose", datetime.date(2026, 5, 1), LINE)
    make_walk("rising", datetime.date(2026, 5, 3), [])  # no route drawn
    client.force_login(staff)

    def routes(**query) -> list[str]:
        response = client.get(MAP, query)
        return [route["url"] for route in embedded(response, "walk-routes")]

    assert routes() == [
        rising_may.get_absolute_url(),
        vollsmose.get_absolute_url(),
        rising_march.get_absolute_url(),
    ]
    rising = Area.objects.get(slug="rising").pk
    assert routes(area=rising, found_from="2026-04-01") == [
        rising_may.get_absolute_url()
    ]
    assert routes(found_to="2026-04-01") == [rising_march.get_absolute_url()]
    # A date the filter refuses is left out here too.
    assert len(routes(found_from="2026-13-01")) == 3
    response = client.get(MAP)
    assert embedded(response, "walk-routes")[0] == {
        "line": LINE,
        "label": str(rising_may),
        "url": rising_may.get_absolute_url(),
    }
    assert 'data-testid="legend-route"' in response.content.decode()


def test_a_partner_sees_the_routes_of_walks_in_its_areas_only(client, partner):
    rising = make_walk("rising", datetime.date(2026, 5, 2), LINE)
    make_walk("vollsmose", datetime.date(2026, 5, 1), LINE)
    client.force_login(partner)
    routes = embedded(client.get(MAP), "walk-routes")
    assert [route["url"] for route in routes] == [rising.get_absolute_url()]


def test_only_the_newest_walks_routes_are_drawn(client, staff):
    for n in range(ROUTE_LIMIT + 2):
        make_walk(
            "rising", datetime.date(2026, 1, 1) + datetime.timedelta(days=n), LINE
        )
    client.force_login(staff)
    routes = embedded(client.get(MAP), "walk-routes")
    assert len(routes) == ROUTE_LIMIT
    # 52 walks from New Year's Day: the newest on 21 February, the oldest drawn
    # on 3 January.
    assert routes[0]["label"].endswith("21.02.2026")
    assert routes[-1]["label"].endswith("03.01.2026")


# --- Tiles, Leaflet and the CSP -------------------------------------------------------


def test_without_a_tile_server_the_page_names_none(client, staff, findings, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(staff)
    response = client.get(MAP)
    assert embedded(response, "map-base")["tiles"]["url"] == ""
    assert "{z}" not in response.content.decode()
    assert img_src(response["Content-Security-Policy"]) == "'self' data:"


def test_a_tile_server_is_handed_to_the_script(client, staff, settings):
    settings.MAP_TILE_URL = TILES
    settings.MAP_TILE_ATTRIBUTION = "&copy; Eksempel"
    client.force_login(staff)
    tiles = embedded(client.get(MAP), "map-base")["tiles"]
    assert tiles == {"url": TILES, "attribution": "&copy; Eksempel"}


# The policy a page is sent with, from settings read afresh from the environment.
CSP_PROBE = """
import sys
import django
django.setup()
from django.test import Client
print(Client().get(sys.argv[1])["Content-Security-Policy"])
"""


def policy(tmp_path, **values: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", CSP_PROBE, reverse("login")],
        cwd=ROOT,
        env=clean_environment(tmp_path, **values),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_tile_servers_origin_is_allowed_for_images_and_only_then(tmp_path):
    with_tiles = policy(tmp_path, MAP_TILE_URL=TILES)
    assert img_src(with_tiles) == "'self' data: https://*.tiles.example.org"
    assert img_src(policy(tmp_path)) == "'self' data:"


def test_a_malformed_tile_url_stops_the_portal_naming_the_setting(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean_environment(tmp_path, MAP_TILE_URL="tiles.example.org/{z}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "MAP_TILE_URL is malformed" in result.stderr


def test_leaflet_comes_with_the_code(client, staff):
    assert finders.find("vendor/leaflet/leaflet.js")
    assert finders.find("vendor/leaflet/leaflet.css")
    assert finders.find("js/finding_map.js")
    assert finders.find("js/finding_location.js")
    client.force_login(staff)
    html = client.get(MAP).content.decode()
    assert "vendor/leaflet/leaflet.js" in html
    assert "js/finding_map.js" in html


# --- Cost -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 40])
def test_the_page_costs_the_same_queries_for_few_and_many_findings(
    client, staff, django_assert_num_queries, count
):
    for n in range(count):
        make_finding(
            f"Sted {n}",
            area=["rising", "vollsmose"][n % 2],
            category=["Hærværk", "Belysning"][n % 2],
            point=None if n % 3 == 0 else ("55.398100", "10.384600"),
        )
    client.force_login(staff)
    # session, user, 3 for the session's renewal, count, page, map points, the
    # walks' routes, the filter's category and area choices, the base map's areas
    # and their departments.
    with django_assert_num_queries(14):
        client.get(MAP)
