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
    assert client.post(urls(jobs)["approve"]).status_code == 302
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
