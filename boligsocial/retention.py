"""The rules of the core that erase by age: housekeeping runs them nightly, and
`manage.py restore` runs them once after a restore, with the advice app's
(`boligsocial.backups.run_retention`).

The rules: expired sessions, and login records after LOGIN_LOG_RETENTION;
uploaded sheets nobody can confirm any more (spreadsheets); files in MEDIA_ROOT
whose row is gone (`remove_orphaned_files`: a finding deleted with its photos, a
report run deleted, a build that failed after writing its PDF). A closed advice
case's personal data goes after ADVICE_RETENTION_MONTHS (advice.tasks); a
finding's photos, an incident's texts and stale contacts after their own
periods (safety.tasks.apply_retention).
"""

import datetime
import posixpath

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db.models import FileField
from django.utils import timezone

from . import storage

# The folders of the default storage that the models' files live in.
FILE_FOLDERS = ("findings", "resident-reports", "reports", "exports")
# A file is written just before its row is saved (a photo, a report's PDF): it
# counts as orphaned only once it is older than this.
ORPHAN_GRACE = datetime.timedelta(days=1)


def remove_orphaned_files() -> int:
    """Delete the files in FILE_FOLDERS that no row names, once older than
    ORPHAN_GRACE, and (on disk) the folders left empty; the number of files
    deleted. Through the storage API: the same on disk and in an object store."""
    named = _named_files()
    oldest = timezone.now() - ORPHAN_GRACE
    removed, emptied = 0, set()
    for folder in FILE_FOLDERS:
        for name in storage.walk(default_storage, folder):
            if name in named:  # asked first: the store is asked only of the rest
                continue
            written = storage.modified(default_storage, name)
            if written is None or written >= oldest:
                continue
            default_storage.delete(name)
            removed += 1
            emptied.add(posixpath.dirname(name))
        storage.remove_empty_folders(
            default_storage, folder, before=oldest.timestamp(), emptied=emptied
        )
    return removed


def file_fields() -> dict:
    """Every model with files, and the names of its file fields."""
    found = {
        model: tuple(f.name for f in model._meta.fields if isinstance(f, FileField))
        for model in apps.get_models()
    }
    return {model: fields for model, fields in found.items() if fields}


def _named_files() -> set[str]:
    named = set()
    for model, fields in file_fields().items():
        for values in model._base_manager.values_list(*fields):
            named.update(value for value in values if value)
    return named


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
    failures, _ = AccessFailureLog.objects.filter(
        attempt_time__lt=now - settings.LOGIN_LOG_RETENTION
    ).delete()
    return {
        "sessions": sessions,
        "attempts": attempts,
        "logs": logs,
        "failures": failures,
    }
