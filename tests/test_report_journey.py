"""A coordinator follows the figures of a quarter on the dashboard, asks for the
municipality's PDF report, watches it being built without reloading the page and
downloads it; a partner on a phone sees the dashboard of their own area only (in
a real browser, Debian's Chromium, with the real Celery worker building the PDF).
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import Activity
from reports.models import ReportRun
from reports.tests.conftest import record

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def records(staff):
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    record(jobs, "rising", datetime.date(2025, 2, 10), 12, by=staff)
    record(jobs, "vollsmose", datetime.date(2025, 3, 3), 9, by=staff)
    record(jobs, "rising", datetime.date(2024, 11, 4), 5, by=staff)


def test_a_coordinator_asks_for_a_report_and_downloads_it_when_it_is_built(
    page, live_server, login, coordinator, records, celery_worker, artefacts
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    login(coordinator)

    page.get_by_test_id("nav").get_by_role("link", name="Tal og rapporter").click()
    # The period and areas chosen are a line; the filter opens from it.
    page.get_by_text("Vælg en anden periode eller andre områder").click()
    form = page.get_by_test_id("dashboard-form")
    form.get_by_label("Periode").select_option(label="Kvartal")
    form.get_by_label("År", exact=True).select_option("2025")
    form.get_by_label("Kvartal", exact=True).select_option(label="1. kvartal")
    form.get_by_role("button", name="Vis tallene").click()
    expect(page.get_by_test_id("period")).to_have_text(
        "1. kvartal 2025 mod 4. kvartal 2024"
    )
    expect(
        page.get_by_test_id("key-cards").locator(
            "li", has_text="Deltagere i aktiviteter"
        )
    ).to_contain_text("21")
    page.get_by_test_id("details-key_figures").locator("summary").click()
    key = page.get_by_test_id("table-key_figures")
    expect(key.get_by_role("row", name="Deltagere i aktiviteter")).to_contain_text("21")
    page.screenshot(path=artefacts / "dashboard.png", full_page=True)

    page.get_by_role("link", name="PDF-statusrapporter").click()
    request = page.get_by_test_id("report-request-form")
    request.get_by_label("Statusrapport til Odense Kommune").check()
    request.get_by_label("År", exact=True).select_option("2025")
    request.get_by_role("button", name="Bestil rapporten").click()

    expect(page.get_by_text("Rapporten er bestilt og bygges nu.")).to_be_visible()
    # The page asks for the status every two seconds until the worker is done.
    status = page.get_by_test_id("run-status-box")
    expect(status.get_by_test_id("run-status")).to_have_text("Klar", timeout=30_000)
    with page.expect_download() as download:
        status.get_by_test_id("download").click()
    path = download.value.path()
    assert open(path, "rb").read(5) == b"%PDF-"
    assert download.value.suggested_filename == (
        "statusrapport-odense-kommune-2025-01-01-2025-12-31.pdf"
    )
    run = ReportRun.objects.get()
    assert (run.status, run.attempts, run.requested_by) == ("ready", 1, coordinator)
    assert [text for text in console if "Content Security Policy" in text] == []


def test_a_partner_on_a_phone_sees_the_figures_of_their_own_area(
    page, live_server, login, partner, records
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 375, "height": 812})
    login(partner)

    page.goto(live_server.url + reverse("reports:dashboard") + "?year=2025")
    expect(page.get_by_test_id("chosen-areas")).to_have_text("Områder: Rising")
    activities = page.get_by_test_id("table-activity_areas")
    expect(activities.locator("tbody tr")).to_have_count(1)
    expect(activities.locator("tbody tr")).to_contain_text("12")
    assert "Vollsmose" not in page.locator("main").inner_text()
    assert page.get_by_role("link", name="PDF-statusrapporter").count() == 0
    assert [text for text in console if "Content Security Policy" in text] == []
