"""The health endpoints: who may ask them, and what they say when the broker is
away or hangs. (With the real services and a worker: tests/test_health_services.py.)
"""

import json
import socket
import threading
import time

import pytest
from django.urls import reverse

LIVE = reverse("health_live")
READY = reverse("health_ready")
TOKEN = "a-monitor-token-of-forty-random-characters-x"


@pytest.fixture(autouse=True)
def health_token(settings):
    settings.HEALTH_TOKEN = TOKEN
    settings.REDIS_TIMEOUT = 0.5


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- Who may ask ------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIVE, READY])
def test_anyone_without_the_token_is_told_there_is_no_such_page(client, db, url):
    assert client.get(url).status_code == 404
    assert client.get(url, **bearer("wrong")).status_code == 404
    assert client.get(url, **bearer(TOKEN[:-1])).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION=TOKEN).status_code == 404
    assert client.post(url, **bearer("wrong")).status_code == 404


def test_the_monitor_with_the_token_hears_that_the_process_answers(client, db):
    response = client.get(LIVE, **bearer(TOKEN))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_an_empty_token_setting_turns_token_access_off(client, db, settings):
    settings.HEALTH_TOKEN = ""
    assert client.get(LIVE, HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get(LIVE, HTTP_AUTHORIZATION="Bearer").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("admin", 200),
        ("staff", 404),
        ("advisor", 404),
        ("safety_advisor", 404),
        ("partner", 404),
    ],
)
def test_only_coordinators_and_admins_may_look_when_signed_in(
    client, personas, role, status
):
    client.force_login({str(key): user for key, user in personas.items()}[role])
    assert client.get(LIVE).status_code == status


def test_only_get_and_head_are_answered_to_those_who_may_ask(client, db):
    assert client.head(LIVE, **bearer(TOKEN)).status_code == 200
    assert client.post(LIVE, **bearer(TOKEN)).status_code == 405
    assert client.post(READY, **bearer(TOKEN)).status_code == 405
    assert client.put(LIVE, **bearer(TOKEN)).status_code == 405


# --- What readiness says when the broker is away --------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get(READY, **bearer(TOKEN))
    return response.status_code, response.json(), time.monotonic() - started


def test_a_broker_nobody_listens_on_is_named_and_the_database_is_ok(
    client, db, settings
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    status, body, _seconds = ready(client)

    assert status == 503
    assert body["status"] == "down"
    assert {"broker", "worker"} <= set(body["failed"])
    assert body["parts"]["database"] == "ok"
    assert "database" not in body["failed"]
    assert client.get(LIVE, **bearer(TOKEN)).status_code == 200


@pytest.fixture
def blackhole():
    """A loopback port that accepts connections and never answers (a broker
    behind a dropped network)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_broker_that_never_answers_is_named_within_the_time_allowed(
    client, db, settings, blackhole
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{blackhole}/0"

    status, body, seconds = ready(client)

    assert status == 503
    assert {"broker", "worker"} <= set(body["failed"])
    # Broker and worker each wait REDIS_TIMEOUT (0.5 s) at most, with some slack.
    assert seconds < 3


def test_the_answer_holds_no_address_and_no_error_text(client, db, settings):
    secret = "hemmelig-adgangskode"
    settings.CELERY_BROKER_URL = f"redis://:{secret}@127.0.0.1:{free_port()}/0"

    response = client.get(READY, **bearer(TOKEN))

    text = response.content.decode()
    assert secret not in text
    assert "127.0.0.1" not in text
    assert "redis" not in text.lower()
    assert set(json.loads(text)) == {"status", "failed", "parts"}


def test_the_monitors_checks_cost_no_query_and_one_query(
    client, db, settings, django_assert_num_queries
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    with django_assert_num_queries(0):
        assert client.get(LIVE, **bearer(TOKEN)).status_code == 200
    # The database's SELECT 1; Redis and the worker are asked outside it.
    with django_assert_num_queries(1):
        ready(client)
