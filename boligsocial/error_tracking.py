"""Errors to Sentry (sentry-sdk) when SENTRY_DSN is set, with nothing personal.

A failure's event could carry what a person typed (the request's form, a value in
an exception's message, a local variable of a frame, a logged SQL query among the
breadcrumbs) and so a CPR number or a resident's name. Rather than guess what may
be personal, an event keeps only what is written in our code or names the
failure: the exception's type and module, its stack (files, functions, lines and
their source), the request's method and its route (the URL pattern, never the
path: a path can hold a token), the logger's message template
without its values, the level, environment, release and server. Everything else
is dropped before it leaves the process, and anything left that reads as a CPR
number is masked. The web processes, the worker and beat report alike: the
settings start it in each.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from .sensitive import CPR_PATTERN

KEPT = {
    "event_id",
    "timestamp",
    "level",
    "platform",
    "logger",
    "transaction",
    "transaction_info",
    "server_name",
    "release",
    "environment",
    "sdk",
    "exception",
    "request",
    "logentry",
    "fingerprint",
}
KEPT_CONTEXTS = {"runtime", "os", "trace"}
KEPT_FRAME = {
    "filename",
    "abs_path",
    "module",
    "function",
    "lineno",
    "colno",
    "in_app",
    "pre_context",
    "context_line",
    "post_context",
}


def scrubbed(event: dict, hint=None) -> dict:
    """The event with only the allowed parts (sentry-sdk's before_send)."""
    kept = {key: value for key, value in event.items() if key in KEPT}
    contexts = event.get("contexts") or {}
    kept["contexts"] = {k: v for k, v in contexts.items() if k in KEPT_CONTEXTS}
    for exception in (kept.get("exception") or {}).get("values") or []:
        # The message may quote what was typed; the type and the stack say where.
        exception.pop("value", None)
        stack = exception.get("stacktrace") or {}
        stack["frames"] = [
            {k: v for k, v in frame.items() if k in KEPT_FRAME}
            for frame in stack.get("frames") or []
        ]
    if request := kept.get("request"):
        # Not its URL: a path may carry a secret (an invitation's or a password
        # reset's token, a calendar feed's key). The transaction names the route.
        kept["request"] = {"method": request.get("method")}
    if logentry := kept.get("logentry"):
        # The template is ours ("Error %s on %s"); its values may be anyone's.
        kept["logentry"] = {"message": logentry.get("message")}
    return _masked(kept)


def _masked(value):
    if isinstance(value, str):
        return CPR_PATTERN.sub("[CPR]", value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def start(dsn: str, *, environment: str, release: str | None = None) -> None:
    """Report errors to the DSN; called by the settings when SENTRY_DSN is set."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # The transaction is the route ("/account/invitation/{token}/"), not a path.
        integrations=[DjangoIntegration(transaction_style="url"), CeleryIntegration()],
        # Nothing about the person (sentry-sdk's default), the request's body or a
        # frame's variables is collected in the first place; scrubbed() drops the
        # rest.
        max_request_body_size="never",
        include_local_variables=False,
        max_breadcrumbs=0,
        before_send=scrubbed,
        # Errors only: no performance tracing, no profiles.
        traces_sample_rate=0,
    )
