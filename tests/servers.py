"""The portal as production runs it: gunicorn in a process of its own, listening on
a free port of 127.0.0.1, with the environment and working folder a test gives."""

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP = 30  # seconds: Django's start and a worker's import, on a busy machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict, workdir: Path, *, workers: int = 1):
    """Yields the server's address ("127.0.0.1", port) once it answers; stops it
    afterwards. Its output goes to gunicorn.log in the working folder, shown when
    it does not start."""
    port = free_port()
    log_path = workdir / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
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
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + STARTUP
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.1)
            yield ("127.0.0.1", port)
        finally:
            server.terminate()
            server.wait(timeout=30)
