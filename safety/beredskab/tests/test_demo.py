"""The beredskab's demo data: invented, marked demo, seen by the demo partners,
and not doubled when demo_data runs again."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from boligsocial.models import User
from safety.models import (
    Contact,
    FollowUpTask,
    Incident,
    IncidentEntry,
    IncidentNotification,
    NetworkMeeting,
)

Status = IncidentNotification.Status


def run_demo_data() -> None:
    call_command("demo_data", stdout=StringIO())


def counts() -> tuple[int, ...]:
    models = [
        Contact,
        Incident,
        IncidentNotification,
        IncidentEntry,
        NetworkMeeting,
        FollowUpTask,
    ]
    return tuple(model.objects.count() for model in models)


@pytest.mark.django_db
def test_each_demo_partner_sees_the_incidents_its_organisation_was_told_of(demo_world):
    for username in ("partner-politi", "partner-bolig"):
        partner = User.objects.get(username=username)
        seen = Incident.objects.visible_to(partner)
        assert seen.count() >= 2, username
        for incident in seen:
            assert incident.notifications.filter(
                organisation=partner.organisation
            ).exists()
        assert NetworkMeeting.objects.visible_to(partner).exists(), username


@pytest.mark.django_db
def test_running_demo_data_twice_adds_no_beredskab_rows():
    run_demo_data()
    first = counts()
    run_demo_data()
    assert counts() == first
    assert first[0] > 0 and first[1] > 0


@pytest.mark.django_db
def test_the_demo_incidents_are_marked_demo_and_span_areas_severities_and_states(
    demo_world,
):
    incidents = Incident.objects.all()
    assert 6 <= incidents.count() <= 8
    assert all(i.is_demo for i in incidents)
    assert incidents.values("area").distinct().count() >= 3
    assert incidents.values("severity").distinct().count() == 3
    assert incidents.filter(status=Incident.Status.OPEN).count() == 2
    year_ago = timezone.now() - datetime.timedelta(days=365)
    assert not incidents.filter(occurred_at__lt=year_ago).exists()
    assert not incidents.filter(occurred_at__gt=timezone.now()).exists()
    for incident in incidents.filter(status=Incident.Status.CLOSED):
        assert incident.evaluation and incident.closed_at < timezone.now()
    entries = IncidentEntry.objects.all()
    assert entries.filter(kind=IncidentEntry.Kind.MESSAGE).exists()
    assert entries.filter(kind=IncidentEntry.Kind.PRESS).count() == 1
    assert not entries.filter(happened_at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_the_demo_notifications_went_out_within_90_minutes_but_one_waits_one_failed(
    demo_world,
):
    notifications = IncidentNotification.objects.select_related("incident")
    assert notifications.filter(status=Status.PENDING).count() == 1
    (failed,) = notifications.filter(status=Status.FAILED)
    assert "ingen kontaktperson med e-mail" in failed.last_error
    for sent in notifications.filter(status=Status.SENT):
        after = (sent.sent_at - sent.incident.occurred_at).total_seconds() / 60
        assert 5 <= after <= 90
        assert sent.recipients
        assert all(a.endswith("@example.org") for a in sent.recipients.split())


@pytest.mark.django_db
def test_the_demo_contacts_are_invented_with_example_addresses_and_stand_ins(
    demo_world,
):
    contacts = Contact.objects.all()
    assert all(c.is_demo and "Demo-" in c.name for c in contacts)
    assert all(c.email.endswith("@example.org") for c in contacts if c.email)
    assert all(re.fullmatch(r"\+452\d{7}", c.phone.as_e164) for c in contacts)
    assert contacts.filter(area__isnull=True).exists()
    assert contacts.filter(area__isnull=False).exists()
    assert contacts.filter(stand_in__isnull=False).exists()
    for stand_in in contacts.filter(stand_in__isnull=False):
        assert stand_in.stand_in.organisation_id == stand_in.organisation_id


@pytest.mark.django_db
def test_the_demo_network_meetings_have_done_open_and_overdue_tasks(demo_world):
    assert NetworkMeeting.objects.filter(is_demo=True).count() == 3
    tasks = FollowUpTask.objects.all()
    assert tasks.filter(done_on__isnull=False).exists()
    assert tasks.open().exists()
    assert tasks.overdue(timezone.localdate()).count() == 1
