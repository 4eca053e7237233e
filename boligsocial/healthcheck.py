"""Docker's health checks of the portal's three processes, run in each container:

    python -m boligsocial.healthcheck web [--port 8000]
    python -m boligsocial.healthcheck worker [--node celery@<host name>]
    python -m boligsocial.healthcheck beat

Exit 0: healthy; 1: not (the reason on standard error).

- web: gunicorn answers /health/ through the whole portal (a worker that hangs
  does not), asked as the proxy asks: with the portal's host name and HTTPS
  forwarded, and the monitor's token when HEALTH_TOKEN is set. Without a token the
  portal answers /health/ with its 404, as it answers anyone without one; that too
  says it is alive.
- worker: this container's worker answers a ping over the broker (a worker that is
  gone, hung or cut off from the broker does not).
- beat: beat touched its heartbeat file within BEAT_HEARTBEAT_STALE seconds: the
  one holding the lock at each tick, one waiting for it at each try
  (boligsocial/beat.py).
"""

import argparse
import http.client
import os
import socket
import sys
import time

TIMEOUT = 10  # seconds; Docker's own timeout for the check is longer


def web(port: int) -> str | None:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h.lstrip(".") for h in hosts if h and h != "*"), "localhost")
    token = os.environ.get("HEALTH_TOKEN", "")
    headers = {"Host": host, "X-Forwarded-Proto": "https"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/health/", headers=headers)
        status = connection.getresponse().status
    except OSError as error:
        return f"web: no answer on port {port}: {error}"
    finally:
        connection.close()
    if status == 200 or (status == 404 and not token):
        return None
    return f"web: /health/ answered {status}"


def worker(node: str) -> str | None:
    from boligsocial.celery import app

    replies = app.control.ping(destination=[node], timeout=TIMEOUT)
    return None if replies else f"worker: {node} did not answer a ping"


def beat() -> str | None:
    from django.conf import settings

    path = settings.BEAT_HEARTBEAT_FILE
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"beat: no heartbeat file at {path}"
    if age > settings.BEAT_HEARTBEAT_STALE:
        return f"beat: last heartbeat {age:.0f} s ago"
    return None


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    parser = argparse.ArgumentParser(prog="python -m boligsocial.healthcheck")
    parser.add_argument("process", choices=["web", "worker", "beat"])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--node", default=f"celery@{socket.gethostname()}")
    args = parser.parse_args(argv)
    if args.process == "web":
        problem = web(args.port)
    elif args.process == "worker":
        problem = worker(args.node)
    else:
        problem = beat()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
