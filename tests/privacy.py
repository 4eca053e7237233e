"""Shared by the privacy tests: each test's own deletion journal, and the figures
the retention, export and suppression tests leave in the artefacts folder.

The conftests of the apps whose tests erase import `deletion_journal`, so that no
test writes to the journal of the developer's portal in var/.
"""

import fcntl
import json
from pathlib import Path

import pytest

FIGURES = "privacy.json"
SUMMARY = "privacy.txt"


@pytest.fixture(autouse=True)
def deletion_journal(settings, tmp_path) -> Path:
    """The test's own deletion journal: its folder (STORAGES["journal"])."""
    folder = tmp_path / "journal"
    settings.STORAGES = {
        **settings.STORAGES,
        "journal": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder


def record_figures(artefacts: Path, part: str, test: str, **figures: int) -> None:
    """Keep one test's figures under `part` and write the summary line again, so
    the line holds every privacy test of the run, whatever their order."""
    path = artefacts / FIGURES
    # Two test processes may add theirs at the same moment: one at a time.
    with open(artefacts / f"{FIGURES}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = json.loads(path.read_text()) if path.exists() else {}
        kept.setdefault(part, {})[test] = figures
        path.write_text(json.dumps(kept, indent=2, sort_keys=True))
        (artefacts / SUMMARY).write_text(summary(kept) + "\n")


def summary(kept: dict) -> str:
    def total(part: str, name: str) -> int | str:
        tests = kept.get(part)
        return sum(f[name] for f in tests.values()) if tests else "not measured"

    linked = total("export", "linked")
    return (
        f"expired records remaining after purge: {total('retention', 'remaining')}; "
        f"files left: {total('retention', 'files_left')}; "
        f"export completeness: {total('export', 'found')} of {linked} linked rows; "
        f"suppression: {total('suppression', 'tables')} generated tables, "
        f"{total('suppression', 'small_cells')} published cells < 5, "
        f"{total('suppression', 'derivable')} derivable"
    )
