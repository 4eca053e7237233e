"""A lease on long work (a report's build, an export, a sheet's check or import):
whoever does it renews the lease every LEASE_SECONDS / 3 seconds while it goes
on, however long that takes, from a thread with a database connection of its own.
Work whose lease ran out has lost its worker (killed, out of memory, its host
gone): the sweepers, every 30 s, build it again (reports) or give it up so the
person can try again (exports, imports), within a minute. Slow work keeps beating
and is never taken from under itself."""

import datetime
import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


def ended(now: datetime.datetime | None = None) -> Q:
    """Work (a row with `heartbeat_at` and `started_at`) whose lease has run out;
    the caller adds the status that means "being worked on"."""
    now = now or timezone.now()
    expired = now - datetime.timedelta(seconds=settings.LEASE_SECONDS)
    return Q(heartbeat_at__lt=expired) | Q(
        heartbeat_at__isnull=True, started_at__lt=expired
    )


def has_ended(heartbeat_at, started_at) -> bool:
    """The rule of `ended`, for a row in hand."""
    last_sign = heartbeat_at or started_at
    expired = timezone.now() - datetime.timedelta(seconds=settings.LEASE_SECONDS)
    return last_sign is not None and last_sign < expired


@contextmanager
def kept(renew: Callable[[], bool], *, name: str):
    """While the block runs, `renew()` every LEASE_SECONDS / 3 seconds, until it
    says the work is no longer this one's (taken over, given up or finished; the
    work itself finds out on its own connection, when it stores its result). A
    renewal that fails (the database away a moment) is tried again at the next
    beat."""
    done = threading.Event()

    def beat():
        try:
            while not done.wait(settings.LEASE_SECONDS / 3):
                try:
                    if not renew():
                        return
                except Exception:  # noqa: BLE001 - tried again at the next beat
                    log.warning("%s: the lease was not renewed.", name)
                    connection.close()
        finally:
            connection.close()

    beating = threading.Thread(target=beat, name=f"lease {name}", daemon=True)
    beating.start()
    try:
        yield
    finally:
        done.set()
        beating.join()
