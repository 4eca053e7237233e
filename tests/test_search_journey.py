"""The header's search in Chromium, on a phone and on a desktop: a coordinator
looking for "the finding at Rising's playground" types "legepladsen" in the
header and opens the finding from the results."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from boligsocial.models import Area, Organisation
from safety.models import Finding, FindingCategory, Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_coordinator_finds_the_finding_at_the_playground_from_the_header(
    page, live_server, login, coordinator, staff, width
):
    page.set_viewport_size({"width": width, "height": 800})
    rising = Area.objects.get(slug="rising")
    walk = Walk.objects.create(area=rising, starts_at=timezone.now(), created_by=staff)
    Finding.objects.create(
        walk=walk,
        area=rising,
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Gyngen er skåret over.",
        place="Legeplads ved Rising Allé",
        responsible=Organisation.objects.get(name="Fyns Politi"),
    )

    login(coordinator)
    page.goto(live_server.url + "/")
    if width < 768:  # on a phone the box is in the folded menu
        page.get_by_role("button", name="Vis menu").click()
    box = page.get_by_test_id("header-search").get_by_label("Søg")
    expect(box).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box.fill("legepladsen")
    with page.expect_navigation():
        box.press("Enter")

    results = page.get_by_test_id("search-findings")
    expect(results).to_contain_text("Rising")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    results.get_by_role("link", name="Hærværk: Legeplads ved Rising Allé").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hærværk: Legeplads ved Rising Allé"
    )
