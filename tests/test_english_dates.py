"""The portal in English writes dates as English is written in Europe: the day
before the month (boligsocial/formats/en)."""

import datetime

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.tests.conftest import make_record

pytestmark = pytest.mark.django_db


def test_english_writes_the_day_before_the_month(client, staff):
    make_record(
        Activity.objects.get(name="Ungerådgivning"),
        staff,
        date=datetime.date(2026, 3, 2),
    )
    client.force_login(staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = client.get(reverse("activities:record_list")).content.decode()

    assert "02/03/2026" in html
    assert "03/02/2026" not in html
