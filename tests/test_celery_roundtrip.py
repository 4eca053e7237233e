"""The real Celery worker, through Redis, reads the test's own database."""

import datetime
import time

import pytest
from django.db import connection
from django.utils import timezone

from advice.models import Case, Household
from advice.tasks import anonymise_expired_cases
from boligsocial.models import Area, Organisation
from boligsocial.tasks import ping
from safety.beredskab import services
from safety.models import Contact, Incident, IncidentNotification
from tests.worker import worker_mails

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


def test_the_worker_mails_the_partners_told_of_an_incident(celery_worker, staff):
    police = Organisation.objects.get(name="Fyns Politi")
    rising = Area.objects.get(slug="rising")
    Contact.objects.create(
        organisation=police,
        area=rising,
        name="Mette Betjent",
        role="Områdebetjent",
        email="worker-test@politi.example",
    )

    # Queued when open_incident's transaction commits, as in a request.
    incident = services.open_incident(
        incident=Incident(
            title="Brand i kælder (worker-test)",
            kind=Incident.Kind.FIRE,
            area=rising,
            place="Opgang 12",
            occurred_at=timezone.now(),
            severity=Incident.Severity.SERIOUS,
            reported_by=Incident.ReportedBy.RESIDENT,
            description="Røg i kælderen.",
        ),
        organisations=[police],
        by=staff,
    )

    notification = incident.notifications.get()
    deadline = time.monotonic() + TIMEOUT
    while notification.status == IncidentNotification.Status.PENDING:
        assert time.monotonic() < deadline, "the worker did not send it in time"
        time.sleep(0.2)
        notification.refresh_from_db()
    assert notification.status == IncidentNotification.Status.SENT
    assert (notification.attempts, notification.last_error) == (1, "")
    assert notification.recipients == "worker-test@politi.example"
    (mail,) = [m for m in worker_mails() if "(worker-test)" in m["Subject"]]
    assert mail["To"] == "worker-test@politi.example"
    # A long encoded subject is folded over lines in the file.
    assert " ".join(mail["Subject"].split()) == (
        "Beredskab: alvorlig hændelse i Rising – Brand i kælder (worker-test)"
    )
    assert incident.get_absolute_url() in mail.get_content()
