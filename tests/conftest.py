"""Fixtures for the end-to-end tests: Debian's Chromium and the real Celery worker.

bin/test starts PostgreSQL, Redis and a Celery worker before pytest; these fixtures
connect to them. Tests that need data loaded by migrations (the areas, the plan)
and commit for real (live_server, the worker) are marked
``django_db(transaction=True, serialized_rollback=True)``: a transactional test
empties every table when it ends, and serialized_rollback puts those rows back.
"""

import os
import subprocess
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, TEST_TOTP_KEY, authenticator_code
from tests.privacy import deletion_journal  # noqa: F401 - autouse: the test's own
from tests.worker import (
    FAULT_FIGURES,
    fault_summary,
    redis_answers,
    redis_cli,
    wait_until_redis,
)

# Playwright's sync API runs an event loop in the test's thread, and Django
# refuses ORM calls from a thread with a running loop unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Playwright cannot download its browser on these machines; use Debian's.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in a container: Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

WORKER_WAIT_SECONDS = 20


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser that prefers English: the portal still answers in Danish until the
    # person chooses English with the switcher.
    return {
        **browser_context_args,
        "locale": "en-US",
        "timezone_id": "Europe/Copenhagen",
    }


@pytest.fixture(scope="session")
def _django_connections_before_playwright():
    from django.db import connections

    return {alias: connections[alias] for alias in connections}


@pytest.fixture(scope="session")
def playwright(_django_connections_before_playwright, playwright):
    """pytest-playwright's own, with Django's connection objects kept.

    Playwright's sync API leaves an asyncio loop marked as running in the test's
    thread for the rest of the session. From then on Django keeps its connection
    objects per context variable instead of per thread, so the tests would get
    fresh ones: without the data serialized_rollback restores (the areas and
    organisations vanish after the first flush), and with the old connection
    left open, which keeps the test database from being dropped at the end.
    Putting the same objects back keeps one connection per alias, as before.
    (The arguments are set up in order: the connections are taken first.)
    """
    from django.db import connections

    for alias, connection in _django_connections_before_playwright.items():
        connections[alias] = connection
    return playwright


def _unavailable(reason: str):
    # On CI, and whenever bin/test started the services, a missing worker is a
    # broken run, not a reason to skip.
    if os.environ.get("CI") == "true" or os.environ.get("PORTAL_TEST_SERVICES"):
        pytest.fail(f"{reason} (worker tests must run here)", pytrace=False)
    pytest.skip("needs Redis and a worker: run bin/test")


@pytest.fixture(scope="session")
def celery_worker():
    """The Celery app, once a real worker (started by bin/test) answers a ping."""
    from boligsocial.celery import app

    broker = app.conf.broker_url or ""
    if not broker.startswith(("redis://", "rediss://")):
        _unavailable(f"CELERY_BROKER_URL is {broker!r}, not Redis")
    # The worker starts alongside pytest; give it time to come up.
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while True:
        try:
            if app.control.ping(timeout=1.0):
                return app
        except Exception as error:  # Redis not reachable yet (or at all)
            last_error = error
        else:
            last_error = None
        if time.monotonic() > deadline:
            _unavailable(
                f"no Celery worker answered a ping within {WORKER_WAIT_SECONDS} s "
                f"on {broker}" + (f": {last_error!r}" if last_error else "")
            )
        time.sleep(0.5)


@pytest.fixture
def login(page, live_server):
    """Log a user in through the real login form; returns the page.

    An advisor or coordinator also gives a code on the real code prompt, from an
    authenticator app set up with a known key (made for them here if they have none).
    """

    def log_in(user, password: str = PASSWORD):
        if user.needs_two_factor:
            device, _ = TOTPDevice.objects.get_or_create(
                user=user,
                confirmed=True,
                defaults={"name": "default", "key": TEST_TOTP_KEY},
            )
        # Every page asks for the count beside "Mit arbejde" once loaded; a late
        # answer for the person before would set their session cookie again.
        page.wait_for_load_state("networkidle")
        page.context.clear_cookies()
        page.goto(live_server.url + reverse("login"))
        # Field names, not labels: the labels change with the language.
        page.locator("input[name=username]").fill(user.username)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert reverse("login") not in page.url, f"login as {user} failed"
        if user.needs_two_factor:
            assert reverse("two_factor_verify") in page.url, page.url
            page.locator("input[name=code]").fill(authenticator_code(device))
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
            assert reverse("two_factor_verify") not in page.url, f"code for {user}"
        return page

    return log_in


@pytest.fixture
def stopped_redis(celery_worker):
    """Stops the Redis every process shares (broker and cache) and gives a function
    that starts it again as bin/test did: same port, folder and log file. It is
    started again when the test ends, whatever happened, or every later test
    would find no broker."""
    port = urlsplit(django_settings.CELERY_BROKER_URL).port
    folder = redis_cli(port, "config", "get", "dir").stdout.splitlines()[1]
    logfile = redis_cli(port, "config", "get", "logfile").stdout.splitlines()[1]
    redis_cli(port, "shutdown", "nosave")
    wait_until_redis(port, answers=False)

    def start_again() -> None:
        if redis_answers(port):
            return
        subprocess.run(
            [
                "redis-server",
                *("--bind", "127.0.0.1", "--port", str(port), "--daemonize", "yes"),
                *("--save", "", "--appendonly", "no"),
                *("--dir", folder, "--logfile", logfile),
            ],
            check=True,
            capture_output=True,
            timeout=10,
        )
        wait_until_redis(port, answers=True)
        # This process's pooled broker connections went down with the old Redis
        # (the next use of one would fail): the pool starts afresh.
        celery_worker.pool.resize(celery_worker.pool.limit, reset=True)

    try:
        yield start_again
    finally:
        start_again()


def pytest_terminal_summary(terminalreporter) -> None:
    """What the fault tests recorded: report runs requested, built and lost."""
    if FAULT_FIGURES:
        terminalreporter.section("report runs over the fault tests")
        for line in fault_summary():
            terminalreporter.write_line(line)
