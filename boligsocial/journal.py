"""The deletion journal: what was erased, kept outside the database and its backups.

A backup restored after an erasure would bring the person back (GDPR art. 17;
Datatilsynet asks how deleted data is kept from coming back). So every erasure
appends one line to settings.DELETION_JOURNAL: the model's label, the row's id,
what was done and when, never anything about the person. `manage.py restore`
applies the lines again once it has restored a backup (`replay`).

A line is written when the erasure is made, before its transaction commits: the
journal can hold an erasure whose transaction rolled back (a restore then makes
it, as someone had decided), but never lacks one that committed. Rules that
erase by age alone (login records, sessions) are not journalled: restore runs
them again.
"""

import contextlib
import contextvars
import datetime
import json
import os
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

ANONYMISE = "anonymise"
WITHDRAW = "withdraw"
DELETE = "delete"

_paused = contextvars.ContextVar("deletion_journal_paused", default=False)


def record(instance: models.Model, action: str, *, on: datetime.date | None = None):
    """Append one erasure of `instance` to the journal, on disk before returning."""
    if _paused.get():
        return
    entry = {
        "at": timezone.now().isoformat(timespec="seconds"),
        "model": instance._meta.label_lower,
        "pk": instance.pk,
        "action": action,
    }
    if on is not None:
        entry["on"] = on.isoformat()
    line = (json.dumps(entry, sort_keys=True) + "\n").encode()
    path = settings.DELETION_JOURNAL
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write on an O_APPEND file: lines from web and worker processes never mix.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def entries() -> Iterator[dict]:
    """The journal's lines, oldest first; none when there is no journal yet."""
    try:
        lines = settings.DELETION_JOURNAL.read_text().splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        if line.strip():
            yield json.loads(line)


@contextlib.contextmanager
def paused():
    """Erasures made again from the journal are in it already."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def replay(steps: dict[tuple[str, str], Callable[[dict], bool]]) -> dict[str, int]:
    """Apply every line again: `steps` maps (model label, action) to a function of
    the line that erases the row if it is still there and says whether it did.
    Returns how many lines were read, applied again, and of an unknown kind."""
    counts = {"lines": 0, "applied": 0, "unknown": 0}
    with paused():
        for entry in entries():
            counts["lines"] += 1
            step = steps.get((entry["model"], entry["action"]))
            if step is None:
                counts["unknown"] += 1
                continue
            with transaction.atomic():
                counts["applied"] += bool(step(entry))
    return counts
