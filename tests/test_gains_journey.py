"""Gevinster as people meet them, in Chromium with the real worker: the staff's
records of a year are there; the coordinator keeps a unit value in the admin
(typed wrong first, then right); a partner on a phone sees the gains of their own
area with the notes on how they are counted; the coordinator asks for the
municipality's report, and the PDF the worker builds prints the same gains."""

import datetime
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import Activity
from reports.models import UnitValue
from reports.tests.conftest import record
from reports.tests.test_pdf import has_line
from tests.pages import fits_a_phone
from tests.test_accessibility import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def records(staff):
    """Three young people into a spare-time job in Rising, two in Vollsmose."""
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    got_job = jobs.indicators.get(name="Unge der har fået et fritidsjob")
    record(
        jobs, "rising", datetime.date(2025, 3, 10), 12, by=staff, values={got_job: 3}
    )
    record(
        jobs, "vollsmose", datetime.date(2025, 6, 2), 8, by=staff, values={got_job: 2}
    )


def test_a_unit_value_kept_by_the_coordinator_reaches_the_partner_and_the_pdf(
    page, live_server, login, coordinator, partner, records, celery_worker, artefacts
):
    login(coordinator)
    # The admin's fields are found by their ids: its labels end in a colon.
    page.goto(live_server.url + reverse("admin:reports_unitvalue_add"))
    page.locator("#id_name").fill("Ung i fritidsjob")
    page.locator("#id_basis").select_option(
        label="Det opnåede på en eller flere indikatorer"
    )
    page.locator("#id_indicators_from").select_option(
        label="Fritidsjobrådgivning: Unge der har fået et fritidsjob"
    )
    page.locator("#id_indicators_add").click()
    page.locator("#id_low").fill("30000")
    page.locator("#id_high").fill("20000")  # the wrong way round
    page.locator("#id_price_year").fill("2024")
    page.locator("#id_source_title").fill("Unge i job")
    page.locator("#id_source_publisher").fill("Et analyseinstitut")
    page.locator("#id_source_year").fill("2024")
    page.locator("#id_source_page").fill("14")
    page.locator("input[name=_save]").click()

    expect(
        page.get_by_text("Det høje skøn skal være mindst lige så stort som det lave.")
    ).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("Ung i fritidsjob")
    assert not UnitValue.objects.filter(name="Ung i fritidsjob").exists()
    page.locator("#id_high").fill("45000")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Ung i fritidsjob")
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    assert value.versions.count() == 1
    # On second thought the high estimate is 50,000: a new version, the first kept.
    page.locator("#result_list").get_by_role("link", name="Ung i fritidsjob").click()
    page.locator("#id_high").fill("50000")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Ung i fritidsjob")
    assert list(value.versions.values_list("revision", "high")) == [
        (2, 50_000),
        (1, 45_000),
    ]

    # A partner of Rising, on a phone: the gains of Rising only.
    page.set_viewport_size({"width": 375, "height": 812})
    login(partner)
    page.goto(live_server.url + reverse("reports:dashboard") + "?year=2025")
    gains = page.get_by_test_id("table-gains")
    page.get_by_test_id("details-gains").locator("summary").click()
    expect(
        gains.get_by_role("row", name="Ung i fritidsjob").locator("td")
    ).to_have_text(["3", "90.000", "150.000"])
    expect(page.get_by_test_id("chart-gains")).to_be_visible()
    page.get_by_test_id("details-gains-notes").locator("summary").click()
    expect(page.get_by_test_id("gains-notes")).to_contain_text(
        "ikke effekter målt mod en sammenligningsgruppe"
    )
    fits_a_phone(page)
    assert serious_violations(page) == []
    page.screenshot(path=artefacts / "gains-partner.png", full_page=True)

    # The coordinator's report for both areas, built by the worker.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(coordinator)
    page.goto(live_server.url + reverse("reports:run_list"))
    request = page.get_by_test_id("report-request-form")
    request.get_by_label("Statusrapport til Odense Kommune").check()
    request.get_by_label("År", exact=True).select_option("2025")
    request.get_by_role("button", name="Bestil rapporten").click()
    status = page.get_by_test_id("run-status-box")
    expect(status.get_by_test_id("run-status")).to_have_text("Klar", timeout=30_000)
    with page.expect_download() as download:
        status.get_by_test_id("download").click()
    text = subprocess.run(
        ["pdftotext", "-layout", download.value.path(), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert has_line(text, ["Ung i fritidsjob", "5", "150.000", "250.000"])
