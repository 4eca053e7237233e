"""The portal's processes as production runs them, for the tests that need them
real: gunicorn listening on a free port of 127.0.0.1, Celery workers and beat,
each in a process group of its own (so that all of it, a worker's pool too, can be
stopped or killed at once), its output in a log file of the test."""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from tests.database import database_url

ROOT = Path(__file__).resolve().parent.parent
STARTUP = 60  # seconds: Django's start and a worker's import, on a busy machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_env(folder: Path, **values: str) -> dict:
    """The test's environment with the development settings on the test's
    database, and the working folder `folder` (PORTAL_VAR_DIR under it)."""
    return {
        **os.environ,
        "PORTAL_ENVIRONMENT": "development",
        "PORTAL_VAR_DIR": str(folder / "var"),
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        **values,
    }


def celery(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "boligsocial", *arguments]


def celery_worker(name: str) -> list[str]:
    """A worker named `name`@host, one pool process, logging what it does."""
    return celery(
        "worker",
        "-n",
        f"{name}@%h",
        "--concurrency",
        "1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
    )


@contextmanager
def process(arguments: list[str], *, env: dict, cwd: Path, log: Path, stop=None):
    """Yields the running process (its log as `.log`, its environment as `.env`);
    afterwards stops its whole group with `stop` (SIGTERM by default) unless it
    has ended already."""
    with log.open("wb") as out:
        running = subprocess.Popen(  # noqa: S603 - our own commands
            arguments,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        running.log, running.env = log, env
        try:
            yield running
        finally:
            if running.poll() is None:
                os.killpg(running.pid, stop or signal.SIGTERM)
            running.wait(timeout=60)


def wait_for_line(running, text: str, timeout: float = STARTUP) -> None:
    """Until the process has written `text` to its log (it must keep running)."""
    deadline = time.monotonic() + timeout
    while text not in running.log.read_text():
        assert running.poll() is None, running.log.read_text()
        assert time.monotonic() < deadline, f"no {text!r}:\n{running.log.read_text()}"
        time.sleep(0.2)


@contextmanager
def gunicorn(env: dict, workdir: Path, *, workers: int = 1):
    """Yields the server's address ("127.0.0.1", port) once it answers; stops it
    afterwards. Its output goes to gunicorn.log in the working folder, shown when
    it does not start."""
    port = free_port()
    arguments = [
        sys.executable,
        "-m",
        "gunicorn",
        "boligsocial.wsgi",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-tmp-dir",
        str(workdir),
    ]
    log = workdir / "gunicorn.log"
    with process(arguments, env=env, cwd=workdir, log=log) as server:
        deadline = time.monotonic() + STARTUP
        while True:
            assert server.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield ("127.0.0.1", port)
