# ruff: noqa: F811 - the safety tests' fixtures are imported, then asked for by name
"""Notifications in the portal: the bell, its list, each person's choice of
e-mail, the daily digest, and nothing told that the person could not open."""

import datetime

import pytest
from django.urls import reverse

from boligsocial import notices
from boligsocial.models import Delivery, Notification, NotificationPreference
from safety.conftest import (  # noqa: F401 - fixtures of the safety tests
    contacts,
    eager_tasks,
    frozen_today,
    make_incident,
    make_meeting,
    municipality,
    police,
    rising,
    ssp,
    ssp_partner,
)
from safety.models import Finding, FindingCategory, Walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def finding(staff, partner, rising) -> Finding:
    """Recorded by staff, routed to the partner's organisation (Fyns Politi)."""
    walk = Walk.objects.create(area=rising, starts_at=NOW, created_by=staff)
    return Finding.objects.create(
        walk=walk,
        area=rising,
        category=FindingCategory.objects.get_or_create(name="Hærværk")[0],
        description="Knust rude",
        place="Opgang 4",
        responsible=partner.organisation,
        status=Finding.Status.SENT,
        created_by=staff,
    )


def route(finding: Finding, *, eager_capture) -> None:
    from safety.walks.notifications import notify_routed

    with eager_capture(execute=True):
        notify_routed(finding)


def test_a_routed_finding_rings_the_partners_bell_and_mails_it_once(
    client,
    partner,
    finding,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    route(finding, eager_capture=django_capture_on_commit_callbacks)
    (notification,) = Notification.objects.filter(user=partner)
    assert notification.kind == "finding_routed" and notification.delivery == "now"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [partner.email]
    assert finding.get_absolute_url() in mailoutbox[0].body
    notices.send_now(notification.pk)  # the same task delivered again
    assert len(mailoutbox) == 1

    client.force_login(partner)
    home = client.get("/").content.decode()
    assert 'data-testid="bell"' in home and "1<span" in home
    listed = client.get(reverse("notification_list")).content.decode()
    assert "Hærværk: Opgang 4, Rising" in listed
    opened = client.get(reverse("notification_open", args=[notification.pk]))
    assert opened["Location"] == finding.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_opens_or_marks_read_another_persons_notification(
    client, staff, partner, finding, django_capture_on_commit_callbacks
):
    route(finding, eager_capture=django_capture_on_commit_callbacks)
    notification = Notification.objects.get(user=partner)
    client.force_login(staff)
    assert (
        client.get(reverse("notification_open", args=[notification.pk])).status_code
        == 404
    )
    read = reverse("notification_read", args=[notification.pk])
    assert client.post(read).status_code == 404
    assert client.get(read).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_empties_the_bell(
    client, partner, finding, django_capture_on_commit_callbacks
):
    route(finding, eager_capture=django_capture_on_commit_callbacks)
    route(finding, eager_capture=django_capture_on_commit_callbacks)
    client.force_login(partner)
    assert client.get("/").context["unread_count"] == 2
    assert client.post(reverse("notification_read_all")).status_code == 302
    assert client.get("/").context["unread_count"] == 0
    assert client.get(reverse("notification_read_all")).status_code == 405


def test_a_partner_is_never_told_of_another_organisations_finding(
    ssp_partner, finding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify(
            Notification.Kind.FINDING_ROUTED, about=finding, users=[ssp_partner]
        )
    assert not Notification.objects.filter(user=ssp_partner).exists()


def test_the_partners_change_of_status_tells_the_reporter_in_the_morning_digest(
    client, staff, partner, finding, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(partner)
    url = reverse("safety:finding_status", args=[finding.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"to": "in_progress", "version": 1})
    (told,) = Notification.objects.filter(user=staff)
    assert told.kind == "finding_changed" and "I gang" in told.text
    assert told.delivery == Delivery.DIGEST and mailoutbox == []
    assert notices.send_digests() == 1
    assert "Hærværk: Opgang 4" in mailoutbox[0].body
    assert notices.send_digests() == 0  # never twice
    assert len(mailoutbox) == 1


def test_each_person_chooses_how_each_kind_reaches_them(
    client,
    partner,
    finding,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    client.force_login(partner)
    page = client.get(reverse("notification_settings"))
    assert set(page.context["form"].fields) == {
        "finding_routed",
        "incident_told",
        "task_assigned",
        "export_ready",  # a partner exports its findings list too
    }
    bad = client.post(reverse("notification_settings"), {"finding_routed": "fax"})
    assert bad.status_code == 200 and "finding_routed" in bad.context["form"].errors
    choice = {
        "finding_routed": "portal",
        "incident_told": "digest",
        "task_assigned": "now",
        "export_ready": "portal",
    }
    assert client.post(reverse("notification_settings"), choice).status_code == 302
    assert NotificationPreference.objects.filter(user=partner).count() == 4
    route(finding, eager_capture=django_capture_on_commit_callbacks)
    assert Notification.objects.get(user=partner).delivery == "portal"
    assert mailoutbox == []


def test_an_incident_told_and_a_task_given_reach_the_organisations_partners(
    client,
    safety_advisor,
    partner,
    rising,
    police,
    contacts,
    django_capture_on_commit_callbacks,
):
    client.force_login(safety_advisor)
    incident = make_incident(rising, notify=[])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("safety:incident_notify", args=[incident.pk]),
            {"organisations": [police.pk]},
        )
    meeting = make_meeting(organisations=[police])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("safety:task_create", args=[meeting.pk]),
            {
                "description": "Øget patrulje",
                "owner": police.pk,
                "due_on": "2026-05-20",
            },
        )
    kinds = sorted(
        Notification.objects.filter(user=partner).values_list("kind", flat=True)
    )
    assert kinds == ["incident_told", "task_assigned"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_queries_for_few_and_many(
    client, partner, count, django_assert_num_queries
):
    Notification.objects.bulk_create(
        Notification(
            user=partner,
            kind=Notification.Kind.FINDING_ROUTED,
            text=f"Hærværk: Opgang {n}, Rising",
            url="/safety/findings/",
            delivery=Delivery.PORTAL,
        )
        for n in range(count)
    )
    client.force_login(partner)
    # Session, the person with the bell's count, the page's count, whether any is
    # unread, its rows; the session's renewal (3: an update in a savepoint).
    with django_assert_num_queries(8):
        response = client.get(reverse("notification_list"))
    assert len(response.context["page"]) == min(count, 25)
    # Session, person, the choices made, and the renewal again (3).
    with django_assert_num_queries(6):
        assert client.get(reverse("notification_settings")).status_code == 200


def test_a_visitor_is_sent_to_log_in_for_the_bell(client):
    for name in ("notification_list", "notification_settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]
