"""Opening an incident tells the chosen partners by e-mail, in the background;
a mail server or a broker that is down delays a notification, never loses one.

The mail server and the broker that are down are real ones: a port on this
machine where nothing listens. The real worker is in tests/test_celery_roundtrip.py.
"""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area, Organisation
from safety.beredskab import services, tasks
from safety.conftest import celery_broker, free_port
from safety.models import Contact, Incident, IncidentNotification

Status = IncidentNotification.Status
NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
MINUTE = datetime.timedelta(minutes=1)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def unsaved_incident(area: Area, **fields) -> Incident:
    values = {
        "title": "Brand i kælder",
        "kind": Incident.Kind.FIRE,
        "area": area,
        "place": "Opgang 12",
        "occurred_at": NOW - datetime.timedelta(hours=2),
        "severity": Incident.Severity.SERIOUS,
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Røg i kælderen; brandvæsenet slukkede.",
    }
    values.update(fields)
    return Incident(**values)


@pytest.fixture
def clock():
    """Frozen at 2026-05-04 10:00 (Copenhagen); tests move it on themselves."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def other_area_contact(police) -> Contact:
    """Fyns Politi's contact for Vollsmose: never told of what happens in Rising."""
    return Contact.objects.create(
        organisation=police,
        area=Area.objects.get(slug="vollsmose"),
        name="Vera Vollsmose",
        role="Områdebetjent",
        email="vollsmose@politi.example",
    )


@pytest.fixture
def mail_server_down(settings):
    """Django's SMTP backend, pointed at a port where no mail server listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
    return settings


@pytest.fixture
def queued(monkeypatch, tmp_path):
    """A real broker no worker reads: kombu's file-system transport in a scratch
    folder. Returns a function that counts the tasks queued so far."""
    folder = tmp_path / "broker"
    folder.mkdir()
    (tmp_path / "control").mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
    }
    with celery_broker(monkeypatch, "filesystem://", options):
        yield lambda: len(list(folder.glob("*.msg")))


# --- Through the test outbox -------------------------------------------------------


@pytest.mark.django_db
def test_opening_an_incident_mails_each_chosen_organisations_contacts_for_the_area(
    clock,
    contacts,
    other_area_contact,
    police,
    ssp,
    rising,
    staff,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police, ssp], by=staff
        )

    # The police's contact for Rising and their stand-in, first the one to call
    # first; SSP's contact for every area; not the police's contact for Vollsmose.
    assert sorted(m.to for m in mailoutbox) == [
        ["rising@politi.example", "vagt2@politi.example"],
        ["ssp@odense.example"],
    ]
    for notification in incident.notifications.all():
        assert notification.status == Status.SENT
        assert notification.sent_at == timezone.now()
        assert notification.attempts == 1
        assert notification.last_error == ""
        assert notification.next_attempt_at is None
    assert incident.notifications.get(organisation=police).recipients == (
        "rising@politi.example\nvagt2@politi.example"
    )
    assert incident.created_by == staff


@pytest.mark.django_db
def test_the_notification_mail_says_in_danish_what_where_when_and_how_serious(
    clock,
    contacts,
    police,
    rising,
    staff,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police], by=staff
        )

    (mail,) = mailoutbox
    assert mail.subject == "Beredskab: alvorlig hændelse i Rising – Brand i kælder"
    assert "Til Fyns Politi" in mail.body
    assert "Hvad: Brand" in mail.body
    assert "Hvor: Rising, Opgang 12" in mail.body
    assert "Hvornår: 4. maj 2026 kl. 08.00" in mail.body
    assert "Alvorlighed: Alvorlig" in mail.body
    assert "Anmeldt af: En beboer" in mail.body
    assert "Røg i kælderen; brandvæsenet slukkede." in mail.body
    page = reverse("safety:incident_detail", args=[incident.pk])
    assert django_settings.PORTAL_URL.rstrip("/") + page in mail.body


@pytest.mark.django_db
def test_an_organisation_told_already_is_not_told_twice(
    clock,
    contacts,
    police,
    ssp,
    rising,
    staff,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police], by=staff
        )
    with django_capture_on_commit_callbacks(execute=True):
        added = services.notify_organisations(
            incident=incident, organisations=[police, ssp, ssp], by=staff
        )

    assert [n.organisation for n in added] == [ssp]
    assert incident.notifications.count() == 2
    assert [m.to for m in mailoutbox] == [
        ["rising@politi.example", "vagt2@politi.example"],
        ["ssp@odense.example"],
    ]


@pytest.mark.django_db
def test_a_notification_sent_already_is_not_sent_again_when_its_task_runs_twice(
    clock,
    contacts,
    police,
    rising,
    staff,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police], by=staff
        )
    notification = incident.notifications.get()

    assert tasks.send_incident_notification.delay(notification.pk).get() == "skipped"
    assert tasks.send_incident_notification(notification.pk) == "skipped"

    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.SENT, 1)


@pytest.mark.django_db
def test_an_organisation_whose_contacts_have_no_email_fails_at_once_saying_so(
    clock,
    contacts,
    municipality,
    rising,
    staff,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    nobody = Organisation.objects.get(name="TrygFonden")  # no contacts at all
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising),
            organisations=[municipality, nobody],
            by=staff,
        )

    assert mailoutbox == []
    for notification in incident.notifications.all():
        assert notification.status == Status.FAILED
        assert notification.attempts == 1
        assert notification.next_attempt_at is None
        assert notification.last_error == (
            "Organisationen har ingen kontaktperson med e-mail for området."
        )


# --- The mail server is down -------------------------------------------------------


@pytest.mark.django_db
def test_with_the_mail_server_down_the_incident_is_saved_and_tried_again_until_failed(
    clock,
    contacts,
    police,
    rising,
    staff,
    mail_server_down,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police], by=staff
        )

    assert Incident.objects.filter(pk=incident.pk).exists()
    notification = incident.notifications.get()
    assert (notification.status, notification.attempts) == (Status.PENDING, 1)
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.next_attempt_at == timezone.now() + MINUTE
    # The sweeper takes it when its turn comes, and waits longer after each try.
    waits = []
    while notification.status == Status.PENDING:
        assert tasks.send_due_notifications() == 0
        clock.move_to(notification.next_attempt_at)
        assert tasks.send_due_notifications() == 1
        notification.refresh_from_db()
        if notification.next_attempt_at:
            waits.append((notification.next_attempt_at - timezone.now()) / MINUTE)
    assert waits == [2, 4, 8, 16, 32]
    assert notification.status == Status.FAILED
    assert notification.attempts == IncidentNotification.MAX_ATTEMPTS
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.next_attempt_at is None
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_failed_notification_is_sent_when_retried_once_the_mail_server_is_back(
    clock,
    contacts,
    police,
    rising,
    staff,
    mail_server_down,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police], by=staff
        )
    notification = incident.notifications.get()
    while notification.status == Status.PENDING:
        clock.move_to(notification.next_attempt_at)
        tasks.send_due_notifications()
        notification.refresh_from_db()
    assert notification.status == Status.FAILED

    mail_server_down.EMAIL_BACKEND = LOCMEM
    clock.shift(datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_notification(notification=notification)

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.sent_at == timezone.now()
    assert notification.attempts == 1
    assert notification.recipients == "rising@politi.example\nvagt2@politi.example"
    assert [m.to for m in mailoutbox] == [
        ["rising@politi.example", "vagt2@politi.example"]
    ]


@pytest.mark.django_db
def test_the_sweeper_sends_only_the_notifications_whose_turn_has_come(
    clock,
    contacts,
    police,
    ssp,
    rising,
    staff,
    mail_server_down,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police], by=staff
        )
    clock.shift(datetime.timedelta(seconds=40))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.open_incident(
            incident=unsaved_incident(rising, title="Uro ved skolen"),
            organisations=[ssp],
            by=staff,
        )
    mail_server_down.EMAIL_BACKEND = LOCMEM
    # 10:01:10: the first's next try (10:01) has come, the second's (10:01:40) not.
    clock.move_to(NOW + MINUTE + datetime.timedelta(seconds=10))

    assert tasks.send_due_notifications() == 1

    assert [m.to for m in mailoutbox] == [
        ["rising@politi.example", "vagt2@politi.example"]
    ]
    assert first.notifications.get().status == Status.SENT
    waiting = second.notifications.get()
    assert (waiting.status, waiting.attempts) == (Status.PENDING, 1)


@pytest.mark.django_db
def test_the_sweeper_leases_what_it_queues_so_the_next_round_does_not_queue_it_again(
    clock,
    contacts,
    police,
    rising,
    staff,
    queued,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police], by=staff
        )
    assert queued() == 1  # the first try, queued when the incident was saved
    notification = incident.notifications.get()
    assert notification.next_attempt_at == timezone.now() + 2 * MINUTE

    # The sweeper leaves it to that first try for a while...
    assert tasks.send_due_notifications() == 0
    # ...then queues it again, once, until the lease runs out.
    clock.shift(2 * MINUTE)
    assert tasks.send_due_notifications() == 1
    assert tasks.send_due_notifications() == 0
    assert queued() == 2
    notification.refresh_from_db()
    assert notification.next_attempt_at == timezone.now() + 2 * MINUTE
    clock.shift(2 * MINUTE)
    assert tasks.send_due_notifications() == 1
    assert queued() == 3


# --- The broker is down ------------------------------------------------------------


@pytest.mark.django_db
def test_with_the_broker_down_the_incident_is_saved_at_once_and_the_sweeper_sends_it(
    contacts,
    police,
    ssp,
    rising,
    staff,
    broker_down,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    # The real clock: kombu counts its connection retries by it, and a frozen
    # one would make any retrying last for ever instead of failing this test.
    started, before = time.monotonic(), timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.open_incident(
            incident=unsaved_incident(rising), organisations=[police, ssp], by=staff
        )
    # One try at the broker each, no waiting for it to come back.
    assert time.monotonic() - started < 1.5
    # In production the result store is that same Redis: a task that kept its
    # result would first wait some 20 s for the store (see safety/tasks.py).
    assert tasks.send_incident_notification.ignore_result

    assert Incident.objects.filter(pk=incident.pk).exists()
    for notification in incident.notifications.all():
        assert (notification.status, notification.attempts) == (Status.PENDING, 0)
        assert before + 2 * MINUTE <= notification.next_attempt_at
        assert notification.next_attempt_at <= timezone.now() + 2 * MINUTE
    assert mailoutbox == []

    broker_down.conf.task_always_eager = True
    with time_machine.travel(timezone.now() + 2 * MINUTE, tick=False):
        assert tasks.send_due_notifications() == 2

    assert len(mailoutbox) == 2
    assert set(incident.notifications.values_list("status", flat=True)) == {Status.SENT}
