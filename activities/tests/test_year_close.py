"""Årsafslutning: a plan year's close on one page, the texts approved or sent back
from it, and the LBF report asked for once every text is approved. Today is 4 May
2026 (conftest), so the page opens on 2025, the year just ended."""

import datetime

import pytest
from django.urls import reverse

from activities.models import (
    Activity,
    CloseState,
    PlanPeriod,
    YearStatus,
    YearStatusEvent,
)
from boligsocial.models import Notification, Role

from .conftest import make_record, set_target

URL = reverse("activities:year_close")
PLAN = "Boligsocial helhedsplan 2024–2028"


@pytest.fixture
def plan(db) -> PlanPeriod:
    return PlanPeriod.objects.get(name=PLAN)


def activities_of(plan) -> list[Activity]:
    return list(Activity.objects.filter(focus_area__plan_period=plan))


def write(activity, staff, year=2025, **fields) -> YearStatus:
    return YearStatus.objects.create(
        activity=activity,
        year=year,
        status="ongoing",
        narrative=f"Året i {activity.name}.",
        written_by=staff,
        **fields,
    )


def approve_url(activity, year=2025) -> str:
    return reverse("activities:status_approve", args=[activity.pk, year])


def send_back_url(activity, year=2025) -> str:
    return reverse("activities:status_send_back", args=[activity.pk, year])


def row_states(response) -> dict[str, str]:
    return {row.activity.name: row.state for row in response.context["rows"]}


# --- The page -------------------------------------------------------------------------


def test_the_close_opens_on_the_year_just_ended_with_every_activity_of_its_plan(
    client, coordinator, plan
):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert (response.context["year"], response.context["plan"]) == (2025, plan)
    assert {r.activity for r in response.context["rows"]} == set(activities_of(plan))
    page = response.content.decode()
    assert "Årsafslutning 2025" in page
    assert f"0 af {len(activities_of(plan))} godkendt" in page


def test_each_state_of_a_text_is_shown(client, staff, coordinator, plan):
    missing, sent_back, awaiting, reopened, approved = activities_of(plan)[:5]
    write(awaiting, staff)
    back = write(sent_back, staff)
    back.send_back(by=coordinator, reason="Skriv om deltagerne")
    again = write(reopened, staff)
    again.approve(by=coordinator)
    again.reopen(by=coordinator, reason="Tallene manglede")
    write(approved, staff).approve(by=coordinator)
    client.force_login(coordinator)

    response = client.get(URL)

    states = row_states(response)
    assert states[missing.name] == CloseState.MISSING
    assert states[sent_back.name] == CloseState.SENT_BACK
    assert states[awaiting.name] == CloseState.AWAITING
    assert states[reopened.name] == CloseState.REOPENED
    assert states[approved.name] == CloseState.APPROVED
    page = response.content.decode()
    assert "Begrundelse: Skriv om deltagerne" in page
    assert f"1 af {len(states)} godkendt" in page


def test_another_year_is_chosen_and_a_year_of_no_plan_falls_back(
    client, coordinator, plan
):
    client.force_login(coordinator)
    assert client.get(URL, {"year": "2026"}).context["year"] == 2026
    older = client.get(URL, {"year": "2019"})
    assert older.context["plan"].name != PLAN
    assert client.get(URL, {"year": "2022"}).context["year"] == 2025
    assert client.get(URL, {"year": "x" * 40}).context["year"] == 2025


def test_targets_for_the_year_after_are_shown_set_or_missing(
    client, coordinator, jobs, got_job
):
    client.force_login(coordinator)
    row = next(r for r in client.get(URL).context["rows"] if r.activity == jobs)
    count = jobs.indicators.count()
    assert (row.activity.indicator_count, row.activity.targets_missing) == (
        count,
        count,
    )
    for indicator in jobs.indicators.all():
        set_target(indicator, 2026, 5)
    response = client.get(URL)
    row = next(r for r in response.context["rows"] if r.activity == jobs)
    assert row.activity.targets_missing == 0
    assert reverse("activities:targets_edit", args=[jobs.pk]) in (
        response.content.decode()
    )


def test_the_last_year_of_a_plan_has_no_targets_after_it(client, coordinator):
    client.force_login(coordinator)
    response = client.get(URL, {"year": "2028"})
    assert response.context["next_year"] is None
    assert "Planen slutter med året." in response.content.decode()


def test_records_of_the_year_saved_lately_are_counted_and_linked(
    client, staff, coordinator, jobs, time_machine
):
    old = make_record(jobs, staff, date=datetime.date(2025, 3, 1))
    make_record(jobs, staff, date=datetime.date(2025, 12, 1))
    make_record(jobs, staff, date=datetime.date(2026, 2, 1))  # another year
    # The old one was saved long ago.
    type(old).objects.filter(pk=old.pk).update(
        updated_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
    )
    client.force_login(coordinator)
    response = client.get(URL)
    row = next(r for r in response.context["rows"] if r.activity == jobs)
    assert row.activity.records_changed == 1
    page = response.content.decode()
    link = (
        f"{reverse('activities:record_list')}?activity={jobs.pk}"
        "&amp;date_from=2025-01-01&amp;date_to=2025-12-31&amp;changed_since=2026-04-20"
    )
    assert link in page
    listed = client.get(link.replace("&amp;", "&"))
    assert [r.date for r, _ in listed.context["rows"]] == [datetime.date(2025, 12, 1)]


def test_the_page_costs_the_same_queries_for_few_or_many_activities(
    client, staff, coordinator, plan, django_assert_num_queries
):
    activities = activities_of(plan)
    client.force_login(coordinator)
    # Session, person, verified device, the plans, the activities with their
    # counts, their texts; the session's last-seen time saved (three).
    with django_assert_num_queries(9):
        client.get(URL)
    for activity in activities:
        write(activity, staff)
        make_record(activity, staff, date=datetime.date(2025, 6, 1))
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert len(response.context["rows"]) == len(activities)


# --- Who may --------------------------------------------------------------------------


def test_admins_close_the_year_too(client, admin_user):
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR, Role.PARTNER]
)
def test_other_roles_are_refused(client, personas, role):
    client.force_login(personas[role])
    assert client.get(URL).status_code == 403


def test_a_visitor_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_takes_no_post(client, coordinator):
    client.force_login(coordinator)
    assert client.post(URL).status_code == 405


# --- Deciding from the list -----------------------------------------------------------


def test_a_text_is_approved_from_the_list_and_the_writer_is_told(
    client, staff, coordinator, jobs
):
    status = write(jobs, staff)
    client.force_login(coordinator)
    response = client.post(
        approve_url(jobs), {"version": status.version, "from": "year-close"}
    )
    assert response["Location"] == f"{URL}?year=2025#activity-{jobs.pk}"
    status.refresh_from_db()
    assert status.is_locked and status.approved_by == coordinator
    assert Notification.objects.get(user=staff).kind == "status_decided"
    page = client.get(response["Location"]).content.decode()
    assert "2025 er godkendt og låst for Fritidsjobrådgivning." in page


def test_a_text_written_again_since_the_list_was_opened_is_not_approved(
    client, staff, coordinator, jobs
):
    status = write(jobs, staff)
    shown = status.version
    client.force_login(staff)
    client.post(
        reverse("activities:status_edit", args=[jobs.pk, 2025]),
        {"status": "done", "narrative": "Skrevet om.", "version": shown},
    )
    client.force_login(coordinator)
    response = client.post(
        approve_url(jobs), {"version": shown, "from": "year-close"}, follow=True
    )
    assert "En anden har ændret det" in response.content.decode()
    status.refresh_from_db()
    assert not status.is_locked and not status.events.exists()


def test_an_approval_without_a_version_is_refused_as_stale(
    client, staff, coordinator, jobs
):
    write(jobs, staff)
    client.force_login(coordinator)
    client.post(approve_url(jobs), {"from": "year-close"})
    assert not YearStatus.objects.get().is_locked


def test_a_text_is_sent_back_from_the_list_with_a_reason(
    client, staff, coordinator, jobs
):
    status = write(jobs, staff)
    client.force_login(coordinator)
    response = client.post(
        send_back_url(jobs),
        {"reason": "Nævn pigerne", "version": status.version, "from": "year-close"},
    )
    assert response["Location"] == f"{URL}?year=2025#activity-{jobs.pk}"
    status.refresh_from_db()
    assert status.is_sent_back
    event = status.events.get()
    assert (event.action, event.note) == (
        YearStatusEvent.Action.SENT_BACK,
        "Nævn pigerne",
    )
    told = Notification.objects.get(user=staff)
    assert "Nævn pigerne" in told.text


def test_a_text_of_last_year_sent_back_waits_in_its_writers_queue(
    client, staff, coordinator, jobs
):
    write(jobs, staff).send_back(by=coordinator, reason="Nævn pigerne")
    client.force_login(staff)
    sections = client.get("/").context["my_work"]
    texts = next(s for s in sections if str(s.title).startswith("Statustekster"))
    edit = reverse("activities:status_edit", args=[jobs.pk, 2025])
    assert [(r.url, r.note, r.badge) for r in texts.rows if r.url == edit] == [
        (edit, "2025", "Sendt tilbage")
    ]


def test_sending_back_without_a_reason_comes_back_with_the_error_and_the_way_back(
    client, staff, coordinator, jobs
):
    status = write(jobs, staff)
    client.force_login(coordinator)
    response = client.post(
        send_back_url(jobs),
        {"reason": " ", "version": status.version, "from": "year-close"},
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    page = response.content.decode()
    assert 'name="from" value="year-close"' in page
    assert f"{URL}?year=2025#activity-{jobs.pk}" in page
    status.refresh_from_db()
    assert not status.is_sent_back and not status.events.exists()


def test_a_text_written_again_is_not_sent_back_unread(client, staff, coordinator, jobs):
    status = write(jobs, staff)
    client.force_login(coordinator)
    response = client.post(
        send_back_url(jobs),
        {"reason": "Kortere", "version": status.version - 1, "from": "year-close"},
        follow=True,
    )
    assert "En anden har ændret det" in response.content.decode()
    status.refresh_from_db()
    assert not status.is_sent_back and not status.events.exists()


# --- The LBF report -------------------------------------------------------------------


def test_the_lbf_button_is_disabled_with_what_is_missing_until_all_are_approved(
    client, staff, coordinator, plan
):
    activities = activities_of(plan)
    write(activities[0], staff)
    client.force_login(coordinator)
    response = client.get(URL)
    assert not response.context["all_approved"]
    page = response.content.decode()
    assert "disabled" in page and "Ikke godkendt endnu:" in page
    assert f"{len(activities) - 1} mangler" in page
    assert "1 venter på godkendelse" in page
    assert reverse("reports:run_list") not in page


def test_once_all_are_approved_the_button_asks_for_one_lbf_report(
    client, staff, coordinator, plan
):
    from reports.models import ReportRun

    for activity in activities_of(plan):
        write(activity, staff).approve(by=coordinator)
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.context["all_approved"]
    page = response.content.decode()
    assert reverse("reports:run_list") in page
    form = {"kind": "lbf", "plan_period": plan.pk, "year": 2025}

    first = client.post(reverse("reports:run_list"), form)
    second = client.post(reverse("reports:run_list"), form)

    run = ReportRun.objects.get()
    assert first["Location"] == second["Location"] == run.get_absolute_url()
    assert (run.kind, run.plan_period, run.start) == (
        "lbf",
        plan,
        datetime.date(2025, 1, 1),
    )
    assert set(run.areas.all()) == set(plan.areas.all())


# --- Where it is linked from ----------------------------------------------------------


def test_the_close_is_linked_from_the_plan_the_activity_and_the_queue(
    client, staff, coordinator, plan, jobs
):
    write(jobs, staff)
    client.force_login(coordinator)
    assert URL in client.get(plan.get_absolute_url()).content.decode()
    activity_page = client.get(jobs.get_absolute_url(), {"year": 2025})
    assert f"{URL}?year=2025#activity-{jobs.pk}" in activity_page.content.decode()
    assert URL in client.get("/").content.decode()
    client.force_login(staff)
    assert URL not in client.get(plan.get_absolute_url()).content.decode()
