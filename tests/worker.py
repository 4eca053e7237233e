"""Helpers for the tests that need the real Celery worker bin/test starts: the
mails it wrote, report runs asked for through the page and waited for, and the
figures the fault tests record for the run's summary."""

import datetime
import email
import email.message
import email.policy
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportRun

# Long enough for a build (about 1-2 s plus the worker's 1 s pause) several times
# over, and for the worker to reconnect to a broker that was away.
TIMEOUT = 30
# A year with no data: the report is built all the same, quickly.
YEAR = 2025


def worker_mails() -> list[email.message.EmailMessage]:
    """The mails the worker sent: bin/test has it write them to files."""
    folder = Path(os.environ["PORTAL_TEST_WORKER_MAIL_DIR"])
    return [
        # Django's file backend ends each message with a line of 79 dashes.
        email.message_from_bytes(
            path.read_bytes().rsplit(b"-" * 79, 1)[0], policy=email.policy.default
        )
        for path in sorted(folder.glob("*.log"))
    ]


def mails_about(run: ReportRun) -> list[email.message.EmailMessage]:
    """The worker's mails that link to the run (its page's address is unique)."""
    url = settings.PORTAL_URL.rstrip("/") + run.get_absolute_url()
    return [mail for mail in worker_mails() if url in mail.get_content().split()]


def wait_for_mail(run: ReportRun, timeout: float = TIMEOUT):
    """The mails about the run, once there is one: the worker mails the requester
    just after it has marked the run ready."""
    deadline = time.monotonic() + timeout
    while not (mails := mails_about(run)):
        assert time.monotonic() < deadline, f"no mail about run {run.pk}"
        time.sleep(0.05)
    return mails


def stalled(run: ReportRun) -> ReportRun:
    """The run building, its worker silent for longer than the lease."""
    run.claim(task_id="lost")
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.LEASE_SECONDS + 1)
    ReportRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago)
    run.refresh_from_db()
    return run


def request_municipality_report(client, *, year: int = YEAR):
    """A coordinator's request through the page: all areas, one year."""
    return client.post(
        reverse("reports:run_list"),
        {"kind": ReportRun.Kind.MUNICIPALITY, "period": "year", "year": year},
    )


def wait_for(run: ReportRun, *statuses: str, timeout: float = TIMEOUT) -> ReportRun:
    """The run, read again until it has one of the statuses (or the time is up)."""
    deadline = time.monotonic() + timeout
    run.refresh_from_db()
    while run.status not in statuses:
        assert time.monotonic() < deadline, (
            f"run {run.pk} still {run.status} after {timeout} s, not {statuses}"
        )
        time.sleep(0.05)
        run.refresh_from_db()
    return run


def finished(run: ReportRun, timeout: float = TIMEOUT) -> ReportRun:
    return wait_for(
        run, ReportRun.Status.READY, ReportRun.Status.FAILED, timeout=timeout
    )


def report_files(run: ReportRun) -> list[Path]:
    """Every file in MEDIA_ROOT/reports named for the run (storage would add a
    suffix to a second one: report-7_AbCdEf1.pdf)."""
    folder = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(folder.glob(f"report-{run.pk}.*")) + sorted(
        folder.glob(f"report-{run.pk}_*")
    )


def is_built(run: ReportRun) -> bool:
    """Ready, with its one PDF on disk."""
    files = report_files(run)
    return (
        run.status == ReportRun.Status.READY
        and [path.name for path in files] == [Path(run.pdf_name).name]
        and files[0].is_file()
        and files[0].read_bytes().startswith(b"%PDF")
    )


# --- What the fault tests record --------------------------------------------------


@dataclass(frozen=True)
class FaultFigures:
    test: str
    requested: int
    built: int
    seconds: float

    @property
    def lost(self) -> int:
        return self.requested - self.built


# Filled by tests/test_report_faults.py, printed by tests/conftest.py's summary.
FAULT_FIGURES: list[FaultFigures] = []


def fault_summary() -> list[str]:
    """The fault tests' figures as lines of text: one per test, then the totals."""
    lines = [
        f"{f.test}: requested {f.requested}, built {f.built}, lost {f.lost}, "
        f"{f.seconds:.1f} s"
        for f in FAULT_FIGURES
    ]
    requested = sum(f.requested for f in FAULT_FIGURES)
    built = sum(f.built for f in FAULT_FIGURES)
    lines.append(
        f"total: requested {requested}, built {built}, lost {requested - built}"
    )
    return lines


# --- Redis, stopped and started again ---------------------------------------------


def redis_cli(port: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["redis-cli", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )


def redis_answers(port: int) -> bool:
    return redis_cli(port, "ping").stdout.strip() == "PONG"


def wait_until_redis(port: int, *, answers: bool) -> None:
    deadline = time.monotonic() + 5
    while redis_answers(port) != answers:
        assert time.monotonic() < deadline, f"Redis on {port} answers: {not answers}"
        time.sleep(0.05)
