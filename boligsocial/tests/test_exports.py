"""Exports too big to wait for: written by the worker for the person who asked,
with their access checked again, followed on a page, told under the bell,
downloaded only by them, and deleted after EXPORT_KEEP.

The findings list is the example (a partner's own findings); the task function
is called directly, as the worker would (tests/test_celery_roundtrip.py proves
the worker itself)."""

import dataclasses
import datetime
from io import BytesIO

import openpyxl
import pytest
import tablib
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from boligsocial import exports, spreadsheets
from boligsocial.models import Area, ExportJob, Notification, Organisation, Role
from boligsocial.tasks import build_export, sweep_export_jobs
from conftest import make_user
from safety.models import Finding, FindingCategory, Walk
from safety.walks.exports import FINDINGS

NOW = timezone.make_aware(datetime.datetime(2026, 5, 4, 10, 0))
XLSX = reverse("safety:finding_export", args=["xlsx"])
CSV = reverse("safety:finding_export", args=["csv"])


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    """More than three rows go to the background; files land in a temporary
    MEDIA_ROOT."""
    settings.EXPORT_BACKGROUND_ROWS = 3
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def police(db) -> Organisation:
    return Organisation.objects.get(name="Fyns Politi")


@pytest.fixture
def findings(staff, police, rising_area) -> list[Finding]:
    """Five of the police's, one with a formula-like place, and one of SSP's."""
    walk = Walk.objects.create(
        area=rising_area, starts_at=NOW, status=Walk.Status.HELD, created_by=staff
    )
    category = FindingCategory.objects.get(name="Hærværk")
    ssp = Organisation.objects.get(name="SSP Odense")
    places = ["=SUM(A1:A9)", "Stien", "Legepladsen", "Garagerne", "Opgang 4"]
    made = [
        Finding.objects.create(
            walk=walk,
            area=rising_area,
            category=category,
            description="Knust lygte",
            place=place,
            responsible=police,
            found_at=NOW - datetime.timedelta(hours=n),
            due_date=datetime.date(2026, 5, 11),
        )
        for n, place in enumerate(places)
    ]
    made.append(
        Finding.objects.create(
            walk=walk,
            area=rising_area,
            category=category,
            description="Graffiti",
            place="SSP's sted",
            responsible=ssp,
            found_at=NOW,
        )
    )
    return made


@pytest.fixture
def rising_area(db) -> Area:
    return Area.objects.get(slug="rising")


def ask(client, user, url=XLSX, **query) -> ExportJob:
    client.force_login(user)
    response = client.get(url, query)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response.url == job.get_absolute_url()
    return job


# --- Asked for, written, followed and downloaded --------------------------------------


def test_a_big_export_becomes_a_job_the_worker_writes_for_its_owner(
    client, partner, findings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        job = ask(client, partner, status="open")
    assert len(queued) == 1  # queued once the job is saved
    assert (job.requested_by, job.export, job.fmt, job.query) == (
        partner,
        "safety.findings",
        "xlsx",
        "status=open",
    )
    assert job.status == ExportJob.Status.QUEUED
    assert job.filename == "fund-2026-05-04.xlsx"

    assert build_export(job.pk) == "ready"

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (ExportJob.Status.READY, 5, 5)
    response = client.get(reverse("export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert 'filename="fund-2026-05-04.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # Exactly the partner's own findings, the formula kept as text.
    assert sorted(row[0] for row in rows) == sorted(f.pk for f in findings[:5])
    assert "'=SUM(A1:A9)" in {row[4] for row in rows}


def test_the_bell_tells_the_owner_when_it_is_ready(client, partner, findings):
    job = ask(client, partner)
    build_export(job.pk)
    notification = Notification.objects.get(user=partner)
    assert notification.kind == Notification.Kind.EXPORT_READY
    assert notification.url == job.get_absolute_url()
    assert notification.text == "fund-2026-05-04.xlsx"


def test_the_job_page_shows_progress_and_polls_until_done(client, partner, findings):
    job = ask(client, partner)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "I kø" in page and 'hx-trigger="every 2s"' in page

    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, done=2, total=5
    )
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<h1" not in html and "2 af 5 rækker skrevet" in html
    assert 'hx-trigger="every 2s"' in html

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED)
    build_export(job.pk)
    html = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    html = html.content.decode()
    assert "hx-trigger" not in html
    assert reverse("export_job_download", args=[job.pk]) in html


def test_the_worker_notes_its_progress_chunk_by_chunk(
    client, partner, findings, monkeypatch, settings
):
    monkeypatch.setattr(exports, "CHUNK", 2)
    seen = []
    original = ExportJob.progress

    def noting(self, *, done, total):
        seen.append((done, total))
        original(self, done=done, total=total)

    monkeypatch.setattr(ExportJob, "progress", noting)
    job = ask(client, partner, url=CSV)
    build_export(job.pk)
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    job.refresh_from_db()
    with default_storage.open(job.file.name) as written:
        lines = written.read().decode("utf-8-sig").splitlines()
    assert len(lines) == 6  # the header and five findings, none twice
    # In the list's order across the parts: the same file as a direct download.
    settings.EXPORT_BACKGROUND_ROWS = 100
    assert client.get(CSV).content.decode("utf-8-sig").splitlines() == lines


def test_a_small_export_is_still_a_direct_download(client, partner, findings, settings):
    settings.EXPORT_BACKGROUND_ROWS = 5
    client.force_login(partner)
    response = client.get(CSV)
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


# --- Nobody else, and access checked again --------------------------------------------


def test_another_person_finds_neither_the_job_nor_its_file(
    client, partner, coordinator, findings
):
    job = ask(client, partner)
    build_export(job.pk)
    colleague = make_user(
        "partner2", Role.PARTNER, organisation="Fyns Politi", areas=["rising"]
    )
    for person in (colleague, coordinator):
        client.force_login(person)
        assert client.get(job.get_absolute_url()).status_code == 404
        download = reverse("export_job_download", args=[job.pk])
        assert client.get(download).status_code == 404
        retry = reverse("export_job_retry", args=[job.pk])
        assert client.post(retry).status_code == 404
    client.logout()
    assert client.get(job.get_absolute_url()).status_code == 302


def test_the_worker_refuses_a_person_who_lost_access_meanwhile(
    client, partner, findings
):
    job = ask(client, partner)
    partner.role = Role.ADVISOR  # advisors have no findings list
    partner.save(update_fields=["role"])
    assert build_export(job.pk) == "refused"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "Du har ikke længere adgang til listen."
    assert not job.file
    assert not Notification.objects.filter(user=partner).exists()


def test_a_deactivated_person_gets_nothing_written(client, partner, findings):
    job = ask(client, partner)
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    assert build_export(job.pk) == "refused"


def test_a_job_is_written_once_though_its_task_comes_twice(client, partner, findings):
    job = ask(client, partner)
    assert build_export(job.pk) == "ready"
    assert build_export(job.pk) == "skipped"
    assert Notification.objects.filter(user=partner).count() == 1


# --- Failing, and asking again --------------------------------------------------------


def test_a_failed_export_says_so_and_can_be_asked_again(
    client, partner, findings, monkeypatch, django_capture_on_commit_callbacks
):
    job = ask(client, partner)

    def broken(rows):
        raise RuntimeError("disk full")

    failing = dataclasses.replace(FINDINGS, dataset=broken)
    monkeypatch.setattr(exports, "export_named", lambda name: failing)
    assert build_export(job.pk) == "failed"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Fejlede" in page and "Eksporten kunne ikke skrives" in page
    assert "disk full" not in page
    monkeypatch.undo()

    retry = reverse("export_job_retry", args=[job.pk])
    assert client.get(retry).status_code == 405
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(retry)
    assert response.status_code == 302 and len(queued) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and job.error == ""
    assert build_export(job.pk) == "ready"
    # A job that did not fail is not asked again.
    assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY


def test_a_ready_file_is_not_handed_to_someone_who_lost_the_list(
    client, partner, findings
):
    job = ask(client, partner)
    build_export(job.pk)
    partner.role = Role.ADVISOR
    partner.save(update_fields=["role"])
    client.force_login(partner)  # an advisor signs in with a second factor
    download = reverse("export_job_download", args=[job.pk])
    assert client.get(download).status_code == 403


def test_an_unfinished_job_has_nothing_to_download(client, partner, findings):
    job = ask(client, partner)
    download = reverse("export_job_download", args=[job.pk])
    assert client.get(download).status_code == 404


# --- The sweeper ----------------------------------------------------------------------


def test_the_sweeper_deletes_old_exports_with_their_files(client, partner, findings):
    job = ask(client, partner)
    build_export(job.pk)
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)
    with time_machine.travel(NOW + datetime.timedelta(days=6), tick=False):
        assert sweep_export_jobs()["deleted"] == 0
    with time_machine.travel(NOW + datetime.timedelta(days=7, hours=1), tick=False):
        assert sweep_export_jobs()["deleted"] == 1
    assert not default_storage.exists(name)
    assert not ExportJob.objects.exists()
    assert client.get(job.get_absolute_url()).status_code == 404


def test_the_sweeper_queues_again_a_job_left_queued_and_gives_up_on_a_dead_one(
    client, partner, findings, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        exports, "queue_export", lambda job: queued.append(job.pk) or True
    )
    waiting = ask(client, partner)
    stuck = ExportJob.objects.create(
        requested_by=partner,
        export="safety.findings",
        fmt="csv",
        status=ExportJob.Status.RUNNING,
        started_at=NOW,
    )
    # A whole list at ten years takes minutes: still writing, it renews its lease
    # and is left be, however long it has run.
    later = NOW + datetime.timedelta(minutes=35)
    with time_machine.travel(later - datetime.timedelta(seconds=5), tick=False):
        assert stuck.beat() is True
    with time_machine.travel(later, tick=False):
        swept = sweep_export_jobs()
    assert queued == [waiting.pk]
    assert swept["given_up"] == 0
    # Its worker died: no beat for longer than the lease.
    silent = datetime.timedelta(seconds=settings.LEASE_SECONDS + 1)
    with time_machine.travel(later + silent, tick=False):
        swept = sweep_export_jobs()
    assert swept["given_up"] == 1
    stuck.refresh_from_db()
    assert stuck.status == ExportJob.Status.FAILED


# --- Query counts ---------------------------------------------------------------------


def test_the_job_page_and_its_fragment_cost_a_fixed_number_of_queries(
    client, partner, findings, django_assert_num_queries
):
    job = ask(client, partner)
    client.get(job.get_absolute_url())
    # Session, user; the job; the session saved (three).
    with django_assert_num_queries(6):
        client.get(job.get_absolute_url())
    with django_assert_num_queries(6):
        client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    build_export(job.pk)
    with django_assert_num_queries(6):
        client.get(job.get_absolute_url(), headers={"HX-Request": "true"})


def test_the_pages_take_only_their_methods(client, partner, findings):
    job = ask(client, partner)
    assert client.post(job.get_absolute_url()).status_code == 405
    download = reverse("export_job_download", args=[job.pk])
    assert client.post(download).status_code == 405


def test_asking_again_while_it_is_written_leads_to_the_same_job(
    client, partner, findings
):
    """A reload of the export link (or a second click) starts no second job."""
    first = ask(client, partner)
    client.force_login(partner)
    again = client.get(XLSX)
    assert again.url == first.get_absolute_url()
    assert ExportJob.objects.count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_export_is_written_a_part_at_a_time(fmt, tmp_path):
    """The writer asks for the next part only once the last one is written (CSV
    row by row, Excel into openpyxl's write-only sheet): memory holds one part
    however long the list. The file is the same as the whole written at once."""
    out = open(tmp_path / "parts", "w+b")  # noqa: SIM115 - read after writing
    written_before = []

    def parts():
        for n in range(3):
            written_before.append(out.tell())
            yield tablib.Dataset(
                [f"Række {n}", datetime.date(2026, 2, 28) + datetime.timedelta(n)],
                ["=1+1", None],
                headers=["Navn", "Dato"],
                title="Fund",
            )

    with out:
        spreadsheets.write_export(parts(), fmt, out)
        out.seek(0)
        written = out.read()
    assert len(written_before) == 3
    if fmt == "csv":
        # Each part was on the disk before the next was asked for.
        assert written_before[0] < written_before[1] < written_before[2]
    whole = tablib.Dataset(headers=["Navn", "Dato"], title="Fund")
    for n in range(3):
        whole.append([f"Række {n}", datetime.date(2026, 2, 28) + datetime.timedelta(n)])
        whole.append(["=1+1", None])
    content, _type = spreadsheets.export_file(whole, fmt)
    if fmt == "csv":
        assert written.decode() == content
        assert written.decode().splitlines()[1:3] == ["Række 0,2026-02-28", "'=1+1,"]
    else:
        sheets = [
            list(openpyxl.load_workbook(BytesIO(data)).active.values)
            for data in (written, content)
        ]
        assert sheets[0] == sheets[1]
        sheet = openpyxl.load_workbook(BytesIO(written)).active
        assert sheet.title == "Fund" and sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b and sheet["B2"].number_format == "DD.MM.YYYY"
        assert sheet["A3"].value == "'=1+1"
        assert sheet["B4"].value == datetime.datetime(2026, 3, 1)


def test_an_export_may_run_longer_than_other_tasks_but_not_past_the_broker():
    """Two million records take about nine minutes (bench/scale.py): past the
    five minutes other tasks get, inside the time the broker waits before it
    gives a task no worker acknowledged to another."""
    from boligsocial.tasks import build_export

    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < build_export.soft_time_limit
    assert build_export.soft_time_limit < build_export.time_limit
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    assert visibility is None or visibility > build_export.time_limit
