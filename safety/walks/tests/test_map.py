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
from safety.models import Finding, FindingCategory
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


def map_points(response) -> list[dict]:
    """The points the page embeds for the map script, as the browser reads them."""
    match = re.search(
        r'<script id="finding-points" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    return json.loads(match.group(1))


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


# --- Tiles, Leaflet and the CSP -------------------------------------------------------


def test_without_a_tile_server_the_page_names_none(client, staff, findings, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(staff)
    response = client.get(MAP)
    assert 'data-tile-url=""' in response.content.decode()
    assert "{z}" not in response.content.decode()
    assert img_src(response["Content-Security-Policy"]) == "'self' data:"


def test_a_tile_server_is_handed_to_the_script(client, staff, settings):
    settings.MAP_TILE_URL = TILES
    settings.MAP_TILE_ATTRIBUTION = "&copy; Eksempel"
    client.force_login(staff)
    html = client.get(MAP).content.decode()
    assert f'data-tile-url="{TILES}"' in html
    assert 'data-tile-attribution="&amp;copy; Eksempel"' in html


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
    # filter's category and area choices.
    with django_assert_num_queries(11):
        client.get(MAP)
