"""A database that goes away: the person gets a 503 "try again" page at once, not
a 500 and not a wait, and the portal carries on by itself once it is back
(boligsocial/outage.py). bin/load --db-restart does the same under load, with
PostgreSQL really restarted; these are the quick versions, each with the
database really gone for the request: its connection ended by the server, no
server at all, and a server that never answers."""

import socket
import tempfile
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError, close_old_connections, connection, connections
from django.urls import reverse

from boligsocial.sessions import SessionStore
from conftest import TwoFactorClient

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL, as bin/test runs"
    ),
]

RECORDS = reverse("activities:record_list")


@pytest.fixture
def browser(staff) -> TwoFactorClient:
    # As gunicorn runs it: an exception becomes the error page, it is not raised.
    client = TwoFactorClient(raise_request_exception=False)
    client.force_login(staff)
    return client


@pytest.fixture
def database_elsewhere():
    """Points the portal's connection somewhere else, and back afterwards."""
    original = connection.settings_dict.copy()

    def point(**changes):
        connection.close()
        connection.settings_dict.update(changes)

    yield point
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(original)


def assert_try_again_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert 'data-testid="database-unavailable"' in response.content.decode()


def end_our_connection_from_the_server() -> None:
    """What a restart (pg_ctl restart -m fast) does to every open connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(50):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.1)
        raise AssertionError(f"backend {pid} still there")
    finally:
        other.close()


def test_a_connection_the_server_ended_gives_the_try_again_page_then_work_goes_on(
    browser,
):
    assert browser.get(RECORDS).status_code == 200
    end_our_connection_from_the_server()

    # The session is the first thing read: the failure is in a middleware, before
    # any view, where Django has already made its 500 of it.
    assert_try_again_page(browser.get(RECORDS))

    # Django drops the broken connection when a request ends (under gunicorn; the
    # test client leaves it to us), and the next request opens a new one.
    close_old_connections()
    assert browser.get(RECORDS).status_code == 200


def test_a_database_server_that_is_not_there_gives_the_try_again_page(
    browser, database_elsewhere
):
    with tempfile.TemporaryDirectory() as no_server:
        database_elsewhere(HOST=no_server)  # a socket folder with no socket in it
        started = time.monotonic()
        response = browser.get(RECORDS)
    assert_try_again_page(response)
    assert time.monotonic() - started < 2  # refused at once: no waiting


def test_a_database_server_that_never_answers_gives_up_after_the_connect_timeout(
    browser, database_elsewhere
):
    assert settings.DATABASES["default"]["OPTIONS"]["connect_timeout"] == 3
    # Takes the connection and never says a word (its backlog accepts it).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host, port = silent.getsockname()
        # The shortest timeout, to keep the test quick; the setting is 3 s.
        database_elsewhere(HOST=host, PORT=port, OPTIONS={"connect_timeout": 2})
        started = time.monotonic()
        response = browser.get(RECORDS)
        waited = time.monotonic() - started
    assert_try_again_page(response)
    assert 2 <= waited < 10  # gave up, rather than waiting for ever


def test_a_session_the_database_is_gone_to_save_is_not_said_to_be_interrupted(
    database_elsewhere,
):
    """Django answers 400 "session interrupted" when saving a session fails; with
    the database gone the error goes on, to become the 503 page."""
    session = SessionStore()
    session["page"] = "records"
    session.create()
    with tempfile.TemporaryDirectory() as no_server:
        database_elsewhere(HOST=no_server)
        session["page"] = "record form"
        with pytest.raises(OperationalError):
            session.save()


def test_a_session_deleted_meanwhile_is_still_interrupted():
    """Django's own case (a logout in another tab) stays as Django has it."""
    session = SessionStore()
    session["page"] = "records"
    session.create()
    SessionStore(session_key=session.session_key).delete()
    session["page"] = "record form"
    with pytest.raises(UpdateError):
        session.save()
