"""The demo data command: a login per role, marked demo records, never production."""

from base64 import b32encode
from hashlib import sha1
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.models import (
    BREAKDOWNS,
    ActivityRecord,
    IndicatorValue,
    PlanPeriod,
    Target,
    YearStatus,
    YearStatusEvent,
)
from advice.models import Case, DropIn, EvictionReport, Household
from boligsocial.management.commands.demo_data import DEMO_PASSWORD, DEMO_TOTP_KEY
from boligsocial.models import HousingDepartment, Organisation, Role, User
from reports.models import ReportKind, ReportSchedule


def run_demo_data() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_data_creates_a_login_per_role_and_prints_it_with_its_password(demo_world):
    output = demo_world
    users = User.objects.all()
    assert {u.role for u in users} == set(Role)
    for user in users:
        assert user.check_password(DEMO_PASSWORD)
        assert user.username in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_housing_departments_are_marked_as_demo(demo_world):
    departments = HousingDepartment.objects.all()
    assert departments.count() == 22  # as many as the 2024–2028 plan has
    assert all(d.is_demo and d.organisation.is_demo for d in departments)
    assert not Organisation.objects.filter(name="Fyns Politi", is_demo=True).exists()


@pytest.mark.django_db
def test_demo_targets_are_marked_as_demo(demo_world):
    assert Target.objects.exists()
    assert not Target.objects.filter(is_demo=False).exists()


@pytest.mark.django_db
def test_running_demo_data_twice_changes_nothing_twice():
    run_demo_data()
    counts = (User.objects.count(), HousingDepartment.objects.count())
    run_demo_data()
    assert (User.objects.count(), HousingDepartment.objects.count()) == counts


@pytest.mark.django_db
def test_demo_data_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    # Another test's demo world may be loaded in this module: nothing is added.
    users = User.objects.count()
    with pytest.raises(CommandError, match="production"):
        run_demo_data()
    assert User.objects.count() == users


def demo_totp(username: str) -> str:
    out = StringIO()
    call_command("demo_totp", username, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_each_demo_login_reaches_its_landing_page(demo_world, client):
    for user in User.objects.all():
        client.post(
            "/account/login/", {"username": user.username, "password": DEMO_PASSWORD}
        )
        if user.needs_two_factor:
            client.post("/account/2fa/verify/", {"code": demo_totp(user.username)})
        response = client.get("/")
        assert response.status_code == 200, user.username
        assert f"boligsocial/home_{user.role}.html" in [
            t.name for t in response.templates
        ]
        client.post("/account/logout/")


@pytest.mark.django_db
def test_the_demo_logins_needing_two_factors_share_the_published_demo_key(demo_world):
    output = demo_world
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    assert {d.user.username for d in devices} == {
        "medarbejder",
        "raadgiver",
        "tryghed",
        "koordinator",
        "admin",
    }
    assert {b32encode(d.bin_key).decode() for d in devices} == {DEMO_TOTP_KEY}
    published = sha1(b"BoligSocialt-demo", usedforsecurity=False).digest()
    assert DEMO_TOTP_KEY == b32encode(published).decode()
    assert DEMO_TOTP_KEY in output
    assert "demo_totp" in output


@pytest.mark.django_db
def test_running_demo_data_twice_keeps_one_authenticator_per_demo_login():
    run_demo_data()
    run_demo_data()
    assert TOTPDevice.objects.filter(user__username="koordinator").count() == 1


@pytest.mark.django_db
def test_demo_totp_prints_the_code_an_app_with_the_demo_key_shows_now(demo_world):
    device = TOTPDevice.objects.get(user__username="koordinator")
    expected = TOTP(device.bin_key).token()
    assert demo_totp("koordinator") == f"{expected:06d}"


@pytest.mark.django_db
def test_demo_totp_refuses_a_login_that_is_not_a_demo_login(demo_world, coordinator):
    TOTPDevice.objects.create(user=coordinator, confirmed=True)
    with pytest.raises(CommandError, match="not a demo login"):
        demo_totp("coordinator")


@pytest.mark.django_db
def test_demo_totp_refuses_a_demo_login_without_the_demo_key(demo_world):
    TOTPDevice.objects.filter(user__username="koordinator").update(key="00" * 20)
    with pytest.raises(CommandError, match="no demo authenticator"):
        demo_totp("koordinator")
    with pytest.raises(CommandError, match="no demo authenticator"):
        demo_totp("partner-politi")  # needs no two factors


@pytest.mark.django_db
def test_demo_totp_refuses_to_run_in_production(demo_world, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        demo_totp("koordinator")


@pytest.mark.django_db
def test_demo_advice_cases_are_invented_and_replaced_not_doubled():
    run_demo_data()
    counts = (Case.objects.count(), DropIn.objects.count(), Household.objects.count())
    run_demo_data()
    assert counts == (
        Case.objects.count(),
        DropIn.objects.count(),
        Household.objects.count(),
    )
    assert counts[0] == 9 and counts[1] == 3
    assert all("Demo-" in h.name for h in Household.objects.all())
    assert Case.objects.filter(status=Case.Status.CLOSED).count() == 5
    assert set(Case.objects.values_list("advisors__username", flat=True)) == {
        "raadgiver"
    }
    assert EvictionReport.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_every_activity_of_the_current_plan_has_demo_records_in_its_own_areas(
    demo_world,
):
    plan = PlanPeriod.objects.current()
    records = ActivityRecord.objects.select_related("activity", "created_by")
    assert 0 < records.count() <= 1500
    activities = plan.focus_areas.values_list("activities", flat=True)
    assert set(records.values_list("activity", flat=True)) == set(activities)
    assert {r.created_by.username for r in records} == {"medarbejder"}
    assert {r.note for r in records} == {"Demo"}
    past_years = set(range(plan.years[0], timezone.localdate().year))
    assert set(records.values_list("date__year", flat=True)) >= past_years
    for record in records.prefetch_related("activity__areas"):
        assert plan.start <= record.date
        assert record.area in record.activity.areas.all()


@pytest.mark.django_db
def test_demo_records_break_their_participants_down_consistently_or_not_at_all(
    demo_world,
):
    for record in ActivityRecord.objects.all():
        for fields in BREAKDOWNS.values():
            assert sum(getattr(record, name) for name in fields) in (
                0,
                record.participants,
            ), record.pk


@pytest.mark.django_db
def test_each_demo_record_has_a_value_for_each_of_its_activitys_indicators(demo_world):
    values = IndicatorValue.objects.select_related("record", "indicator")
    expected = sum(
        record.activity.indicators.count()
        for record in ActivityRecord.objects.select_related("activity")
    )
    assert values.count() == expected
    assert all(v.indicator.activity_id == v.record.activity_id for v in values)


@pytest.mark.django_db
def test_demo_status_texts_of_the_plans_past_years_are_approved_by_the_coordinator(
    demo_world,
):
    activities = ActivityRecord.objects.values("activity").distinct().count()
    this_year = timezone.localdate().year
    past_years = range(PlanPeriod.objects.current().years[0], this_year)
    for year in past_years:
        statuses = YearStatus.objects.filter(year=year).select_related("approved_by")
        assert statuses.count() == activities
        assert {s.approved_by.username for s in statuses} == {"koordinator"}
        assert all(s.narrative for s in statuses)
    assert (
        YearStatusEvent.objects.filter(action=YearStatusEvent.Action.APPROVED).count()
        == len(past_years) * activities
    )
    drafts = YearStatus.objects.filter(year=this_year)
    assert 0 < drafts.count() < activities
    assert not drafts.locked().exists()


@pytest.mark.django_db
def test_the_demo_asks_for_the_municipality_report_every_quarter_for_every_area(
    demo_world,
):
    schedule = ReportSchedule.objects.get()
    assert schedule.kind == ReportKind.MUNICIPALITY
    assert schedule.frequency == ReportSchedule.Frequency.QUARTERLY
    assert schedule.owner.username == "koordinator"
    assert schedule.is_active and not schedule.areas.exists()


def demo_counts() -> dict[str, int]:
    return {
        "records": ActivityRecord.objects.count(),
        "values": IndicatorValue.objects.count(),
        "statuses": YearStatus.objects.count(),
        "approved": YearStatus.objects.locked().count(),
        "events": YearStatusEvent.objects.count(),
        "schedules": ReportSchedule.objects.count(),
        "targets": Target.objects.count(),
    }


@pytest.mark.django_db
def test_running_demo_data_twice_gives_the_same_records_texts_and_schedule():
    run_demo_data()
    first = demo_counts()
    this_year = timezone.localdate().year
    approved_years = set(ActivityRecord.objects.filter(date__year__lt=this_year))
    output = run_demo_data()
    assert demo_counts() == first
    # The records of an approved year are locked: kept, not made anew.
    approved_again = set(ActivityRecord.objects.filter(date__year__lt=this_year))
    assert approved_again == approved_years
    assert f"{first['records']} activity records" in output
