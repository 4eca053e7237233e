"""The real Celery worker, through Redis, reads the test's own database."""

import pytest
from django.db import connection

from boligsocial.models import Area
from boligsocial.tasks import ping

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT = 30


def test_the_worker_answers_from_the_test_database_with_the_areas_from_migrations(
    celery_worker,
):
    result = ping.delay().get(timeout=TIMEOUT)

    assert result == {"database": connection.settings_dict["NAME"], "areas": 8}
    assert Area.objects.count() == 8


def test_the_worker_counts_an_area_the_test_has_just_created(celery_worker):
    Area.objects.create(name="Testkvarteret", slug="testkvarteret")

    result = ping.delay().get(timeout=TIMEOUT)

    assert result["areas"] == Area.objects.count() == 9
