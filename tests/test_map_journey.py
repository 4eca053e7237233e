"""The findings map orients: its points take their status's colour from the legend
under it, and a finding's page names its place, the coordinates only on demand."""

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
