"""The dashboard reads at a glance: its first screen is the key figures with their
change under one line of period and areas; each section is a chart and its
figures in a line, its whole table one click away. On a phone and a laptop."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from boligsocial.management.commands.demo_data import DEMO_PASSWORD
from boligsocial.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_partner_sees_their_areas_at_a_glance_on_a_phone_and_a_laptop(
    page, live_server, login
):
    call_command("demo_data", verbosity=0)
    login(User.objects.get(username="partner-politi"), password=DEMO_PASSWORD)
    for width, height in ((375, 812), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + "/reports/")
        at_a_glance(page, width)


def at_a_glance(page, width: int) -> None:

    chosen = page.get_by_test_id("chosen")
    expect(chosen).to_contain_text("Rising")
    expect(chosen).to_be_in_viewport()
    cards = page.get_by_test_id("key-cards").locator("li")
    first_screen = 4 if width < 768 else cards.count()
    for n in range(first_screen):
        expect(cards.nth(n)).to_be_in_viewport(ratio=1)
    expect(cards.first).to_contain_text("mod perioden før")

    # The filter opens from the line; the tables open one at a time.
    form = page.get_by_test_id("dashboard-form")
    expect(form).to_be_hidden()
    page.get_by_text("Vælg en anden periode eller andre områder").click()
    expect(form).to_be_visible()
    walks = page.get_by_test_id("table-walks")
    expect(walks).to_be_hidden()
    expect(page.get_by_test_id("headline-walks")).to_be_visible()
    page.get_by_test_id("contents").get_by_role("link", name="Tryghed").click()
    expect(page.locator("#tryghed")).to_be_in_viewport()
    page.get_by_test_id("details-walks").locator("summary").click()
    expect(walks).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Not a report of 9,000 px: the sections folded to their charts and lines
    # (some 4,500 px on a phone with six sections; 5,000 with the gains too).
    assert page.evaluate("document.documentElement.scrollHeight") < 5000
