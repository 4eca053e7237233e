"""Celery beat, one at a time: the scheduler runs only while it holds a lock.

Two beats (a second machine, a deploy that starts the new container before the old
one stops) would each send every periodic task. So beat's scheduler first takes a
PostgreSQL advisory lock on a connection of its own, and waits while another beat
holds it (trying every BEAT_LOCK_RETRY seconds). The lock is the connection's: when
the beat holding it dies, however it dies, PostgreSQL lets it go and a waiting beat
takes over. A beat that loses its connection (the database restarted) cannot know
whether another took over meanwhile, so it stops (exit 1), and its container's
restart policy starts it again to wait its turn. The lock needs a session of its
own: connect beat to PostgreSQL directly, not through a pooler in transaction mode.

Beat also touches BEAT_HEARTBEAT_FILE at each tick, and while it waits, for the
container's health check (boligsocial/healthcheck.py). SQLite (development, one
machine) has no such locks: there beat runs unguarded.
"""

import logging
import os
import time
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

# Any number of our own, the same in every beat: "BSH-BEAT" as 8 bytes.
LOCK_KEY = int.from_bytes(b"BSH-BEAT", "big")


def alive() -> None:
    path = Path(settings.BEAT_HEARTBEAT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def hold_lock():
    """The connection holding the beat lock, once this beat has it (None on
    SQLite)."""
    lock = connections.create_connection("default")
    if lock.vendor != "postgresql":
        log.info("Beat runs without a lock (%s has none).", lock.vendor)
        return None
    # A network that drops silently would leave the lock held by a beat that can
    # no longer use it: TCP keepalives find such a connection dead in about a
    # minute, and PostgreSQL then lets the lock go (no effect on a Unix socket).
    lock.settings_dict = {
        **lock.settings_dict,
        "OPTIONS": {
            **lock.settings_dict.get("OPTIONS", {}),
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        },
    }
    told = False
    while True:
        alive()
        try:
            with lock.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                held = cursor.fetchone()[0]
        except Exception:  # noqa: BLE001 - the database away: try again
            log.warning("Beat could not ask for its lock.", exc_info=True)
            lock.close()
            held = False
        if held:
            log.info("Beat holds the lock: this beat sends the periodic tasks.")
            return lock
        if not told:
            log.info("Another beat holds the lock: this one waits.")
            told = True
        time.sleep(settings.BEAT_LOCK_RETRY)


def still_held(lock) -> bool:
    try:
        with lock.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure: the lock may be gone
        return False


class SingleBeat(PersistentScheduler):
    """Celery's scheduler (its schedule file and all), guarded by the lock."""

    lock = None

    def setup_schedule(self):
        self.lock = hold_lock()
        super().setup_schedule()

    def tick(self, *args, **kwargs):
        if self.lock is not None and not still_held(self.lock):
            # Not SystemExit: celery's beat takes that for a normal stop (exit 0).
            # The container's restart policy starts it again, to wait its turn.
            log.error("Beat lost its lock (the database went away): stopping.")
            os._exit(1)
        alive()
        return super().tick(*args, **kwargs)

    def close(self):
        super().close()
        if self.lock is not None:
            self.lock.close()
