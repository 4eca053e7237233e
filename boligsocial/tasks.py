"""Background work of the core: a health round trip and nightly housekeeping."""

from axes.models import AccessAttempt, AccessLog
from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from .models import Area


@shared_task
def ping() -> dict:
    """Prove a worker is alive and reads the same database as the web."""
    return {"database": connection.settings_dict["NAME"], "areas": Area.objects.count()}


@shared_task
def housekeeping() -> dict:
    from .retention import remove_orphaned_files
    from .spreadsheets import remove_stale_uploads

    remove_stale_uploads()
    return {
        **purge_expired_sessions_and_login_records(),
        "orphaned_files": remove_orphaned_files(),
    }


def purge_expired_sessions_and_login_records() -> dict:
    """Keep login traces (user names, addresses) only as long as they serve."""
    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    logs, _ = AccessLog.objects.filter(
        attempt_time__lt=now - settings.LOGIN_LOG_RETENTION
    ).delete()
    return {"sessions": sessions, "attempts": attempts, "logs": logs}
