"""The real Celery worker, through Redis, reads the test's own database."""

import datetime

import pytest
from django.db import connection

from advice.models import Case, Household
from advice.tasks import anonymise_expired_cases
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


def test_the_worker_anonymises_an_advice_case_past_its_retention(
    celery_worker, departments
):
    # The worker's clock is the real one: a case closed in 2020 is long past.
    household = Household.objects.create(
        department=departments[0], name="Zacharias Unikkesen", street="Tågeskrænten"
    )
    case = Case.objects.create(
        household=household,
        opened_on=datetime.date(2020, 1, 6),
        source=Case.Source.SELF,
        status=Case.Status.CLOSED,
        closed_on=datetime.date(2020, 3, 2),
        note="Gæld til Ravnsborg Finans",
    )

    result = anonymise_expired_cases.delay().get(timeout=TIMEOUT)

    assert result == 1
    case.refresh_from_db()
    household.refresh_from_db()
    assert (case.note, household.name, household.street) == ("", "", "")
    assert case.anonymised_at is not None
