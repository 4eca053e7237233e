"""Authentication events in the log (checklist item 6) and the log's lines (item 33).

A wrong and a right password, a lockout, a wrong and a right code and a logout
are each one record on `boligsocial.auth` with the user name, the client's
address, the outcome and the factor; the password and the code are in no record
and in no row of the login or access logs. A record is one line, whatever the
user name holds, and its time is UTC ISO-8601.
"""

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from advice.models import CaseAccess
from boligsocial.logging import LineFormatter
from conftest import PASSWORD, TEST_TOTP_KEY, a_wrong_code, authenticator_code

ADDRESS = "198.51.100.23"
WRONG_PASSWORD = "not-the-passphrase-4417"
# 08:00 UTC is 10:00 in Copenhagen: a local time in the log would show.
NOW = datetime.datetime(2026, 5, 4, 8, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def events(caplog) -> list[tuple]:
    return [
        (r.event, r.outcome, r.factor, r.username, r.client_ip)
        for r in caplog.records
        if r.name == "boligsocial.auth"
    ]


def log_in(client, username: str, password: str = PASSWORD):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ADDRESS,
    )


def give_code(client, code: str):
    return client.post(
        reverse("two_factor_verify"), {"code": code}, REMOTE_ADDR=ADDRESS
    )


@pytest.fixture
def app(advisor) -> TOTPDevice:
    return TOTPDevice.objects.create(
        user=advisor, name="default", key=TEST_TOTP_KEY, confirmed=True
    )


# What every record has; the rest was added by whoever logged it (`extra=`).
STANDARD = {*vars(logging.makeLogRecord({})), "message", "asctime"}


def extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in STANDARD}


def line(record: logging.LogRecord) -> str:
    """The record as the console handler writes it (settings.LOGGING)."""
    return LineFormatter(settings.LOGGING["formatters"]["line"]["fmt"]).format(record)


def test_a_wrong_password_is_logged_as_a_failure_with_name_and_address(
    client, partner, caplog
):
    log_in(client, "partner", WRONG_PASSWORD)

    assert events(caplog) == [("login", "failure", "password", "partner", ADDRESS)]
    assert caplog.records[-1].levelname == "WARNING"


def test_a_right_password_is_logged_as_a_success(client, partner, caplog):
    log_in(client, "partner")
    assert events(caplog) == [("login", "success", "password", "partner", ADDRESS)]


def test_a_lockout_is_logged_and_so_is_each_attempt_while_locked(
    client, partner, caplog
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "partner", WRONG_PASSWORD)
    log_in(client, "partner")

    failure = ("login", "failure", "password", "partner", ADDRESS)
    lockout = ("lockout", "locked", "password", "partner", ADDRESS)
    # axes locks on the last failure, while Django tells of it (its receiver runs
    # before ours); the right password while locked is refused and locked again.
    limit = settings.AXES_FAILURE_LIMIT
    expected = [*[failure] * (limit - 1), lockout, failure, lockout, failure]
    assert events(caplog) == expected


def test_a_right_code_is_logged_as_a_success_of_the_second_factor(
    client, advisor, app, caplog
):
    log_in(client, "advisor")
    caplog.clear()

    give_code(client, authenticator_code(app))

    assert events(caplog) == [("code", "success", "otp", "advisor", ADDRESS)]


def test_a_wrong_code_and_then_a_throttled_one_are_two_records(
    client, advisor, app, caplog
):
    log_in(client, "advisor")
    caplog.clear()
    wrong = a_wrong_code(app)

    give_code(client, wrong)
    give_code(client, wrong)

    assert events(caplog) == [
        ("code", "failure", "otp", "advisor", ADDRESS),
        ("code", "throttled", "otp", "advisor", ADDRESS),
    ]


def test_a_logout_is_logged(client, partner, caplog):
    log_in(client, "partner")
    caplog.clear()

    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)

    assert events(caplog) == [("logout", "success", "session", "partner", ADDRESS)]


def test_no_password_or_code_reaches_a_log_record_or_a_login_or_access_row(
    client, advisor, app, caplog
):
    wrong_code, right_code = a_wrong_code(app), authenticator_code(app)
    log_in(client, "advisor", WRONG_PASSWORD)
    log_in(client, "advisor")
    give_code(client, wrong_code)
    with time_machine.travel(NOW + datetime.timedelta(seconds=5), tick=False):
        give_code(client, right_code)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)

    assert {event[:2] for event in events(caplog)} == {
        ("login", "failure"),
        ("login", "success"),
        ("code", "failure"),
        ("code", "success"),
        ("logout", "success"),
    }
    logged = [
        text
        for record in caplog.records
        for text in (line(record), repr(record.args), repr(extras(record)))
    ]
    rows = [
        repr(list(model.objects.values()))
        for model in (AccessAttempt, AccessLog, CaseAccess)
    ]
    for secret in (PASSWORD, WRONG_PASSWORD, wrong_code, right_code, TEST_TOTP_KEY):
        assert not [text for text in logged + rows if secret in text], secret


def test_a_user_name_with_a_newline_is_one_line_in_the_log(client, db, caplog):
    log_in(client, "x\nINFO fake entry")

    (record,) = [r for r in caplog.records if r.name == "boligsocial.auth"]
    written = line(record)

    assert "\n" not in written
    assert "username='x\\nINFO fake entry'" in written


def test_a_path_with_an_encoded_newline_is_one_line_in_the_log(client, db, caplog):
    client.get("/nowhere%0AINFO%20fake%20entry/")

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    written = line(record)

    assert "\n" not in written
    assert written.endswith("Not Found: /nowhere\\nINFO fake entry/")


def test_every_line_starts_with_the_time_in_utc_iso_8601(client, partner, caplog):
    log_in(client, "partner")

    (record,) = [r for r in caplog.records if r.name == "boligsocial.auth"]

    assert line(record).startswith("2026-05-04T08:00:00.000+00:00 INFO ")


def test_sql_is_never_logged_and_login_events_always_are(settings):
    """SQL at DEBUG carries its parameters (names, amounts); LOG_LEVEL=DEBUG must
    not switch it on, and LOG_LEVEL=ERROR must not silence the login events."""
    loggers = settings.LOGGING["loggers"]
    assert loggers["django.db.backends"]["level"] == "INFO"
    assert loggers["boligsocial.auth"]["level"] == "INFO"
    assert not logging.getLogger("django.db.backends").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("boligsocial.auth").isEnabledFor(logging.INFO)
