"""Report schedules on the report pages: listed, created, paused and resumed,
deleted after asking; by coordinators and admins, nobody else (no longer in the
admin)."""

import pytest
from django.urls import NoReverseMatch, reverse

from activities.models import PlanPeriod
from boligsocial.models import Area, Role
from reports.models import ReportRun, ReportSchedule

LIST = reverse("reports:schedule_list")
CREATE = reverse("reports:schedule_create")


@pytest.fixture
def plan(db) -> PlanPeriod:
    return PlanPeriod.objects.get(name="Boligsocial helhedsplan 2024–2028")


@pytest.fixture
def quarterly(coordinator) -> ReportSchedule:
    schedule = ReportSchedule.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        frequency=ReportSchedule.Frequency.QUARTERLY,
        owner=coordinator,
    )
    schedule.areas.set(Area.objects.filter(slug="rising"))
    return schedule


def url(name: str, schedule) -> str:
    return reverse(f"reports:schedule_{name}", args=[schedule.pk])


# --- The list -------------------------------------------------------------------------


def test_the_schedules_are_listed_with_their_areas_and_recipient(
    client, coordinator, quarterly, plan, django_assert_num_queries
):
    ReportSchedule.objects.create(
        kind=ReportRun.Kind.LBF,
        frequency=ReportSchedule.Frequency.YEARLY,
        plan_period=plan,
        owner=coordinator,
        is_active=False,
    )
    client.force_login(coordinator)
    # Session, person, verified device, the schedules, their areas; the
    # session's last-seen time saved (three).
    with django_assert_num_queries(8):
        response = client.get(LIST)
    page = response.content.decode()
    assert "Statusrapport til Odense Kommune, hvert kvartal" in page
    assert "Rising" in page and "Sat på pause" in page
    assert url("pause", quarterly) in page and url("delete", quarterly) in page
    more = ReportSchedule.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        frequency=ReportSchedule.Frequency.YEARLY,
        owner=coordinator,
    )
    more.areas.set(Area.objects.all())
    with django_assert_num_queries(8):
        client.get(LIST)


def test_the_run_list_leads_to_the_schedules(client, coordinator, quarterly):
    client.force_login(coordinator)
    page = client.get(reverse("reports:run_list")).content.decode()
    assert LIST in page and "oprettes under Administration" not in page


def test_schedules_are_no_longer_kept_in_the_admin(db):
    with pytest.raises(NoReverseMatch):
        reverse("admin:reports_reportschedule_changelist")


# --- Creating -------------------------------------------------------------------------


def test_a_coordinator_creates_a_quarterly_municipality_schedule(client, coordinator):
    client.force_login(coordinator)
    assert client.get(CREATE).status_code == 200
    response = client.post(
        CREATE,
        {
            "kind": "municipality",
            "frequency": "quarterly",
            "areas": [Area.objects.get(slug="rising").pk],
            "owner": coordinator.pk,
        },
    )
    assert response["Location"] == LIST
    schedule = ReportSchedule.objects.get()
    assert (schedule.kind, schedule.owner, schedule.is_active) == (
        "municipality",
        coordinator,
        True,
    )
    assert [a.slug for a in schedule.areas.all()] == ["rising"]


def test_an_admin_creates_a_yearly_lbf_schedule_for_a_coordinator(
    client, admin_user, coordinator, plan
):
    client.force_login(admin_user)
    client.post(
        CREATE,
        {
            "kind": "lbf",
            "frequency": "yearly",
            "plan_period": plan.pk,
            "owner": coordinator.pk,
        },
    )
    schedule = ReportSchedule.objects.get()
    assert (schedule.plan_period, schedule.owner) == (plan, coordinator)


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"kind": "lbf", "frequency": "yearly"},
            "plan_period",
            "Rapporten til Landsbyggefonden gælder en plan.",
        ),
        (
            {"kind": "lbf", "frequency": "quarterly", "plan_period": "PLAN"},
            "frequency",
            "Rapporten til Landsbyggefonden gælder et helt år: vælg hvert år.",
        ),
        (
            {
                "kind": "lbf",
                "frequency": "yearly",
                "plan_period": "PLAN",
                "areas": ["RISING"],
            },
            "areas",
            "Rapporten til Landsbyggefonden gælder alle planens områder.",
        ),
        (
            {"kind": "weekly", "frequency": "daily"},
            "kind",
            "Vælg en af rapporterne.",
        ),
        (
            {"kind": "municipality", "frequency": "yearly", "owner": "STAFF"},
            "owner",
            "Vælg en koordinator eller administrator.",
        ),
    ],
)
def test_a_schedule_that_cannot_be_is_refused_at_its_field(
    client, coordinator, staff, plan, data, field, message
):
    client.force_login(coordinator)
    swap = {
        "PLAN": plan.pk,
        "RISING": Area.objects.get(slug="rising").pk,
        "STAFF": staff.pk,
    }
    data = {
        "owner": coordinator.pk,
        **{
            k: ([swap.get(x, x) for x in v] if isinstance(v, list) else swap.get(v, v))
            for k, v in data.items()
        },
    }
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not ReportSchedule.objects.exists()


# --- Pausing, resuming, deleting ------------------------------------------------------


def test_a_schedule_is_paused_and_resumed(client, coordinator, quarterly):
    client.force_login(coordinator)
    assert client.post(url("pause", quarterly))["Location"] == LIST
    quarterly.refresh_from_db()
    assert not quarterly.is_active
    page = client.get(LIST).content.decode()
    assert url("resume", quarterly) in page
    client.post(url("resume", quarterly))
    quarterly.refresh_from_db()
    assert quarterly.is_active


def test_pausing_twice_leaves_it_paused(client, coordinator, quarterly):
    client.force_login(coordinator)
    client.post(url("pause", quarterly))
    client.post(url("pause", quarterly))
    quarterly.refresh_from_db()
    assert not quarterly.is_active


def test_a_delete_asks_first_and_keeps_the_reports_it_asked_for(
    client, coordinator, quarterly
):
    from reports.services import request_scheduled_reports

    request_scheduled_reports()
    run = ReportRun.objects.get()
    client.force_login(coordinator)
    confirm = client.get(url("delete", quarterly))
    assert confirm.status_code == 200
    assert "Vil du slette den faste bestilling" in confirm.content.decode()
    assert ReportSchedule.objects.exists()
    assert client.post(url("delete", quarterly))["Location"] == LIST
    assert not ReportSchedule.objects.exists()
    run.refresh_from_db()
    assert run.schedule is None


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_pausing_and_resuming_take_a_post(client, coordinator, quarterly, action):
    client.force_login(coordinator)
    assert client.get(url(action, quarterly)).status_code == 405
    assert client.post(LIST).status_code == 405


def test_an_unknown_schedule_is_not_found(client, coordinator, quarterly):
    client.force_login(coordinator)
    gone = ReportSchedule(pk=quarterly.pk + 100)
    assert client.post(url("pause", gone)).status_code == 404
    assert client.get(url("delete", gone)).status_code == 404


# --- Who may --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR, Role.PARTNER]
)
def test_other_roles_are_refused_everywhere(client, personas, role, quarterly):
    client.force_login(personas[role])
    assert client.get(LIST).status_code == 403
    assert client.post(CREATE, {"kind": "municipality"}).status_code == 403
    assert client.post(url("pause", quarterly)).status_code == 403
    assert client.post(url("delete", quarterly)).status_code == 403
    quarterly.refresh_from_db()
    assert quarterly.is_active


def test_a_visitor_is_sent_to_log_in(client, quarterly):
    for response in (client.get(LIST), client.post(url("delete", quarterly))):
        assert response.status_code == 302 and "login" in response["Location"]
    assert ReportSchedule.objects.exists()
