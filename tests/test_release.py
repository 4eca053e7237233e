"""What lets the portal run on more than one machine and restart on its own: one
beat at a time (a second waits for the first's lock and takes over when it dies),
and the health checks Docker runs in the web, worker and beat containers."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import (
    ROOT,
    celery,
    free_port,
    gunicorn,
    portal_env,
    process,
    wait_for_line,
)


def run_check(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "boligsocial.healthcheck", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def release_env(folder: Path, **values: str) -> dict:
    """The portal's development settings on the test's database, with the
    file-system broker in the working folder (no task a beat sends reaches
    anybody)."""
    env = portal_env(folder, **values)
    del env["CELERY_BROKER_URL"], env["CACHE_URL"]
    return env


# --- One beat at a time -------------------------------------------------------------


@contextmanager
def beat(tmp_path: Path, name: str):
    folder = tmp_path / name
    folder.mkdir()
    arguments = celery(
        "beat", "-l", "INFO", "--schedule", str(folder / "beat-schedule")
    )
    env, log = release_env(folder), folder / "beat.log"
    with process(arguments, env=env, cwd=ROOT, log=log, stop=signal.SIGKILL) as running:
        yield running


HOLDS = "Beat holds the lock"
WAITS = "Another beat holds the lock: this one waits."


@pytest.mark.django_db
def test_a_second_beat_waits_and_takes_over_when_the_first_dies(tmp_path):
    with beat(tmp_path, "first") as first:
        wait_for_line(first, HOLDS)
        with beat(tmp_path, "second") as second:
            wait_for_line(second, WAITS)
            # Waiting, it is healthy all the same: it is ready to take over.
            assert run_check(second.env, "beat").returncode == 0
            time.sleep(2)
            assert HOLDS not in second.log.read_text()

            os.killpg(first.pid, signal.SIGKILL)  # however it dies
            first.wait()
            killed = time.monotonic()

            wait_for_line(second, HOLDS, timeout=30)
            assert time.monotonic() - killed < 15
            assert second.poll() is None


def test_beats_health_check_fails_without_a_recent_heartbeat(tmp_path, settings):
    env = release_env(tmp_path)
    heartbeat = tmp_path / "var" / "celery" / "beat-alive"

    missing = run_check(env, "beat")
    heartbeat.parent.mkdir(parents=True)
    heartbeat.touch()
    fresh = run_check(env, "beat")
    long_ago = time.time() - settings.BEAT_HEARTBEAT_STALE - 1
    os.utime(heartbeat, (long_ago, long_ago))
    stale = run_check(env, "beat")

    assert (missing.returncode, fresh.returncode, stale.returncode) == (1, 0, 1)
    assert "no heartbeat file" in missing.stderr
    assert "last heartbeat" in stale.stderr


# --- The web container's health check ----------------------------------------------


@pytest.fixture
def web(tmp_path):
    env = release_env(tmp_path, HEALTH_TOKEN="t" * 40)
    with gunicorn(env, tmp_path) as (_, port):
        yield env, port


@pytest.mark.django_db
def test_web_is_healthy_when_gunicorn_answers_health_through_the_portal(web):
    env, port = web

    assert run_check(env, "web", "--port", str(port)).returncode == 0
    # Without a token the portal refuses /health/ as it refuses anyone (404): alive.
    without = {**env, "HEALTH_TOKEN": ""}
    assert run_check(without, "web", "--port", str(port)).returncode == 0
    # A wrong token is a configuration to fix: not healthy.
    wrong = run_check({**env, "HEALTH_TOKEN": "w" * 40}, "web", "--port", str(port))
    assert wrong.returncode == 1
    assert "answered 404" in wrong.stderr


def test_web_is_unhealthy_when_nothing_answers():
    result = run_check(dict(os.environ), "web", "--port", str(free_port()))

    assert result.returncode == 1
    assert "no answer" in result.stderr


# --- The worker container's health check -------------------------------------------


@pytest.mark.worker
def test_a_worker_is_healthy_when_it_answers_a_ping_over_the_broker(celery_worker):
    [reply] = celery_worker.control.ping(timeout=2.0)
    [node] = reply

    assert run_check(dict(os.environ), "worker", "--node", node).returncode == 0
    gone = run_check(dict(os.environ), "worker", "--node", "celery@no-such-host")
    assert gone.returncode == 1
    assert "did not answer" in gone.stderr
