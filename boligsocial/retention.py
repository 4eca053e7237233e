"""The rules that erase by age, in one place: housekeeping and the advice task run
them on their schedules, and `manage.py restore` runs them all once after a
restore (`run_retention`).

The rules: a closed advice case's personal data goes after
ADVICE_RETENTION_MONTHS (advice.tasks); expired sessions, and login records
after LOGIN_LOG_RETENTION (boligsocial.tasks); uploaded sheets nobody can
confirm any more (spreadsheets); and files in MEDIA_ROOT whose row is gone
(`remove_orphaned_files`: a finding deleted with its photos, a report run
deleted, a build that failed after writing its PDF).
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from reports.models import ReportRun
from safety.models import FindingPhoto

# Every model with files, and the folders of MEDIA_ROOT its files live in. A test
# fails when a model with a FileField is not here.
FILE_FIELDS = {
    FindingPhoto: ("image", "thumbnail"),
    ReportRun: ("pdf",),
}
FILE_FOLDERS = ("findings", "reports")
# A file is written just before its row is saved (a photo, a report's PDF): it
# counts as orphaned only once it is older than this.
ORPHAN_GRACE = datetime.timedelta(days=1)


def remove_orphaned_files() -> int:
    """Delete the files in FILE_FOLDERS that no row names, once older than
    ORPHAN_GRACE, and the folders left empty; the number of files deleted."""
    media = Path(settings.MEDIA_ROOT)
    named = _named_files()
    oldest = (timezone.now() - ORPHAN_GRACE).timestamp()
    removed, emptied = 0, set()
    for folder in FILE_FOLDERS:
        root = media / folder
        if not root.is_dir():
            continue
        # Deepest first: a folder comes after the files in it.
        for path in sorted(root.rglob("*"), reverse=True):
            if path.is_dir():
                old = path in emptied or path.stat().st_mtime < oldest
                if old and not any(path.iterdir()):
                    path.rmdir()
                    emptied.add(path.parent)
            elif path.relative_to(media).as_posix() not in named:
                if path.stat().st_mtime < oldest:
                    path.unlink(missing_ok=True)
                    removed += 1
                    emptied.add(path.parent)
    return removed


def _named_files() -> set[str]:
    named = set()
    for model, fields in FILE_FIELDS.items():
        for values in model._base_manager.values_list(*fields):
            named.update(value for value in values if value)
    return named


def run_retention() -> dict[str, int]:
    """Every rule by age, once; what each erased."""
    from advice.tasks import anonymise_expired_cases

    from .spreadsheets import remove_stale_uploads
    from .tasks import purge_expired_sessions_and_login_records

    remove_stale_uploads()
    return {
        "advice_cases": anonymise_expired_cases(),
        **purge_expired_sessions_and_login_records(),
        "orphaned_files": remove_orphaned_files(),
    }
