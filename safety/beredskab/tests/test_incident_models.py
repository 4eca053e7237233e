"""The beredskab's models keep their own rules, in Python and in the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safety.conftest import make_incident
from safety.models import Contact, Incident, IncidentEntry, IncidentNotification

pytestmark = pytest.mark.django_db


def refused_by_the_database(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_the_database_refuses_a_closed_incident_without_an_evaluation(rising):
    incident = make_incident(rising)

    assert refused_by_the_database(
        lambda: Incident.objects.filter(pk=incident.pk).update(
            status="closed", closed_at=timezone.now(), evaluation=""
        )
    )


def test_the_database_refuses_an_unknown_severity(rising):
    assert refused_by_the_database(lambda: make_incident(rising, severity=7))


def test_closing_needs_a_short_evaluation_and_reopening_keeps_it(
    rising, safety_advisor
):
    incident = make_incident(rising)
    with pytest.raises(ValidationError):
        incident.close(by=safety_advisor, evaluation="  ")

    incident.close(by=safety_advisor, evaluation="Beboermøde holdt; roligt nu.")
    incident.refresh_from_db()
    assert (incident.status, incident.closed_by) == ("closed", safety_advisor)

    incident.reopen()
    incident.refresh_from_db()
    assert incident.is_open
    assert incident.closed_at is None
    assert incident.evaluation == "Beboermøde holdt; roligt nu."


def test_an_incident_cannot_have_happened_in_the_future(rising):
    incident = make_incident(rising)
    incident.occurred_at = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert "occurred_at" in error.value.message_dict


def test_a_message_needs_its_channel_and_audience_and_a_press_text_its_approver(
    rising,
):
    incident = make_incident(rising)
    message = IncidentEntry(incident=incident, kind="message", text="Opslag i opgang")
    press = IncidentEntry(incident=incident, kind="press", text="Politiet efterforsker")

    with pytest.raises(ValidationError) as message_error:
        message.full_clean()
    with pytest.raises(ValidationError) as press_error:
        press.full_clean()

    assert set(message_error.value.message_dict) == {"channel", "audience"}
    assert set(press_error.value.message_dict) == {"approved_by"}
    assert refused_by_the_database(message.save)
    assert refused_by_the_database(press.save)


def test_a_contact_needs_a_phone_or_an_e_mail(police):
    contact = Contact(organisation=police, name="Uden nummer", role="Vagt")
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert "phone" in error.value.message_dict
    assert refused_by_the_database(contact.save)


def test_a_stand_in_comes_from_the_same_organisation(contacts, ssp):
    contact = Contact(
        organisation=ssp,
        name="Ny SSP",
        role="Konsulent",
        email="ny@ssp.example",
        stand_in=contacts["police"],
    )
    with pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert "stand_in" in error.value.message_dict


def test_contacts_of_every_area_cover_each_area(contacts, police, ssp, rising):
    vollsmose = rising.__class__.objects.get(slug="vollsmose")

    covering_rising = set(Contact.objects.for_area(rising.pk))
    covering_vollsmose = set(Contact.objects.for_area(vollsmose.pk))

    assert contacts["police"] in covering_rising
    assert contacts["ssp"] in covering_rising
    assert covering_vollsmose == {contacts["ssp"]}


def test_a_failing_notification_waits_longer_each_time_then_gives_up(
    rising, police, frozen_today
):
    incident = make_incident(rising)
    notification = IncidentNotification.objects.create(
        incident=incident, organisation=police
    )
    waits = []
    for _ in range(IncidentNotification.MAX_ATTEMPTS - 1):
        notification.mark_attempt_failed(error="Connection refused")
        waits.append(notification.next_attempt_at - timezone.now())
        assert notification.status == "pending"

    notification.mark_attempt_failed(error="Connection refused")

    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 16, 32]
    assert notification.status == "failed"
    assert notification.next_attempt_at is None
    notification.retry()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 0)


def test_only_a_failed_notification_can_be_retried(rising, police):
    incident = make_incident(rising, notify=[police])
    with pytest.raises(ValidationError):
        incident.notifications.get().retry()


def test_an_organisation_is_told_of_an_incident_once(rising, police):
    incident = make_incident(rising, notify=[police])
    assert refused_by_the_database(
        lambda: IncidentNotification.objects.create(
            incident=incident, organisation=police
        )
    )


def test_a_partner_sees_the_incidents_its_organisation_was_told_of_wherever_they_are(
    rising, police, ssp, partner, ssp_partner, staff
):
    vollsmose = rising.__class__.objects.get(slug="vollsmose")
    told = make_incident(rising, title="Told", notify=[police])
    not_told = make_incident(rising, title="Not told", notify=[ssp])
    elsewhere = make_incident(vollsmose, title="Elsewhere", notify=[police])

    assert set(Incident.objects.visible_to(partner)) == {told, elsewhere}
    assert list(Incident.objects.visible_to(ssp_partner)) == [not_told]
    assert set(Incident.objects.visible_to(staff)) == {told, not_told, elsewhere}
