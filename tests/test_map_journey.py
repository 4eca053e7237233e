"""The findings map orients: its points take their status's colour from the legend
under it, and a finding's page names its place, the coordinates only on demand."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from boligsocial.models import Area, Organisation
from safety.models import Finding, FindingCategory, Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_points_wear_their_legends_colours_and_a_place_is_named(
    page, live_server, login, staff
):
    rising = Area.objects.get(slug="rising")
    walk = Walk.objects.create(area=rising, starts_at=timezone.now(), created_by=staff)
    police = Organisation.objects.get(name="Fyns Politi")
    for place, status, lat in (
        ("Cykelskuret", "new", 55.392),
        ("Stien", "fixed", 55.394),
    ):
        Finding.objects.create(
            walk=walk,
            area=rising,
            category=FindingCategory.objects.get(name="Hærværk"),
            description="…",
            place=place,
            latitude=lat,
            longitude=10.411,
            responsible=police,
            status=status,
            fixed_at=timezone.now() if status == "fixed" else None,
            created_by=staff,
        )
    page.set_viewport_size({"width": 375, "height": 812})
    login(staff)
    page.goto(live_server.url + reverse("safety:finding_map"))

    legend = page.get_by_test_id("map-legend")
    expect(legend).to_contain_text("Ny")
    expect(legend).to_contain_text("Udbedret")
    expect(legend).to_contain_text("Over fristen")
    expect(page.locator("#finding-map path.leaflet-interactive")).to_have_count(2)
    drawn = set(
        page.eval_on_selector_all(
            "#finding-map path.leaflet-interactive",
            "paths => paths.map(path => getComputedStyle(path).fill)",
        )
    )
    badges = {
        page.eval_on_selector(
            f'[data-testid=map-legend] [data-status="{status}"]',
            "badge => getComputedStyle(badge).backgroundColor",
        )
        for status in ("new", "fixed")
    }
    assert drawn == badges
    assert len(badges) == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("link", name="Hærværk: Stien").click()
    details = page.get_by_test_id("finding")
    expect(details).to_contain_text("Stien")
    coordinates = page.get_by_test_id("coordinates")
    expect(coordinates).not_to_contain_text("55.394", use_inner_text=True)
    coordinates.locator("summary").click()
    expect(coordinates).to_contain_text("55.394")


ROUTE_PINK = "rgb(214, 51, 132)"


def strokes(page, map_id: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#{map_id} path",
        "paths => paths.map(path => getComputedStyle(path).stroke)",
    )


def test_a_route_drawn_on_a_phone_shows_on_the_walk_and_on_the_findings_map(
    page, live_server, login, staff, partner
):
    page.set_viewport_size({"width": 375, "height": 812})
    login(staff)
    page.goto(live_server.url + reverse("safety:walk_create"))
    page.get_by_label("Område").select_option(label="Rising")
    page.get_by_label("Tidspunkt").fill("2026-01-15T17:00")
    page.get_by_label("Status").select_option("held")

    # Without a tile server the map still orients: Rising's outline (the default,
    # approximate, so dashed) with its name on it.
    route_map = page.locator("#route-map")
    expect(route_map.locator(".map-label", has_text="Rising")).to_be_visible()
    assert "rgb(111, 66, 193)" in strokes(page, "route-map")
    expect(page.get_by_test_id("legend-approximate")).to_be_visible()

    # A route pasted as GeoJSON is the server's to read: a tap leaves it alone.
    box = page.get_by_label("Ruten på kortet")
    pasted = '{"type": "LineString", "coordinates": [[10.41, 55.41], [10.412, 55.411]]}'
    box.fill(pasted)
    route_map.scroll_into_view_if_needed()
    route_map.click(position={"x": 60, "y": 60})
    expect(box).to_have_value(pasted)
    expect(page.locator("#route-status")).to_contain_text("Kortet kan ikke tegne ruten")
    page.get_by_role("button", name="Ryd ruten").click()
    expect(box).to_have_value("")

    route_map.click(position={"x": 60, "y": 60})
    expect(page.locator("#route-status")).to_have_text("Ruten har nu ét punkt.")
    for x, y in ((160, 120), (260, 80)):
        route_map.click(position={"x": x, "y": y})
    expect(box).to_have_value(
        re.compile(r"^(55\.\d{6}, 10\.\d{6}\n){2}55\.\d{6}, 10\.\d{6}$")
    )
    expect(page.locator("#route-status")).to_have_text("Ruten har nu 3 punkter.")
    page.get_by_role("button", name="Fjern sidste punkt").click()
    expect(box).to_have_value(
        re.compile(r"^55\.\d{6}, 10\.\d{6}\n55\.\d{6}, 10\.\d{6}$")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Gem vandringen").click()

    expect(page.get_by_test_id("walk-map")).to_be_visible()
    walk = Walk.objects.get()
    assert len(walk.route_line) == 2
    expect(page.get_by_test_id("legend-route")).to_be_visible()
    expect(page.locator("#finding-map path.leaflet-interactive")).to_have_count(1)
    assert ROUTE_PINK in strokes(page, "finding-map")

    # The police, granted Rising, see the route beside the findings, and it leads
    # to the walk.
    page.context.clear_cookies()
    login(partner)
    page.goto(live_server.url + reverse("safety:finding_map"))
    expect(page.get_by_test_id("legend-route")).to_be_visible()
    route = page.locator("#finding-map path.leaflet-interactive")
    expect(route).to_have_count(1)
    route.dispatch_event("click")
    expect(page).to_have_url(live_server.url + walk.get_absolute_url())


def test_the_phones_position_places_a_finding_and_extends_a_route(
    page, live_server, login, staff
):
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 55.4102, "longitude": 10.4111})
    page.set_viewport_size({"width": 375, "height": 812})
    login(staff)
    page.goto(live_server.url + reverse("safety:walk_create"))
    page.get_by_label("Område").select_option(label="Rising")
    page.get_by_role("button", name="Tilføj min position").click()
    expect(page.get_by_label("Ruten på kortet")).to_have_value("55.410200, 10.411100")
    expect(page.locator("#route-status")).to_have_text("Ruten har nu ét punkt.")

    rising = Area.objects.get(slug="rising")
    walk = Walk.objects.create(area=rising, starts_at=timezone.now(), created_by=staff)
    page.goto(live_server.url + reverse("safety:finding_create", args=[walk.pk]))
    page.get_by_role("button", name="Brug min position").click()
    expect(page.get_by_label("Breddegrad")).to_have_value("55.410200")
    expect(page.get_by_label("Længdegrad")).to_have_value("10.411100")
