"""The report order form on a phone shows the chosen report's fields alone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_each_report_shows_its_own_fields_and_the_period_its_own(
    page, live_server, login, coordinator
):
    page.set_viewport_size({"width": 375, "height": 812})
    login(coordinator)
    page.goto(live_server.url + reverse("reports:run_list"))
    plan = page.locator("#id_plan_period")
    areas = page.get_by_test_id("when-municipality").last
    year = page.locator("#id_year")
    quarter = page.locator("#id_quarter")
    start = page.locator("#id_start")
    expect(plan).to_be_hidden()
    expect(areas).to_be_hidden()

    page.get_by_label("Statusrapport til Landsbyggefonden").check()
    expect(plan).to_be_visible()
    expect(year).to_be_visible()
    expect(areas).to_be_hidden()

    page.get_by_label("Statusrapport til Odense Kommune").check()
    expect(plan).to_be_hidden()
    expect(areas).to_be_visible()
    expect(year).to_be_visible()
    expect(quarter).to_be_hidden()
    page.get_by_label("Periode").select_option("quarter")
    expect(quarter).to_be_visible()
    page.get_by_label("Periode").select_option("custom")
    expect(quarter).to_be_hidden()
    expect(year).to_be_hidden()
    expect(start).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
