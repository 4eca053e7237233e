"""Health endpoints for the proxy and the people who keep the portal running.

/health/ says the process answers (liveness): 200, nothing more.
/health/ready/ says whether the portal can do its work now (readiness): the
database answers SELECT 1, Redis answers a PING as broker and as cache, and a
Celery worker answers a ping over the broker (a worker that is gone, hung or cut
off from the broker does not answer, which a timestamp it once wrote would not
tell). 200 with each part "ok", or 503 naming the parts that are down.

Neither is public (it would tell an attacker what is down): a monitor sends
`Authorization: Bearer <HEALTH_TOKEN>`, and a signed-in coordinator or admin may
look in a browser. Anyone else gets the portal's 404, as for a page that does not
exist. The answer names parts and says "ok" or "down", never an address, a URL
or an error message (they can hold host names or passwords); the log has those.
Each check waits at most REDIS_TIMEOUT, so a part that hangs answers "down".
"""

import hmac
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import Error as DatabaseError
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .celery import app
from .models import Role

log = logging.getLogger(__name__)

ALLOWED_METHODS = ("GET", "HEAD")
# Signed in, these may look in a browser.
LOOKERS = (Role.COORDINATOR, Role.ADMIN)


def may_see_health(request) -> bool:
    """The monitor's token (checked first: it needs no database), or a signed-in
    coordinator or admin."""
    token = settings.HEALTH_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if (
        token
        and scheme == "Bearer"
        and hmac.compare_digest(given.encode(), token.encode())
    ):
        return True
    user = request.user
    return user.is_authenticated and user.is_active and user.role in LOOKERS


def _refusal(request) -> HttpResponse | None:
    """404 for anyone without access (not even the method is told), then 405
    for anything but GET and HEAD."""
    if not may_see_health(request):
        raise Http404
    if request.method not in ALLOWED_METHODS:
        return HttpResponseNotAllowed(ALLOWED_METHODS)
    return None


# A monitor sends no CSRF token, and these views change nothing.
@csrf_exempt
@never_cache
def health_live(request):
    return _refusal(request) or JsonResponse({"status": "ok"})


@csrf_exempt
@never_cache
def health_ready(request):
    if refused := _refusal(request):
        return refused
    checks = {"database": _database}
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        checks["broker"] = _broker
    if hasattr(caches["default"], "ping"):
        checks["cache"] = _cache
    checks["worker"] = _worker
    parts = {name: _state(name, check) for name, check in checks.items()}
    failed = [name for name, state in parts.items() if state != "ok"]
    if failed:
        body = {"status": "down", "failed": failed, "parts": parts}
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ok", "parts": parts})


def _state(name: str, check) -> str:
    try:
        return "ok" if check() else "down"
    except Exception as error:  # noqa: BLE001 - any failure is "down", logged
        log.warning("Health check %s failed: %s: %s", name, type(error).__name__, error)
        return "down"


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        # A connection that broke must not be handed to the next request.
        connection.close_if_unusable_or_obsolete()
        raise


def _broker() -> bool:
    with app.connection_for_write(
        url=settings.CELERY_BROKER_URL, transport_options=_quick()
    ) as broker:
        return broker.default_channel.client.ping()


def _cache() -> bool:
    return caches["default"].ping()


def _worker() -> bool:
    """At least one worker answers a ping within the time (limit=1: the first
    answer ends the wait). The ping goes out over this connection: Celery's own
    `control.ping` publishes through the app's pooled connections, which wait
    for a broker that hangs without the timeouts here."""
    mailbox = app.control.Mailbox(
        app.conf.control_exchange,
        type="fanout",
        accept=app.conf.accept_content,
        serializer=app.conf.task_serializer,
    )
    with app.connection_for_write(
        url=settings.CELERY_BROKER_URL, transport_options=_quick()
    ) as broker:
        replies = mailbox(broker)._broadcast(
            "ping", {}, reply=True, timeout=settings.REDIS_TIMEOUT, limit=1
        )
    return any("ok" in reply for answer in replies or [] for reply in answer.values())


def _quick() -> dict:
    """One try, and no answer waited for longer than REDIS_TIMEOUT."""
    timeout = settings.REDIS_TIMEOUT
    return {
        "max_retries": 0,
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
    }
