"""Big sheets: a sheet of more than IMPORT_BACKGROUND_ROWS rows is checked and
imported by the worker, its page following it. Here the worker's part
(import_steps.work, what the Celery task runs) is called in the test's process;
tests/test_import_worker.py goes through the real worker."""

import datetime
import time
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.imports import RECORD_IMPORT
from activities.models import Activity, ActivityRecord, YearStatus
from activities.tests.test_import import COUNSELLING, row, sheet
from boligsocial import import_steps, spreadsheets
from boligsocial.models import ImportedSheet, ImportJob, Notification, Role
from conftest import make_user

PAGE = reverse("activities:record_import")
CONFIRM = reverse("activities:record_import_confirm")
CANCEL = reverse("activities:record_import_cancel")
CHECKING, IMPORTING = ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-05-04 10:00 +0200", tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def small_threshold(settings):
    """Sheets of more than five rows go the worker's way."""
    settings.IMPORT_BACKGROUND_ROWS = 5


def twelve_rows() -> bytes:
    """Ten good rows (one of them twice) and one in an area the activity does
    not run in."""
    rows = [row(Deltagere=n + 1) for n in range(10)]
    # Row 5 again, at its time (a row's start is its place in the sheet).
    return sheet(
        *rows, {**rows[3], "Fra kl.": datetime.time(8, 3)}, row(Område="Atlantis")
    )


def upload(client, content: bytes):
    return client.post(PAGE, {"file": SimpleUploadedFile("stort-ark.xlsx", content)})


def job_page(job: ImportJob) -> str:
    return reverse("activities:record_import_job", args=[job.pk])


def checked(client, content: bytes = None) -> ImportJob:
    """Uploaded, and checked by the worker's code."""
    response = upload(client, content or twelve_rows())
    job = ImportJob.objects.get()
    assert response.url == job_page(job)
    assert import_steps.work(job.pk, CHECKING) == "checked"
    job.refresh_from_db()
    return job


# --- The check ---------------------------------------------------------------------


def test_a_big_sheet_waits_for_the_worker_and_its_page_says_so(client, coordinator):
    client.force_login(coordinator)
    response = upload(client, twelve_rows())

    job = ImportJob.objects.get()
    assert (job.status, job.total, job.started_at) == (CHECKING, 12, None)
    assert response.url == job_page(job)
    page = client.get(job_page(job)).content.decode()
    assert "12 rækker venter på at blive kontrolleret" in page
    assert 'hx-trigger="every 2s"' in page
    assert not ActivityRecord.objects.exists()


def test_the_page_shows_how_far_the_worker_got(client, coordinator):
    client.force_login(coordinator)
    upload(client, twelve_rows())
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now(), done=3000, total=20000
    )

    fragment = client.get(job_page(job), headers={"HX-Request": "true"})

    html = fragment.content.decode()
    assert "Rækkerne kontrolleres: 3.000 af 20.000" in html
    assert 'max="100" value="15"' in html
    assert "<html" not in html


def test_a_checked_sheet_reloads_the_page_that_polls_it_and_shows_its_rows(
    client, coordinator
):
    client.force_login(coordinator)
    job = checked(client)

    poll = client.get(job_page(job), headers={"HX-Request": "true"})
    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")
    page = client.get(job_page(job))
    assert page.context["preview"]
    html = page.content.decode()
    assert "12 rækker: 10 gyldige, 1 med fejl" in html
    assert "Samme som række 5." in html
    told = Notification.objects.get(kind=Notification.Kind.IMPORT_CHECKED)
    assert (told.user, told.url) == (coordinator, job_page(job))
    assert "venter på din bekræftelse" in told.text


def test_the_person_finds_the_sheet_again_on_the_import_page_and_in_my_work(
    client, coordinator
):
    client.force_login(coordinator)
    job = checked(client)

    page = client.get(PAGE)
    (waiting,) = page.context["jobs"]
    assert (waiting, waiting.url) == (job, job_page(job))
    assert "Venter på bekræftelse" in page.content.decode()
    home = client.get(reverse("home"), follow=True).content.decode()
    assert job_page(job) in home


def test_checking_takes_the_same_queries_for_every_thousand_rows(client, coordinator):
    client.force_login(coordinator)

    def queries(count: int) -> int:
        ImportJob.objects.all().delete()
        upload(client, sheet(*[row(Deltagere=n % 9 + 1) for n in range(count)]))
        job = ImportJob.objects.get()
        with CaptureQueriesContext(connection) as captured:
            assert import_steps.work(job.pk, CHECKING) == "checked"
        return len(captured)

    # Each thousand: the catalogue (8 queries) and the progress (1).
    assert queries(2000) - queries(1000) == 9


# --- The preview in pages ----------------------------------------------------------


def big_preview(coordinator, rows: int = 2500) -> ImportJob:
    """A checked job of `rows` rows: every tenth has an error, every 100th is
    a duplicate."""
    results = [
        {
            "number": n,
            "errors": [["Område", "Forkert"]] if n % 10 == 0 else [],
            "shown": [[f"række {n}", ""]],
            "notes": [],
            "duplicate": "Samme som række 2." if n % 100 == 1 and n > 1 else "",
        }
        for n in range(2, rows + 2)
    ]
    valid = [r["number"] for r in results if not r["errors"]]
    return ImportJob.objects.create(
        requested_by=coordinator,
        sheet="activities:record_import",
        token="b" * 32,
        name="stort-ark.xlsx",
        status=ImportJob.Status.CHECKED,
        total=rows,
        results=results,
        valid=valid,
        duplicates=[r["number"] for r in results if r["duplicate"]],
    )


def test_a_big_preview_comes_in_pages(client, coordinator):
    client.force_login(coordinator)
    job = big_preview(coordinator)

    first = client.get(job_page(job))
    last = client.get(job_page(job), {"side": 3})

    assert [r.number for r in first.context["results"]][:2] == [2, 3]
    assert len(first.context["results"]) == import_steps.PREVIEW_ROWS
    assert "Side 1 af 3" in first.content.decode()
    assert "Næste side" in first.content.decode()
    assert last.context["results"][-1].number == 2501
    assert "2.500 rækker: 2.225 gyldige, 250 med fejl" in first.content.decode()


def test_the_rows_with_errors_and_duplicates_are_shown_on_their_own(
    client, coordinator
):
    client.force_login(coordinator)
    job = big_preview(coordinator)

    problems = client.get(job_page(job), {"vis": "problemer"})

    numbers = [r.number for r in problems.context["results"]]
    assert len(numbers) == 250 + 25
    assert all(n % 10 == 0 or n % 100 == 1 for n in numbers)
    # Every duplicate is on this page: each is ticked on its own.
    assert problems.context["tick_each"]
    assert 'name="include" value="101"' in problems.content.decode()


def test_duplicates_spread_over_pages_are_imported_all_or_none(client, coordinator):
    client.force_login(coordinator)
    job = big_preview(coordinator)

    first = client.get(job_page(job))

    assert not first.context["tick_each"]
    html = first.content.decode()
    assert 'name="include_all"' in html
    assert 'name="include"' not in html
    assert "Importér også alle 25 dubletter" in html


# --- The import ----------------------------------------------------------------------


def test_a_confirmed_big_sheet_is_imported_by_the_worker_all_of_it(client, coordinator):
    client.force_login(coordinator)
    job = checked(client)

    response = client.post(CONFIRM, {"token": job.token, "include_all": "1"})

    assert response.url == job_page(job)
    job.refresh_from_db()
    assert (job.status, job.include, job.started_at) == (IMPORTING, [12], None)
    assert not ActivityRecord.objects.exists()
    assert import_steps.work(job.pk, IMPORTING) == "imported"
    job.refresh_from_db()
    assert (job.status, job.imported, job.results) == (
        ImportJob.Status.IMPORTED,
        11,
        [],
    )
    assert ActivityRecord.objects.filter(activity__name=COUNSELLING).count() == 11
    assert ImportedSheet.objects.get().rows == 11
    assert Notification.objects.filter(kind=Notification.Kind.IMPORT_FINISHED).exists()
    assert not spreadsheets.peek_upload(job.token)
    done = client.get(job_page(job)).content.decode()
    assert "stort-ark.xlsx: 11 rækker er importeret." in done


def test_without_the_tick_the_duplicate_stays_out(client, coordinator):
    client.force_login(coordinator)
    job = checked(client)
    client.post(CONFIRM, {"token": job.token})
    assert import_steps.work(job.pk, IMPORTING) == "imported"
    assert ActivityRecord.objects.count() == 10


def test_rows_changed_since_the_preview_are_shown_again_and_nothing_is_saved(
    client, coordinator
):
    client.force_login(coordinator)
    rows = [row(Deltagere=n + 1) for n in range(5)]
    job = checked(client, sheet(*rows, row(Dato="2025-11-30")))
    client.post(CONFIRM, {"token": job.token})
    # Meanwhile the year of the last row is approved, and locked.
    YearStatus.objects.create(
        activity=Activity.objects.get(name=COUNSELLING),
        year=2025,
        status=YearStatus.Status.DONE,
        narrative="Året gik godt.",
        written_by=coordinator,
    ).approve(by=coordinator)

    assert import_steps.work(job.pk, IMPORTING) == "changed"

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert not ActivityRecord.objects.exists()
    page = client.get(job_page(job)).content.decode()
    assert "Rækkerne er ændret siden forhåndsvisningen" in page
    assert "2025 er godkendt og låst" in page
    told = Notification.objects.filter(kind=Notification.Kind.IMPORT_CHECKED)
    assert "ændret siden forhåndsvisningen" in told.latest("pk").text
    client.post(CONFIRM, {"token": job.token})
    assert import_steps.work(job.pk, IMPORTING) == "imported"
    assert ActivityRecord.objects.count() == 5


def test_a_person_who_lost_access_meanwhile_gets_nothing_imported(client, coordinator):
    client.force_login(coordinator)
    job = checked(client)
    client.post(CONFIRM, {"token": job.token})
    coordinator.role = Role.PARTNER
    coordinator.save()

    assert import_steps.work(job.pk, IMPORTING) == "refused"

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error == "Du har ikke længere adgang til importen."
    assert not ActivityRecord.objects.exists()


def test_the_task_delivered_twice_works_once(client, coordinator):
    client.force_login(coordinator)
    job = checked(client)
    assert import_steps.work(job.pk, CHECKING) == "skipped"
    client.post(CONFIRM, {"token": job.token})
    assert import_steps.work(job.pk, IMPORTING) == "imported"
    assert import_steps.work(job.pk, IMPORTING) == "skipped"
    assert ActivityRecord.objects.count() == 10


def test_a_sheet_cancelled_while_the_worker_checks_it_is_not_brought_back(
    client, coordinator
):
    client.force_login(coordinator)
    upload(client, twelve_rows())
    job = ImportJob.objects.get()
    assert job.claim(CHECKING)
    client.post(CANCEL, {"token": job.token})

    # The worker goes on with the job it holds, and stops at its first progress.
    with pytest.raises(import_steps.Gone):
        import_steps.check(job, RECORD_IMPORT)
    assert not ImportJob.objects.exists()
    assert import_steps.work(job.pk, CHECKING) == "skipped"


def test_a_big_sheet_is_not_cancelled_once_it_is_being_imported(client, coordinator):
    client.force_login(coordinator)
    job = checked(client)
    client.post(CONFIRM, {"token": job.token})
    client.post(CANCEL, {"token": job.token})
    assert import_steps.work(job.pk, IMPORTING) == "imported"


# --- The sweeper -------------------------------------------------------------------


def test_the_sweeper_queues_again_gives_up_and_deletes_old_sheets(
    client, coordinator, settings
):
    client.force_login(coordinator)
    job = checked(client)
    now = timezone.now()
    queued = ImportJob.objects.create(
        requested_by=coordinator,
        sheet=job.sheet,
        token="c" * 32,
        status=CHECKING,
        queued_at=now - datetime.timedelta(minutes=10),
    )
    # Its worker died: it has not renewed its lease for longer than the lease.
    stuck = ImportJob.objects.create(
        requested_by=coordinator,
        sheet=job.sheet,
        token="d" * 32,
        status=IMPORTING,
        started_at=now - datetime.timedelta(hours=1),
        heartbeat_at=now - datetime.timedelta(seconds=settings.LEASE_SECONDS + 1),
    )
    # A big sheet still being imported, its lease renewed: left be.
    ImportJob.objects.create(
        requested_by=coordinator,
        sheet=job.sheet,
        token="e" * 32,
        status=IMPORTING,
        started_at=now - datetime.timedelta(hours=1),
        heartbeat_at=now - datetime.timedelta(seconds=settings.LEASE_SECONDS - 1),
    )
    ImportJob.objects.filter(pk=job.pk).update(
        requested_at=now - settings.SESSION_MAX_AGE - datetime.timedelta(minutes=1)
    )

    swept = import_steps.sweep_import_jobs()

    assert swept == {"requeued": 1, "given_up": 1, "deleted": 1}
    stuck.refresh_from_db()
    assert stuck.status == ImportJob.Status.FAILED
    assert stuck.error == "Importen blev afbrudt. Intet er gemt. Prøv igen."
    queued.refresh_from_db()
    assert queued.queued_at == now
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert spreadsheets.peek_upload(job.token) is None


# --- The door ------------------------------------------------------------------------


def test_a_sheets_page_is_its_uploaders_alone(client, coordinator, staff, partner):
    client.force_login(coordinator)
    job = checked(client)
    colleague = make_user("kollega", Role.COORDINATOR, organisation="BoligSocialt Hus")

    for person in (staff, colleague):
        client.force_login(person)
        assert client.get(job_page(job)).status_code == 404
        assert client.post(CONFIRM, {"token": job.token}).url == PAGE
    client.force_login(partner)
    assert client.get(job_page(job)).status_code == 403
    assert client.post(CONFIRM, {"token": job.token}).status_code == 403
    assert ImportJob.objects.get().status == ImportJob.Status.CHECKED
    client.logout()
    assert client.get(job_page(job)).url.startswith(reverse("login"))
    client.force_login(coordinator)
    assert client.post(job_page(job)).status_code == 405
    assert client.get(job_page(job)).status_code == 200


# --- The row limit -----------------------------------------------------------------


def titled(rows: int) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Registreringer, forår"])
    workbook.active.append(["Dato", "Aktivitet", "Område", "Deltagere"])
    for n in range(rows):
        workbook.active.append(
            [datetime.date(2026, 3, 2 + n % 20), COUNSELLING, "Rising", n + 1]
        )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_title_above_the_header_costs_no_row_of_the_limit(
    client, coordinator, monkeypatch, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 100
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 20)
    client.force_login(coordinator)

    at_the_limit = upload(client, titled(20))
    over_it = upload(client, titled(21))

    assert at_the_limit.context["total"] == 20
    assert over_it.context["form"].errors["file"] == [
        "Filen har mere end 20 rækker. Del den op i flere filer."
    ]


def test_twenty_thousand_rows_are_the_limit(client, coordinator):
    assert spreadsheets.MAX_ROWS == 20_000
    client.force_login(coordinator)
    started = time.monotonic()
    help_text = client.get(PAGE).context["form"].fields["file"].help_text
    assert "20.000 rækker" in help_text
    assert time.monotonic() - started < 5


def test_a_poll_of_a_sheet_cancelled_elsewhere_goes_to_the_import_page(
    client, coordinator
):
    client.force_login(coordinator)
    upload(client, twelve_rows())
    job = ImportJob.objects.get()
    client.post(CANCEL, {"token": job.token})

    poll = client.get(job_page(job), headers={"HX-Request": "true"})

    assert (poll.status_code, poll["HX-Redirect"]) == (204, PAGE)
    assert client.get(job_page(job)).status_code == 404


def test_a_refused_upload_keeps_the_sheet_waiting_before_it(
    client, coordinator, monkeypatch
):
    client.force_login(coordinator)
    job = checked(client)
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 20)

    refused = upload(client, titled(21))

    assert refused.context["form"].errors["file"]
    assert list(ImportJob.objects.all()) == [job]
    assert spreadsheets.peek_upload(job.token) is not None


def test_the_sheets_page_takes_the_same_queries_for_any_number_of_rows(
    client, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    small = big_preview(coordinator, rows=20)
    ImportJob.objects.filter(pk=small.pk).update(token="e" * 32)
    big = big_preview(coordinator, rows=2500)
    client.get(job_page(big))

    for job in (small, big):
        with django_assert_num_queries(8):
            assert client.get(job_page(job)).status_code == 200
    ImportJob.objects.filter(pk=big.pk).update(
        status=ImportJob.Status.IMPORTING, started_at=timezone.now()
    )
    with django_assert_num_queries(7):
        poll = client.get(job_page(big), headers={"HX-Request": "true"})
    assert "Rækkerne kontrolleres igen" in poll.content.decode()
