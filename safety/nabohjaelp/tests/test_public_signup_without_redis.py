"""The public sign-up page with its cache (Redis, which holds the rate limit's
counts) out of reach: residents still sign up, and the limit still counts, in
the web process's own memory (boligsocial/cache.py)."""

import logging
import socket
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from safety.models import SignUp
from safety.public import RATE

PAGE = reverse("nabohjaelp:signup", args=["rising"])
LIMIT = int(RATE.split("/")[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_away(settings):
    """The portal's own cache class, pointed at a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "boligsocial.cache.RedisOrLocalCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/1",
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    cache.clear()  # the counts kept in memory meanwhile


def resident(n: int) -> dict:
    return {
        "name": f"Fatima Ahmadi {n}",
        "street": "Vestergade",
        "number": "4",
        "phone": "+45 31 22 33 44",
        "consent": "on",
        "submission": str(uuid.uuid4()),
    }


def test_a_resident_signs_up_while_redis_is_away_and_the_log_says_so(
    client, streets, redis_away, caplog
):
    with caplog.at_level(logging.WARNING, logger="boligsocial.cache"):
        response = client.post(PAGE, resident(0))

    assert response.status_code == 302
    assert SignUp.objects.count() == 1
    assert "Redis cache unreachable" in caplog.text


def test_the_limit_still_holds_while_redis_is_away(client, streets, redis_away):
    answers = [client.post(PAGE, resident(n)).status_code for n in range(LIMIT + 1)]

    assert answers == [302] * LIMIT + [429]
    assert SignUp.objects.count() == LIMIT
