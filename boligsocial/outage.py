"""A database that is down or restarting: a 503 "try again" page, not a 500.

PostgreSQL restarts (an upgrade, a crash, a fail-over) take a few seconds. A
request that needs it meanwhile fails with OperationalError or InterfaceError
wherever it first touches the database: in a view, or in a middleware that loads
the session or the user. Django turns such an exception into its 500 answer right
where it was raised, so no middleware around it ever sees the exception. The
signal Django sends while it handles the exception (got_request_exception) marks
the request instead, and DatabaseOutageMiddleware, outside every middleware that
touches the database, answers a marked 500 with 503 and Retry-After. (Saving the
session after the view would give a 400 "session interrupted" instead, but for
boligsocial/sessions.py, which lets the database's error through.)

The exception is logged as before, and nothing is retried: a POST may have been
saved before its session could be (the page says to check before sending again).
The next request opens a new connection (a kept one is checked first:
CONN_HEALTH_CHECKS), so the portal carries on by itself once the database is
back, without restarting gunicorn. bin/load --db-restart measures it under load.
"""

import sys

from csp.utils import build_policy
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

# A restart takes a few seconds; browsers and proxies may try again after this.
RETRY_AFTER_SECONDS = 5


@receiver(got_request_exception, dispatch_uid="boligsocial.outage")
def note_database_unavailable(sender, request=None, **kwargs) -> None:
    # Sent while the exception is being handled: sys.exception() is it.
    if request is not None and isinstance(
        sys.exception(), (OperationalError, InterfaceError)
    ):
        request.database_unavailable = True


class DatabaseOutageMiddleware:
    """A 500 caused by the database being unreachable becomes a 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 500
            and getattr(request, "database_unavailable", False)
            and not settings.DEBUG  # a developer wants the traceback page
        ):
            return database_unavailable(response)
        return response


def database_unavailable(response):
    """The 500 answer as a 503, with the headers the middlewares gave it; the page
    is rendered without the request, whose context processors would ask the
    database for the user. The policy and frame options are added when the
    failure came before their middlewares could add them."""
    response.status_code = 503
    response.content = render_to_string("503.html")
    response["Content-Length"] = str(len(response.content))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.setdefault("Content-Security-Policy", build_policy())
    response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    add_never_cache_headers(response)
    return response
