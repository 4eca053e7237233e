import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from boligsocial.models import Area
from safety.models import ConsentText, SignUp

TODAY = datetime.date(2026, 5, 4)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0), tick=False):
        yield


@pytest.fixture
def rising(db) -> Area:
    return Area.objects.get(slug="rising")


@pytest.fixture
def streets(departments):
    """Rising Øst: Rising Allé, Østergade; Rising Vest: Vestergade; Vollsmose Nord:
    Nordvej."""
    for department, lines in zip(
        departments,
        ["Rising Allé\nØstergade", "Vestergade", "Nordvej"],
        strict=True,
    ):
        department.streets = lines
        department.save(update_fields=["streets"])
    return departments


def make_signup(department, *, name="Amira Hansen", **fields) -> SignUp:
    values = {
        "area_id": department.area_id,
        "department": department,
        "name": name,
        "street": department.street_list[0] if department.street_list else "Vej",
        "number": "12",
        "floor_door": "2. tv",
        "phone": "+4520123456",
        "channel": SignUp.Channel.DOOR,
        "signed_up_on": TODAY,
        "consent_text": ConsentText.current(),
        "consented_at": timezone.now(),
        "status": SignUp.Status.ACTIVE,
    }
    values.update(fields)
    return SignUp.objects.create(**values)


@pytest.fixture
def eager_tasks():
    """Tasks run in the test's process when enqueued, so their mails reach the
    test outbox (the real worker is tested in tests/test_celery_roundtrip.py)."""
    from boligsocial.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
