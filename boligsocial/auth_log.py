"""Authentication events, one log record each on the `boligsocial.auth` logger.

A password refused or accepted, a lockout (django-axes), a code from the
authenticator app (or a backup code) refused, throttled or accepted, a logout:
each with the user name as typed, the client's address as django-axes reads it
(behind the proxies AXES_PROXY_COUNT names), the outcome and the factor. The
record's own time is written in UTC by boligsocial.logging, which also keeps a
user name with a newline in it on one line.

Never a password or a code: Django sends user_login_failed with the password
already masked and only the user name is read from it; nothing here reads a
request's body. django-axes keeps its own tables besides (AccessAttempt for the
lock, AccessLog of logins, purged after LOGIN_LOG_RETENTION by housekeeping);
this is the stream a log collector keeps.

Connected in BoligsocialConfig.ready; the code prompt calls `code_given`.
"""

import logging

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

log = logging.getLogger("boligsocial.auth")

PASSWORD = "password"  # noqa: S105 - the name of a factor
ONE_TIME_CODE = "otp"  # the authenticator app's code or a backup code
SESSION = "session"


def auth_event(
    request,
    *,
    event: str,
    outcome: str,
    factor: str,
    username: str | None,
    level: int = logging.INFO,
) -> None:
    """One record; the fields also ride on it as attributes, for a JSON shipper."""
    ip = get_client_ip_address(request) if request is not None else None
    log.log(
        level,
        "%s outcome=%s factor=%s username=%r ip=%s",
        event,
        outcome,
        factor,
        username,
        ip,
        extra={
            "event": event,
            "outcome": outcome,
            "factor": factor,
            "username": username,
            "client_ip": ip,
        },
    )


@receiver(user_login_failed)
def password_refused(sender, credentials: dict, request=None, **kwargs) -> None:
    auth_event(
        request,
        event="login",
        outcome="failure",
        factor=PASSWORD,
        username=credentials.get("username"),
        level=logging.WARNING,
    )


@receiver(user_logged_in)
def password_accepted(sender, request, user, **kwargs) -> None:
    # For a person who needs two factors the login goes on at the code prompt.
    auth_event(
        request,
        event="login",
        outcome="success",
        factor=PASSWORD,
        username=user.get_username(),
    )


@receiver(user_locked_out)
def locked_out(sender, request, username: str, **kwargs) -> None:
    """axes locked the user name at this address, or refused it while locked."""
    auth_event(
        request,
        event="lockout",
        outcome="locked",
        factor=PASSWORD,
        username=username,
        level=logging.WARNING,
    )


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs) -> None:
    auth_event(
        request,
        event="logout",
        outcome="success",
        factor=SESSION,
        username=user.get_username() if user else None,
    )


def code_given(request, user, form) -> None:
    """A code sent from the code prompt or the app's setup, once its form is
    validated: accepted, wrong, or refused unheard after too many wrong ones."""
    if form.is_valid():
        outcome, level = "success", logging.INFO
    elif form.has_error("code", "throttled"):
        outcome, level = "throttled", logging.WARNING
    else:
        outcome, level = "failure", logging.WARNING
    auth_event(
        request,
        event="code",
        outcome=outcome,
        factor=ONE_TIME_CODE,
        username=user.get_username(),
        level=level,
    )
