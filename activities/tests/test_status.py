"""Yearly status texts: written by staff, approved and re-opened by coordinators."""

import pytest
from django.urls import reverse

from activities.models import ActivityRecord, YearStatus, YearStatusEvent
from boligsocial.models import Role

from .conftest import TODAY


def urls(activity, year=2026) -> dict:
    args = [activity.pk, year]
    return {
        "edit": reverse("activities:status_edit", args=args),
        "approve": reverse("activities:status_approve", args=args),
        "reopen": reverse("activities:status_reopen", args=args),
    }


def write(client, activity, year=2026, **data):
    return client.post(
        urls(activity, year)["edit"],
        {"status": "ongoing", "narrative": "Godt år med 40 unge i job.", **data},
    )


def test_staff_write_the_years_status_text(client, staff, jobs):
    client.force_login(staff)
    assert write(client, jobs).status_code == 302
    status = YearStatus.objects.get()
    assert (status.year, status.written_by, status.is_locked) == (2026, staff, False)
    page = client.get(jobs.get_absolute_url()).content.decode()
    assert "Godt år med 40 unge i job." in page
    assert "Venter på godkendelse" in page


def test_a_status_text_without_narrative_or_status_is_refused_at_the_field(
    client, staff, jobs
):
    client.force_login(staff)
    response = write(client, jobs, narrative="", status="nonsense")
    form = response.context["form"]
    assert set(form.errors) == {"narrative", "status"}
    assert not YearStatus.objects.exists()


def test_a_coordinator_approves_and_that_locks_the_year(
    client, staff, coordinator, jobs, rising
):
    client.force_login(staff)
    write(client, jobs)
    client.force_login(coordinator)
    version = YearStatus.objects.get().version
    page = client.get(jobs.get_absolute_url()).content.decode()
    assert f'name="version" value="{version}"' in page
    assert client.post(urls(jobs)["approve"], {"version": version}).status_code == 302
    status = YearStatus.objects.get()
    assert status.is_locked and status.approved_by == coordinator
    assert status.events.get().action == YearStatusEvent.Action.APPROVED
    client.force_login(staff)
    assert client.get(urls(jobs)["edit"]).status_code == 403
    response = client.post(
        reverse("activities:record_create"),
        {
            "activity": jobs.pk,
            "date": TODAY.isoformat(),
            "area": rising.pk,
            "participants": "3",
        },
    )
    assert "låst" in " ".join(response.context["form"].errors["date"])
    assert not ActivityRecord.objects.exists()


def test_re_opening_needs_a_reason_and_is_recorded(client, staff, coordinator, jobs):
    status = YearStatus.objects.create(
        activity=jobs, year=2026, status="done", narrative="x", written_by=staff
    )
    status.approve(by=coordinator)
    client.force_login(coordinator)
    refused = client.post(urls(jobs)["reopen"], {"reason": ""})
    assert "reason" in refused.context["form"].errors
    assert YearStatus.objects.get().is_locked
    assert (
        client.post(urls(jobs)["reopen"], {"reason": "Manglende tal"}).status_code
        == 302
    )
    status.refresh_from_db()
    assert not status.is_locked
    reopened = status.events.get(action=YearStatusEvent.Action.REOPENED)
    assert (reopened.by, reopened.note) == (coordinator, "Manglende tal")
    page = client.get(jobs.get_absolute_url()).content.decode()
    assert "Manglende tal" in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR])
def test_only_coordinators_approve_or_re_open(client, personas, role, staff, jobs):
    YearStatus.objects.create(
        activity=jobs, year=2026, status="done", narrative="x", written_by=staff
    )
    client.force_login(personas[role])
    assert client.post(urls(jobs)["approve"]).status_code == 403
    assert client.post(urls(jobs)["reopen"], {"reason": "x"}).status_code == 403
    assert not YearStatus.objects.get().is_locked


def test_partners_read_the_status_but_cannot_write_it(client, partner, staff, jobs):
    YearStatus.objects.create(
        activity=jobs,
        year=2026,
        status="done",
        narrative="Delt tekst",
        written_by=staff,
    )
    client.force_login(partner)
    assert "Delt tekst" in client.get(jobs.get_absolute_url()).content.decode()
    assert client.get(urls(jobs)["edit"]).status_code == 403


def test_a_year_outside_the_plan_has_no_status(client, staff, jobs):
    client.force_login(staff)
    assert client.get(urls(jobs, 2031)["edit"]).status_code == 404


def test_approving_takes_a_post(client, coordinator, jobs):
    client.force_login(coordinator)
    assert client.get(urls(jobs)["approve"]).status_code == 405


def test_approving_a_year_without_text_says_so(client, coordinator, jobs):
    client.force_login(coordinator)
    response = client.post(urls(jobs)["approve"], follow=True)
    assert "ingen statustekst" in response.content.decode()
    assert not YearStatus.objects.exists()


# --- Sent back to be written again ------------------------------------------------


def send_back_url(activity, year=2026) -> str:
    return reverse("activities:status_send_back", args=[activity.pk, year])


def test_a_coordinator_sends_a_text_back_with_a_reason_and_the_writer_is_told(
    client, staff, coordinator, jobs, django_assert_num_queries
):
    from boligsocial.models import Notification

    client.force_login(staff)
    write(client, jobs)
    # Submitted: the coordinator finds it under the bell.
    assert Notification.objects.get(user=coordinator).kind == "status_submitted"
    client.force_login(coordinator)
    page = client.get(jobs.get_absolute_url()).content.decode()
    assert send_back_url(jobs) in page
    # Session, person with the bell's count, verified device, the activity, the
    # year's text (10, like the re-opening's page).
    with django_assert_num_queries(10):
        form = client.get(send_back_url(jobs))
    assert form.status_code == 200
    assert f'value="{YearStatus.objects.get().version}"' in form.content.decode()
    response = client.post(
        send_back_url(jobs),
        {"reason": "Skriv om deltagerne", "version": YearStatus.objects.get().version},
    )
    assert response.status_code == 302
    status = YearStatus.objects.get()
    assert status.is_sent_back and not status.is_locked
    event = status.events.get(action=YearStatusEvent.Action.SENT_BACK)
    assert (event.by, event.note) == (coordinator, "Skriv om deltagerne")
    told = Notification.objects.get(user=staff)
    assert told.kind == "status_decided" and "Skriv om deltagerne" in told.text
    assert "Sendt tilbage" in client.get(jobs.get_absolute_url()).content.decode()
    # Writing it again answers the sending back.
    client.force_login(staff)
    rewritten = write(
        client, jobs, narrative="Nu med deltagerne.", version=status.version
    )
    assert rewritten.status_code == 302
    status.refresh_from_db()
    assert not status.is_sent_back


def test_sending_back_needs_a_reason_and_keeps_nothing_half_done(
    client, staff, coordinator, jobs
):
    YearStatus.objects.create(
        activity=jobs, year=2026, status="done", narrative="x", written_by=staff
    )
    client.force_login(coordinator)
    response = client.post(send_back_url(jobs), {"reason": "   "})
    assert response.status_code == 200
    assert "Skriv, hvad der skal rettes." in response.content.decode()
    status = YearStatus.objects.get()
    assert not status.is_sent_back and not status.events.exists()


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR, Role.PARTNER]
)
def test_only_coordinators_send_a_text_back(client, personas, role, staff, jobs):
    YearStatus.objects.create(
        activity=jobs, year=2026, status="done", narrative="x", written_by=staff
    )
    client.force_login(personas[role])
    assert client.post(send_back_url(jobs), {"reason": "x"}).status_code == 403
    assert not YearStatus.objects.get().is_sent_back


def test_an_approved_or_missing_text_is_not_sent_back(client, staff, coordinator, jobs):
    client.force_login(coordinator)
    assert client.get(send_back_url(jobs)).status_code == 302  # nothing written
    status = YearStatus.objects.create(
        activity=jobs, year=2026, status="done", narrative="x", written_by=staff
    )
    status.approve(by=coordinator)
    response = client.post(send_back_url(jobs), {"reason": "x"}, follow=True)
    assert "Der er ingen statustekst at sende tilbage." in response.content.decode()
    assert not YearStatus.objects.get().is_sent_back


def test_a_visitor_is_sent_to_log_in_before_sending_back(client, jobs):
    response = client.get(send_back_url(jobs))
    assert response.status_code == 302 and "login" in response["Location"]
