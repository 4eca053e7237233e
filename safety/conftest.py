import datetime
import socket
from contextlib import contextmanager

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from boligsocial.celery import app
from boligsocial.models import Area, Organisation, Role
from conftest import make_user
from safety.models import (
    ConsentText,
    Contact,
    FollowUpTask,
    Incident,
    IncidentNotification,
    NetworkMeeting,
    SignUp,
)
from tests.privacy import deletion_journal  # noqa: F401 - autouse: the test's own

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


# --- Beredskab ----------------------------------------------------------------------


@pytest.fixture
def police(db) -> Organisation:
    return Organisation.objects.get(name="Fyns Politi")


@pytest.fixture
def ssp(db) -> Organisation:
    return Organisation.objects.get(name="SSP Odense")


@pytest.fixture
def municipality(db) -> Organisation:
    return Organisation.objects.get(
        name="Odense Kommune, Beskæftigelses- og Socialforvaltningen"
    )


@pytest.fixture
def contacts(police, ssp, municipality, rising) -> dict[str, Contact]:
    """Fyns Politi: a duty officer for Rising with a stand-in; SSP: one contact for
    every area; the municipality: a phone number only (no e-mail)."""
    stand_in = Contact.objects.create(
        organisation=police,
        area=rising,
        name="Jonas Vagt",
        role="Stedfortræder",
        email="vagt2@politi.example",
        rank=2,
    )
    return {
        "police": Contact.objects.create(
            organisation=police,
            area=rising,
            name="Mette Betjent",
            role="Områdebetjent",
            phone="+4566141448",
            email="rising@politi.example",
            stand_in=stand_in,
        ),
        "police_stand_in": stand_in,
        "ssp": Contact.objects.create(
            organisation=ssp,
            name="Sara SSP",
            role="SSP-konsulent",
            email="ssp@odense.example",
        ),
        "municipality": Contact.objects.create(
            organisation=municipality,
            area=rising,
            name="Kim Kommune",
            role="Beredskabschef",
            phone="+4565512345",
        ),
    }


@pytest.fixture
def ssp_partner(db):
    """A partner from SSP Odense granted Rising: told of nothing unless chosen."""
    return make_user("ssp", Role.PARTNER, organisation="SSP Odense", areas=["rising"])


def make_incident(area, *, notify=(), by=None, **fields) -> Incident:
    """An open incident in the area; `notify` lists organisations already told
    (their notifications sent)."""
    values = {
        "title": "Brand i kælder",
        "kind": Incident.Kind.FIRE,
        "area": area,
        "place": "Opgang 12",
        "occurred_at": timezone.now() - datetime.timedelta(hours=2),
        "severity": Incident.Severity.SERIOUS,
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Røg i kælderen; brandvæsenet slukkede.",
        "created_by": by,
    }
    values.update(fields)
    incident = Incident.objects.create(**values)
    for organisation in notify:
        notification = IncidentNotification.objects.create(
            incident=incident, organisation=organisation, created_by=by
        )
        notification.mark_sent(recipients=["kontakt@example.org"])
    return incident


def make_meeting(*, organisations=(), areas=(), **fields) -> NetworkMeeting:
    values = {
        "held_on": TODAY - datetime.timedelta(days=7),
        "agenda": "1. Status på tryghed\n2. Sommerferien",
        "decisions": "Fælles indsats i sommerferien.",
    }
    values.update(fields)
    meeting = NetworkMeeting.objects.create(**values)
    meeting.organisations.set(organisations)
    meeting.areas.set(areas)
    return meeting


def make_task(meeting, owner, **fields) -> FollowUpTask:
    values = {
        "description": "Lav plan for sommerens aktiviteter",
        "due_on": TODAY + datetime.timedelta(days=14),
    }
    values.update(fields)
    return FollowUpTask.objects.create(meeting=meeting, owner=owner, **values)


# --- Services that are down ------------------------------------------------------


def free_port() -> int:
    """A loopback port with nothing listening on it (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def celery_broker(monkeypatch, broker_url: str, transport_options: dict):
    """Point the Celery app at another broker, tasks queued (not run eagerly),
    then back.

    Celery reads CELERY_BROKER_URL from the environment before its settings
    (bin/test sets it), so that is changed too. The app keeps its broker
    connections in pools it builds on first use: they are set aside here (as
    Celery's own after-fork hook does), so new ones are built for the new broker.
    """
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    conf = app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    pools = (app._pool, app.amqp._producer_pool)
    conf.broker_url = broker_url
    conf.broker_transport_options = transport_options
    conf.task_always_eager = False
    app._pool = app.amqp._producer_pool = None
    assert conf.broker_write_url == broker_url  # what publishing connects to
    try:
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
        app._pool, app.amqp._producer_pool = pools


@pytest.fixture
def broker_down(monkeypatch):
    """A Redis broker on a port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    with celery_broker(monkeypatch, url, {}) as celery_app:
        yield celery_app
