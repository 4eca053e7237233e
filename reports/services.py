"""Asking for a report, building it, and the sweeper that makes sure no request
is lost: what the views, the admin, the tasks and the tests all call.

No request is lost: the run is saved first and queued only when its transaction
has committed; a broker that is down leaves it queued, and the sweeper (Celery
beat, every minute) queues it again once the broker is back. The build is safe
to run twice: it takes the run in one UPDATE and writes the one file of its run.
"""

import logging
import time
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import PlanPeriod
from boligsocial import leases
from boligsocial.celery import enqueue
from boligsocial.models import Area, Notification, User
from boligsocial.notices import notify
from boligsocial.periods import Period

from .models import ReportRun, ReportSchedule, request_key

log = logging.getLogger(__name__)


def request_report(
    *,
    kind: str,
    period: Period,
    areas: list[Area],
    by: User,
    plan_period: PlanPeriod | None = None,
    schedule: ReportSchedule | None = None,
) -> tuple[ReportRun, bool]:
    """The run for this request, and whether it is new: the same request while
    one like it is queued or building gives that run, not a second build."""
    key = request_key(
        kind=kind,
        plan_id=plan_period.pk if plan_period else None,
        period=period,
        area_ids=[area.pk for area in areas],
    )
    active = ReportRun.objects.active().filter(request_key=key).first()
    if active:
        if active.requeue():  # its build lost its worker: built again, now
            transaction.on_commit(lambda: queue_build(active))
        return active, False
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                kind=kind,
                plan_period=plan_period,
                start=period.start,
                end=period.end,
                period_kind=period.kind,
                request_key=key,
                requested_by=by,
                schedule=schedule,
            )
            run.areas.set(areas)
            transaction.on_commit(lambda: queue_build(run))
    except IntegrityError:
        # Someone asked for the same a moment before: theirs is built.
        return ReportRun.objects.active().get(request_key=key), False
    return run, True


def queue_build(run: ReportRun) -> bool:
    """One try at the broker; with it down the run waits, queued, for the sweeper."""
    return enqueue("reports.tasks.build_report", run.pk)


def retry_report(run: ReportRun) -> bool:
    """A failed run is built again (the same request: it is rebuilt as it was)."""
    with transaction.atomic():
        requeued = run.requeue()
        if requeued:
            transaction.on_commit(lambda: queue_build(run))
    return requeued


def build_report_run(run_id: int, *, task_id: str) -> str:
    """Build the run's PDF, once. Returns what happened, for the task's result."""
    from .pdf import render_report

    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None:
        return "gone"
    if not run.claim(task_id=task_id):
        if run.status == ReportRun.Status.READY:
            _tell_requester(run)  # in case the worker died before it could
        return "skipped"
    try:
        renew = partial(run.beat, task_id=task_id)
        with leases.kept(renew, name=f"report run {run.pk}"):
            if settings.REPORT_BUILD_PAUSE:
                time.sleep(settings.REPORT_BUILD_PAUSE)
            pdf, pages, record = render_report(run)
            if not run.is_building(task_id):
                return _given_up(run)
            _save_pdf(run, pdf)
    except Exception as error:  # noqa: BLE001 - any failure is shown on the run
        log.exception("Report run %s failed.", run.pk)
        if not run.mark_failed(failure_reason(error), task_id=task_id):
            return _given_up(run)
        return "failed"
    if not run.mark_ready(pages=pages, figures=record, task_id=task_id):
        return _given_up(run)
    _tell_requester(run)
    return "ready"


def _given_up(run: ReportRun) -> str:
    """The run was taken over while this build went on (its lease ran out: the
    database was out of reach for longer than the lease): the other build's
    result stands, this one's is dropped."""
    log.warning("Report run %s was taken over: this build's result is dropped.", run.pk)
    return "taken over"


def failure_reason(error: Exception) -> str:
    """What went wrong, for the coordinator on the run's page: the error's kind
    and message, with the server's folders left out (the log has it all)."""
    reason = f"{type(error).__name__}: {error}"
    return reason.replace(f"{settings.MEDIA_ROOT}/", "").replace(
        str(settings.BASE_DIR), "…"
    )


def _save_pdf(run: ReportRun, pdf: bytes) -> None:
    """The run's one file: a build done again replaces it instead of adding one."""
    if default_storage.exists(run.pdf_name):
        default_storage.delete(run.pdf_name)
    saved = default_storage.save(run.pdf_name, ContentFile(pdf))
    if saved != run.pdf_name:  # a concurrent write took the name: never two files
        default_storage.delete(saved)
        raise RuntimeError(f"{run.pdf_name} was written by another build")


def _tell_requester(run: ReportRun) -> None:
    """Whoever asked finds it under the bell, and by e-mail as they chose; a mail
    server that is down does not fail the run."""
    person = run.requested_by
    if person is None or not run.take_notification():
        return
    try:
        notify(
            Notification.Kind.REPORT_READY,
            about=run,
            users=[person],
            text=str(run),
            queue=False,
        )
    except Exception:  # noqa: BLE001 - the report is ready all the same
        log.warning("Could not tell %s about report run %s.", person.pk, run.pk)


def sweep_report_runs() -> int:
    """Queue again every run left queued or whose build lost its worker; returns
    how many. One whose builds stopped REPORT_MAX_STALLS times fails instead."""
    runs = list(ReportRun.objects.left_behind(timezone.now()))
    for run in runs:
        if run.status == ReportRun.Status.RUNNING:
            if run.stalls + 1 >= settings.REPORT_MAX_STALLS:
                run.mark_failed(
                    _("Bygningen stoppede %(n)s gange uden at blive færdig.")
                    % {"n": run.stalls + 1},
                    task_id=run.task_id,
                )
                continue
            # Its worker is gone: queued again, it is built by one that is not.
            if not run.requeue():
                continue
        if queue_build(run):
            # Given to the broker: not again until it has waited as long anew.
            ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.QUEUED).update(
                queued_at=timezone.now()
            )
    return len(runs)


def request_scheduled_reports(today=None) -> int:
    """Ask for each active schedule's report of the quarter or year just ended."""
    today = today or timezone.localdate()
    count = 0
    for schedule in ReportSchedule.objects.filter(is_active=True).select_related(
        "plan_period", "owner"
    ):
        period = schedule.period_due(today)
        if period is None or not schedule.owner.can_request_reports:
            continue
        areas = list(schedule.areas.all()) or _all_areas(schedule)
        request_report(
            kind=schedule.kind,
            period=period,
            areas=areas,
            by=schedule.owner,
            plan_period=schedule.plan_period,
            schedule=schedule,
        )
        schedule.last_period_end = period.end
        schedule.save(update_fields=["last_period_end"])
        count += 1
    return count


def _all_areas(schedule: ReportSchedule) -> list[Area]:
    if schedule.plan_period_id:
        return list(schedule.plan_period.areas.all())
    return list(Area.objects.all())
