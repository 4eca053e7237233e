"""Building a run in the test's process (the worker's part is in
tests/test_report_worker.py): one PDF per run, one mail, and a reason that does
not show the server's folders."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from reports.models import ReportRun
from reports.services import build_report_run


def test_a_build_makes_the_runs_one_pdf_and_tells_the_requester(run, mailoutbox):
    assert build_report_run(run.pk, task_id="first") == "ready"

    run.refresh_from_db()
    assert (run.status, run.attempts, run.pdf.name) == ("ready", 1, run.pdf_name)
    assert default_storage.open(run.pdf.name).read(5) == b"%PDF-"
    assert run.pages >= 6
    assert run.figures["tables"]["walks"]["rows"] == [["Rising", 0, "", 0]]
    (mail,) = mailoutbox
    assert mail.to == ["coordinator@example.org"]
    assert mail.subject == "Rapport klar: Statusrapport til Odense Kommune 2025"
    assert run.get_absolute_url() in mail.body


def test_the_same_task_delivered_again_builds_nothing_and_mails_nothing(
    run, mailoutbox
):
    build_report_run(run.pk, task_id="first")

    assert build_report_run(run.pk, task_id="second") == "skipped"
    run.refresh_from_db()
    assert run.attempts == 1
    assert len(mailoutbox) == 1
    folder = Path(settings.MEDIA_ROOT) / "reports"
    assert [p.name for p in folder.glob(f"report-{run.pk}*")] == [
        f"report-{run.pk}.pdf"
    ]


def test_a_run_made_ready_by_a_worker_that_died_before_mailing_is_mailed_later(
    run, mailoutbox
):
    build_report_run(run.pk, task_id="first")
    ReportRun.objects.filter(pk=run.pk).update(notified_at=None)
    mailoutbox.clear()

    assert build_report_run(run.pk, task_id="first") == "skipped"
    assert len(mailoutbox) == 1


def test_a_failed_build_gives_its_reason_without_the_servers_folders(run, mailoutbox):
    blocker = Path(settings.MEDIA_ROOT) / run.pdf_name
    blocker.mkdir(parents=True)
    (blocker / "in-the-way.txt").write_text("not a PDF")

    assert build_report_run(run.pk, task_id="first") == "failed"

    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error.startswith("OSError: [Errno 39] Directory not empty")
    assert f"'{run.pdf_name}'" in run.error
    assert str(settings.MEDIA_ROOT) not in run.error
    assert mailoutbox == []


def test_a_run_that_is_gone_is_not_built(db):
    assert build_report_run(12345, task_id="first") == "gone"
