"""Locking out password guessing, on django-axes' records.

axes locks a user name at one address after AXES_FAILURE_LIMIT failures (the
lock ends after the cool-off; a colleague at the same address is not locked).
Someone spraying a few passwords over many names from one address stays under
that for every name; this adds a lock on the address itself once it has failed
ADDRESS_FAILURE_LIMIT times within ADDRESS_FAILURE_WINDOW, whatever the names,
counted from axes' log of failures (one row each, AXES_ENABLE_ACCESS_FAILURE_LOG).
The limit is higher than a user's, as a municipality's office behind one
address has many people who mistype.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone


def failures_from(address: str) -> int:
    """Failed logins from the address within the window, whichever names."""
    since = timezone.now() - settings.ADDRESS_FAILURE_WINDOW
    return AccessFailureLog.objects.filter(
        ip_address=address, attempt_time__gt=since
    ).count()


def minutes_until_unlocked(address: str) -> int:
    """When the address's lock ends: once enough of its failures have left the
    window to bring it under the limit (at least a minute)."""
    since = timezone.now() - settings.ADDRESS_FAILURE_WINDOW
    times = AccessFailureLog.objects.filter(
        ip_address=address, attempt_time__gt=since
    ).order_by("attempt_time")
    excess = max(times.count() - settings.ADDRESS_FAILURE_LIMIT, 0)
    leaves = times.values_list("attempt_time", flat=True)[excess : excess + 1]
    if not leaves:
        return 1
    ends = leaves[0] + settings.ADDRESS_FAILURE_WINDOW
    return max(math.ceil((ends - timezone.now()).total_seconds() / 60), 1)


class LockoutHandler(AxesDatabaseHandler):
    """axes' own handler, which also locks an address that failed too often: the
    failure that reaches the limit is answered with the lock-out page, and so is
    every attempt from there until the failures leave the window. Attempts refused
    during a lock are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is
    off), so nobody can keep an office's address locked by trying on."""

    def is_locked(self, request, credentials=None) -> bool:
        user_locked = super().is_locked(request, credentials)
        return self.address_locked(request) or user_locked

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            request is not None
            and not request.axes_locked_out
            and not self.is_whitelisted(request, credentials)
        ):
            request.axes_locked_out = self.address_locked(request)

    @staticmethod
    def address_locked(request) -> bool:
        address = getattr(request, "axes_ip_address", None)
        if not (settings.AXES_LOCK_OUT_AT_FAILURE and address):
            return False
        if failures_from(address) >= settings.ADDRESS_FAILURE_LIMIT:
            # The page says how long this lock lasts (views.locked_out).
            request.address_locked_out = True
            return True
        return False
