"""Background work of the core: a health round trip and nightly housekeeping."""

from celery import shared_task
from django.conf import settings
from django.db import connection

from . import exports, import_steps, notices
from .models import Area, ImportJob
from .retention import purge_expired_sessions_and_login_records, remove_orphaned_files
from .spreadsheets import remove_stale_uploads


@shared_task
def ping() -> dict:
    """Prove a worker is alive and reads the same database as the web."""
    return {"database": connection.settings_dict["NAME"], "areas": Area.objects.count()}


@shared_task
def housekeeping() -> dict:
    remove_stale_uploads()
    return {
        **purge_expired_sessions_and_login_records(),
        "orphaned_files": remove_orphaned_files(),
    }


@shared_task(name="boligsocial.tasks.send_notification_mail", ignore_result=True)
def send_notification_mail(notification_id: int) -> int:
    """The e-mail of one notification the person wants at once (sent once)."""
    return notices.send_now(notification_id)


@shared_task(name="boligsocial.tasks.send_notification_digests")
def send_notification_digests() -> int:
    """The morning's digest of each person's notifications (sent once)."""
    return notices.send_digests()


@shared_task(
    name="boligsocial.tasks.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.EXPORT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT + 60,
)
def build_export(job_id: int) -> str:
    """A list export too big to wait for, written to storage (once). Given more
    time than other tasks: a whole list at ten years takes minutes."""
    return exports.build_export(job_id)


@shared_task(name="boligsocial.tasks.sweep_export_jobs", ignore_result=True)
def sweep_export_jobs() -> dict:
    return exports.sweep_export_jobs()


@shared_task(
    name="boligsocial.tasks.check_import",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def check_import(job_id: int) -> str:
    """A big uploaded sheet's rows checked for its preview (once)."""
    return import_steps.work(job_id, ImportJob.Status.CHECKING)


@shared_task(
    name="boligsocial.tasks.run_import",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def run_import(job_id: int) -> str:
    """A big confirmed sheet's rows checked again and saved, all or none (once)."""
    return import_steps.work(job_id, ImportJob.Status.IMPORTING)


@shared_task(name="boligsocial.tasks.sweep_import_jobs", ignore_result=True)
def sweep_import_jobs() -> dict:
    return import_steps.sweep_import_jobs()
