"""The deletion journal: what was erased, kept outside the database and its backups.

A backup restored after an erasure would bring the person back (GDPR art. 17;
Datatilsynet asks how deleted data is kept from coming back). So every erasure
writes one entry to the journal's own storage (STORAGES["journal"]): the model's
label, the row's id, what was done and when, never anything about the person.
`manage.py restore` applies the entries again once it has restored a backup
(`replay`).

Each entry is a file of its own, named by its time (and a counter, for entries
within one microsecond), never changed once written: on disk in the journal's
folder (its own volume, one machine), or in the object store under its own
prefix (several machines; S3_BUCKET), where it survives the loss of the database
and of any machine, and every web process and worker writes to the same journal.
The single file an earlier version appended lines to (`*.jsonl` in the journal's
folder) is read as well.

An entry is written when the erasure is made, before its transaction commits:
the journal can hold an erasure whose transaction rolled back (a restore then
makes it, as someone had decided), but never lacks one that committed. Rules
that erase by age alone (login records, sessions) are not journalled: restore
runs them again.
"""

import contextlib
import contextvars
import datetime
import itertools
import json
import uuid
from collections.abc import Callable, Iterator

from django.core.files.storage import storages
from django.db import models, transaction
from django.utils import timezone

from . import storage

ANONYMISE = "anonymise"
WITHDRAW = "withdraw"
DELETE = "delete"

_paused = contextvars.ContextVar("deletion_journal_paused", default=False)


_sequence = itertools.count()


def _storage():
    return storages["journal"]


def record(instance: models.Model, action: str, *, on: datetime.date | None = None):
    """Write one erasure of `instance` to the journal, stored before returning."""
    if _paused.get():
        return
    now = timezone.now()
    entry = {
        "at": now.isoformat(timespec="seconds"),
        "model": instance._meta.label_lower,
        "pk": instance.pk,
        "action": action,
    }
    if on is not None:
        entry["on"] = on.isoformat()
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    name = f"{stamp}-{next(_sequence):09d}-{uuid.uuid4().hex[:12]}.json"
    content = json.dumps(entry, sort_keys=True).encode()
    storage.save_new(_storage(), name, content, durable=True)


def entries() -> Iterator[dict]:
    """The journal's entries, oldest first; none when there is no journal yet."""
    journal = _storage()
    # An earlier version's file of lines holds the oldest entries.
    names = sorted(storage.walk(journal), key=lambda n: (not n.endswith(".jsonl"), n))
    for name in names:
        with journal.open(name, "rb") as stored:
            text = stored.read().decode()
        if name.endswith(".jsonl"):  # an earlier version's one file of lines
            yield from (json.loads(line) for line in text.splitlines() if line.strip())
        elif name.endswith(".json"):
            yield json.loads(text)


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
