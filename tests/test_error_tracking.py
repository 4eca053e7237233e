"""Errors reach Sentry without anything personal: a failing page's event, sent by
sentry-sdk over HTTP to a DSN served here, names the failure and its place in the
code, and no CPR number or name that the request, the exception's message, a
variable or a log line held."""

import gzip
import http.server
import io
import json
import logging
import threading
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import brotli
import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from boligsocial import error_tracking, views

CPR_NUMBER = "010190-1234"
NAME = "Amira Hansen"
# A secret in the path, as an invitation's or a password reset's link has one.
TOKEN = "c2VjcmV0LWludml0YXRpb24tdG9rZW4"


@csrf_exempt
def sign_up_that_fails(request, token):
    """A view with a bug, holding a resident's personal data when it fails."""
    name, cpr = request.POST["name"], request.POST["cpr"]
    logging.getLogger("boligsocial.signups").warning("Saving %s (%s)", name, cpr)
    raise ValueError(f"Could not save {name} ({cpr}, {cpr.replace('-', '')})")


# This module is the URL configuration of its tests: the portal and the failing view.
urlpatterns = [
    path("sign-up-that-fails/<token>/", sign_up_that_fails),
    path("", include("boligsocial.urls")),
]
handler500 = views.server_error


class Receiver(http.server.BaseHTTPRequestHandler):
    """Sentry's ingestion, as far as a client sees it: takes envelopes, says 200."""

    envelopes: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        # As a Sentry server takes them: brotli, gzip or plain.
        encoding = self.headers.get("Content-Encoding")
        body = {"br": brotli.decompress, "gzip": gzip.decompress}.get(
            encoding, lambda body: body
        )(body)
        Receiver.envelopes.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry():
    """Error tracking on, as the settings start it, to a DSN served in a thread;
    yields the events it received (as parsed JSON and as raw bytes), and turns it
    off again afterwards."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.envelopes = []
    host, port = server.server_address
    error_tracking.start(f"http://publickey@{host}:{port}/1", environment="test")
    try:
        yield Receiver.envelopes
    finally:
        sentry_sdk.init(dsn=None)
        server.shutdown()


def events(envelopes: list[bytes]) -> list[dict]:
    found = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def post_as_gunicorn_would(path: str, form: dict, cookie: str) -> str:
    """The request through Django's WSGI application, as gunicorn calls it (with
    sentry-sdk's wrapping of it); returns the status line."""
    body = urlencode(form).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": urlencode({"cpr": form["cpr"]}),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": cookie,
        "HTTP_USER_AGENT": "Mozilla/5.0 (" + NAME + ")",
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    status = []
    answer = WSGIHandler()(environ, lambda line, headers: status.append(line))
    b"".join(answer)
    return status[0]


@pytest.mark.urls(__name__)
# Django's WSGI handler closes the connection after each request, as it does under
# gunicorn: the test's data is committed, not held in one transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_page_reaches_sentry_without_the_cpr_number_the_name_or_a_token(
    sentry,
):
    status = post_as_gunicorn_would(
        f"/sign-up-that-fails/{TOKEN}/",
        {"name": NAME, "cpr": CPR_NUMBER},
        cookie="sessionid=planted-session-key",
    )
    assert status.startswith("500")
    sentry_sdk.flush(timeout=10)

    [event] = events(sentry)
    [exception] = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["stacktrace"]["frames"][-1]["function"] == "sign_up_that_fails"
    assert event["request"] == {"method": "POST"}
    assert event["transaction"] == "/sign-up-that-fails/{token}/"
    raw = b"".join(sentry).decode()
    for planted in (CPR_NUMBER, CPR_NUMBER.replace("-", ""), "Amira", "Hansen", TOKEN):
        assert planted not in raw
    # Nor the person's cookies or what their browser sent.
    assert "planted-session-key" not in raw and "Mozilla" not in raw


def test_a_cpr_number_left_in_what_is_kept_is_masked():
    event = {
        "transaction": "/people/0101901234/",
        "request": {"method": "GET", "url": "https://portal/people/010190-1234/"},
        "extra": {"note": NAME},
    }

    kept = error_tracking.scrubbed(event)

    assert kept["transaction"] == "/people/[CPR]/"
    assert kept["request"] == {"method": "GET"}
    assert "extra" not in kept
