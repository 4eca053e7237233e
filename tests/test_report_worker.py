"""A coordinator asks for a PDF status report through the page, and the real
worker, through Redis, builds it: once, into one file, and again after a failure."""

import datetime
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area
from boligsocial.periods import Period
from reports.models import ReportRun
from reports.services import sweep_report_runs
from tests.worker import (
    YEAR,
    finished,
    is_built,
    mails_about,
    report_files,
    request_municipality_report,
    wait_for_mail,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_a_requested_report_is_built_once_into_one_pdf_and_mailed_to_the_requester(
    celery_worker, coordinator_client, coordinator
):
    response = request_municipality_report(coordinator_client)

    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response.url == run.get_absolute_url()
    assert run.requested_by == coordinator
    assert finished(run).status == ReportRun.Status.READY
    assert run.attempts == 1
    assert run.pages >= 1
    assert is_built(run)
    assert report_files(run) == [Path(settings.MEDIA_ROOT) / run.pdf_name]
    (mail,) = wait_for_mail(run)
    assert mail["To"] == coordinator.email
    assert mail["Subject"].startswith("Rapport klar: Statusrapport til Odense Kommune")
    download = coordinator_client.get(reverse("reports:run_download", args=[run.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_same_request_twice_while_the_first_is_building_builds_once(
    celery_worker, coordinator_client
):
    first = request_municipality_report(coordinator_client)
    run = ReportRun.objects.get()
    assert run.is_active  # the worker waits a second in every build

    second = request_municipality_report(coordinator_client)

    assert second.status_code == 302
    assert second.url == first.url == run.get_absolute_url()
    assert ReportRun.objects.count() == 1
    assert finished(run).status == ReportRun.Status.READY
    assert run.attempts == 1
    assert is_built(run)
    assert len(wait_for_mail(run)) == 1


def block_the_pdf_file(run: ReportRun) -> Path:
    """A folder where the run's PDF goes, with a file in it: the build cannot
    remove it (an empty folder it would remove, and then succeed)."""
    folder = Path(settings.MEDIA_ROOT) / run.pdf_name
    folder.mkdir(parents=True)
    (folder / "in-the-way.txt").write_text("not a PDF")
    return folder


def test_a_build_that_fails_shows_why_and_the_retry_button_builds_it(
    celery_worker, coordinator_client
):
    # The build is queued only when the block commits: the folder is there first.
    with transaction.atomic():
        request_municipality_report(coordinator_client)
        run = ReportRun.objects.get()
        blocker = block_the_pdf_file(run)

    assert finished(run).status == ReportRun.Status.FAILED
    assert run.attempts == 1
    assert run.error.startswith("OSError: [Errno 39] Directory not empty")
    page = coordinator_client.get(run.get_absolute_url())
    assert 'data-testid="run-error">OSError: [Errno 39] Directory not empty' in (
        page.content.decode()
    )
    assert mails_about(run) == []

    shutil.rmtree(blocker)
    response = coordinator_client.post(reverse("reports:run_retry", args=[run.pk]))

    assert response.status_code == 302
    assert response.url == run.get_absolute_url()
    assert finished(run).status == ReportRun.Status.READY
    assert (run.attempts, run.error) == (2, "")
    assert is_built(run)
    assert len(wait_for_mail(run)) == 1
    page = coordinator_client.get(run.get_absolute_url())
    assert 'data-testid="download"' in page.content.decode()


def test_the_sweeper_has_the_worker_build_a_run_whose_build_was_abandoned(
    celery_worker, coordinator
):
    # Its worker died long ago without giving the message back: nothing is queued.
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.LEASE_SECONDS + 60)
    period = Period.year(YEAR)
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        start=period.start,
        end=period.end,
        request_key="abandoned",
        requested_by=coordinator,
        status=ReportRun.Status.RUNNING,
        started_at=long_ago,
        heartbeat_at=long_ago,
        task_id="lost-with-its-worker",
        attempts=1,
    )
    run.areas.set(Area.objects.all())

    assert sweep_report_runs() == 1

    assert finished(run).status == ReportRun.Status.READY
    assert run.attempts == 2
    assert run.task_id != "lost-with-its-worker"
    assert is_built(run)
