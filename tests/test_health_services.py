"""Readiness against the real services bin/test starts: PostgreSQL, Redis and a
Celery worker. It must say 200 while all answer, and 503 naming what is down
when Redis is stopped or the worker is gone; liveness stays 200 throughout.

The worker that is stopped here is one of the test's own, on a Redis database of
its own (the broker's "vhost"): stopping the suite's shared worker would stall
every later worker test. Readiness is pointed at that database for the test."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from boligsocial import health
from tests.worker import TIMEOUT

pytestmark = [pytest.mark.worker, pytest.mark.django_db]

LIVE = reverse("health_live")
READY = reverse("health_ready")
TOKEN = "a-monitor-token-of-forty-random-characters-x"
ALL_PARTS = {"database", "broker", "cache", "worker"}


@pytest.fixture(autouse=True)
def health_token(settings):
    settings.HEALTH_TOKEN = TOKEN


def ask(client, url: str = READY):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def ready_until(client, status: int, timeout: float = TIMEOUT):
    """Readiness asked again until it gives `status` (a worker reconnects, or
    the last reply comes in, within a few seconds)."""
    deadline = time.monotonic() + timeout
    while (response := ask(client)).status_code != status:
        assert time.monotonic() < deadline, response.json()
        time.sleep(0.2)
    return response.json()


def test_all_parts_answer_so_the_portal_is_ready(client, celery_worker):
    response = ask(client)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "parts": dict.fromkeys(ALL_PARTS, "ok"),
    }


def test_with_redis_stopped_readiness_names_it_and_liveness_still_answers(
    client, stopped_redis
):
    response = ask(client)
    body = response.json()
    assert response.status_code == 503
    assert set(body["failed"]) == {"broker", "cache", "worker"}
    assert body["parts"]["database"] == "ok"
    assert ask(client, LIVE).status_code == 200

    stopped_redis()

    assert ready_until(client, 200)["parts"] == dict.fromkeys(ALL_PARTS, "ok")


def broker_database(number: int) -> str:
    parts = urlsplit(django_settings.CELERY_BROKER_URL)
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture
def own_worker(celery_worker, settings, tmp_path):
    """A second worker on Redis database 5, readiness pointed at it; gives a
    function that stops it (Celery's warm shutdown, then reaped)."""
    url = broker_database(5)
    settings.CELERY_BROKER_URL = url
    log = tmp_path / "worker.log"
    celery = Path(sys.executable).with_name("celery")
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                str(celery),
                *("-A", "boligsocial", "worker", "-l", "WARNING", "--concurrency", "1"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                *("-n", f"health-{os.getpid()}@%h"),
            ],
            env={**os.environ, "CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def stop() -> None:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=TIMEOUT)

    try:
        wait_for_worker(log)
        yield stop
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=TIMEOUT)


def wait_for_worker(log: Path) -> None:
    """Until the new worker answers readiness's own ping on its database (a
    worker starts in a few seconds; more on a busy machine)."""
    deadline = time.monotonic() + 2 * TIMEOUT
    while not health._worker():
        if time.monotonic() > deadline:
            pytest.fail(f"the test's own worker did not start:\n{log.read_text()}")
        time.sleep(0.2)


def test_with_the_worker_gone_readiness_names_the_worker_alone(client, own_worker):
    assert ask(client).status_code == 200

    own_worker()

    response = ask(client)
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["worker"]
    assert ask(client, LIVE).status_code == 200
