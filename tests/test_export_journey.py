"""Police take their findings into Excel, in Chromium on a phone: the Fyns Politi
partner filters the findings list to the open ones, downloads Excel and finds in
the file exactly their organisation's open findings (never SSP's); then, with the
background threshold low, the same export becomes a job whose page shows the file
ready, the bell says so, and the download holds the same rows."""

import datetime
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from boligsocial.celery import app
from boligsocial.models import Area, ExportJob, Organisation
from safety.models import Finding, FindingCategory, Walk
from tests.pages import fits_a_phone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def rows_of(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


@pytest.fixture
def eager_tasks():
    """The background export is written in the request's process, at once."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_police_partner_exports_its_filtered_findings_to_excel(
    page, live_server, login, partner, staff, settings, tmp_path, eager_tasks
):
    page.set_viewport_size({"width": 375, "height": 812})
    settings.MEDIA_ROOT = tmp_path / "media"
    rising = Area.objects.get(slug="rising")
    police = Organisation.objects.get(name="Fyns Politi")
    ssp = Organisation.objects.get(name="SSP Odense")
    walk = Walk.objects.create(
        area=rising, starts_at=timezone.now(), status=Walk.Status.HELD, created_by=staff
    )
    category = FindingCategory.objects.get(name="Hærværk")

    def finding(place, responsible, **fields) -> Finding:
        return Finding.objects.create(
            walk=walk,
            area=rising,
            category=category,
            description="Knust rude",
            place=place,
            responsible=responsible,
            due_date=timezone.localdate() + datetime.timedelta(days=7),
            **fields,
        )

    open_one = finding("Opgang 12", police, status=Finding.Status.SENT)
    finding(
        "Stien",
        police,
        status=Finding.Status.FIXED,
        fixed_at=timezone.now(),
    )
    finding("Legepladsen", ssp, status=Finding.Status.SENT)

    login(partner)
    page.goto(live_server.url + reverse("safety:finding_map"))
    fits_a_phone(page)
    page.get_by_label("Status").select_option("open")
    with page.expect_navigation():
        page.get_by_test_id("finding-filter").get_by_role("button", name="Vis").click()
    expect(page.get_by_test_id("finding-list")).to_contain_text("Opgang 12")
    expect(page.get_by_test_id("finding-list")).not_to_contain_text("Stien")

    with page.expect_download() as download:
        page.get_by_test_id("export-links").get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename.startswith("fund-")
    saved = tmp_path / "fund.xlsx"
    download.value.save_as(saved)
    rows = rows_of(saved)
    assert [(row[0], row[4], row[7]) for row in rows] == [
        (open_one.pk, "Opgang 12", "Fyns Politi")
    ]

    # More rows than the threshold: the export is written in the background.
    settings.EXPORT_BACKGROUND_ROWS = 0
    page.get_by_test_id("export-links").get_by_role("link", name="Excel").click()
    expect(page.get_by_test_id("export-status")).to_have_text("Klar")
    fits_a_phone(page)
    job = ExportJob.objects.get()
    assert job.requested_by == partner and job.query.startswith("status=open&")
    expect(page.get_by_test_id("bell")).to_contain_text("1")
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    saved = tmp_path / "fund-job.xlsx"
    download.value.save_as(saved)
    assert [row[0] for row in rows_of(saved)] == [open_one.pk]
