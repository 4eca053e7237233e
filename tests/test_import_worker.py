"""A big sheet through the real worker (Redis, Celery, PostgreSQL): the upload
queues its check once the request commits, the worker checks it a thousand rows
at a time and tells the coordinator under the bell, the coordinator confirms,
and the worker imports every row or none; in the browser, the coordinator
follows it, leaves, and comes back."""

import datetime
import time
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import ActivityRecord
from boligsocial.models import ImportedSheet, ImportJob, Notification
from tests.worker import wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = 1500


def big_sheet(rows: int = ROWS) -> bytes:
    """A coordinator's own sheet: a title, their headers, dates typed with
    dashes over the last weeks, one row copied at the end."""
    today = timezone.localdate()
    book = openpyxl.Workbook(write_only=True)
    lines = book.create_sheet()
    lines.append(["Ungerådgivning, Rising"])
    lines.append(["Dag", "Fra", "Aktivitet", "Boligområde", "Antal deltagere"])
    written = []
    for n in range(rows - 1):
        day = today - datetime.timedelta(days=1 + n % 28)
        written.append(
            [
                f"{day:%d-%m-%Y}",
                f"{8 + n // 28 % 12}.{n // 336 % 60:02d}",
                "Ungerådgivning",
                "Rising",
                f"{n % 9 + 1},0",
            ]
        )
    for line in [*written, written[0]]:
        lines.append(line)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def job_page(job: ImportJob) -> str:
    return reverse("activities:record_import_job", args=[job.pk])


def told(user, kind: str, timeout: float = 10) -> Notification:
    """The person's notification of that kind, once there is one: the worker
    rings the bell just after it has marked the job (a loaded machine may show
    the status a moment before the bell)."""
    deadline = time.monotonic() + timeout
    while not (found := Notification.objects.filter(user=user, kind=kind).first()):
        assert time.monotonic() < deadline, f"{user} was not told ({kind})"
        time.sleep(0.05)
    return found


def test_the_worker_checks_and_imports_a_big_sheet_for_its_coordinator(
    celery_worker, client, coordinator, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 100
    client.force_login(coordinator)

    upload = client.post(
        reverse("activities:record_import"),
        {"file": SimpleUploadedFile("fremmøde.xlsx", big_sheet())},
    )

    job = ImportJob.objects.get()
    assert upload.url == job_page(job)
    job = wait_for(job, ImportJob.Status.CHECKED, ImportJob.Status.FAILED)
    assert (job.status, job.done, job.total) == (ImportJob.Status.CHECKED, ROWS, ROWS)
    assert (len(job.valid), job.duplicates) == (ROWS, [ROWS + 2])
    assert told(coordinator, Notification.Kind.IMPORT_CHECKED).url == job_page(job)
    preview = client.get(job_page(job)).content.decode()
    assert "1.500 rækker: 1.499 gyldige, 0 med fejl" in preview

    confirmed = client.post(
        reverse("activities:record_import_confirm"), {"token": job.token}
    )

    assert confirmed.url == job_page(job)
    job = wait_for(job, ImportJob.Status.IMPORTED, ImportJob.Status.FAILED)
    assert (job.status, job.imported) == (ImportJob.Status.IMPORTED, ROWS - 1)
    assert ActivityRecord.objects.count() == ROWS - 1
    assert ImportedSheet.objects.get().rows == ROWS - 1
    assert told(coordinator, Notification.Kind.IMPORT_FINISHED)


@pytest.mark.browser
def test_a_coordinator_follows_a_big_import_leaves_and_comes_back(
    celery_worker, page, live_server, login, coordinator, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 100
    page.set_viewport_size({"width": 375, "height": 812})
    login(coordinator)
    page.goto(live_server.url + reverse("activities:record_import"))
    page.locator("input[type=file]").set_input_files(
        {
            "name": "fremmøde.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument"
            ".spreadsheetml.sheet",
            "buffer": big_sheet(),
        }
    )
    page.get_by_role("button", name="Vis rækkerne").click()

    # The job's page follows the worker, and shows the rows once they are checked.
    job = ImportJob.objects.get()
    expect(page).to_have_url(live_server.url + job_page(job))
    expect(page.get_by_test_id("import-counts")).to_contain_text(
        "1.500 rækker: 1.499 gyldige", timeout=30_000
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The coordinator leaves, and finds the sheet again on their start page.
    page.goto(live_server.url + reverse("activities:record_list"))
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="fremmøde.xlsx").click()
    expect(page.get_by_test_id("import-counts")).to_contain_text("1.499 gyldige")

    page.get_by_label("Importér også dubletten").check()
    page.get_by_role("button", name="Importér de 1.499 gyldige rækker").click()

    expect(page.get_by_test_id("import-done")).to_contain_text(
        "1.500 rækker er importeret", timeout=30_000
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="Se dem i listen").click()
    expect(page).to_have_url(live_server.url + reverse("activities:record_list"))
    assert ActivityRecord.objects.count() == ROWS
