# ruff: noqa: F811 - the safety tests' fixtures are imported, then asked for by name
""" "Mit arbejde": each role lands on its queue, each row one click from acting,
in as many queries for a little work as for much."""

import datetime

import pytest
from django.urls import reverse

from activities.models import YearStatus
from advice.models import EvictionReport
from boligsocial.models import Organisation, Role
from conftest import make_user
from safety.conftest import (  # noqa: F401 - fixtures of the safety tests
    frozen_today,
    make_incident,
    make_meeting,
    make_task,
    police,
    rising,
)
from safety.models import Finding, FindingCategory, Walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)


def make_findings(staff, organisation, area_slug: str, count: int, **fields):
    from boligsocial.models import Area

    area = Area.objects.get(slug=area_slug)
    walk = Walk.objects.create(area=area, starts_at=NOW, created_by=staff)
    category = FindingCategory.objects.get_or_create(name="Hærværk")[0]
    return [
        Finding.objects.create(
            walk=walk,
            area=area,
            category=category,
            description="Knust rude",
            place=f"Opgang {n}",
            responsible=organisation,
            status=Finding.Status.SENT,
            created_by=staff,
            **fields,
        )
        for n in range(count)
    ]


def queue(response, title_start: str):
    return next(
        s for s in response.context["my_work"] if str(s.title).startswith(title_start)
    )


def test_a_partner_lands_on_what_is_routed_to_its_organisation_wherever_it_is(
    client, staff, partner, police
):
    overdue = make_findings(
        staff, police, "korslokkeparken", 1, due_date=TODAY - datetime.timedelta(1)
    )[0]
    make_findings(staff, Organisation.objects.get(name="SSP Odense"), "rising", 1)
    incident = make_incident(
        partner.areas.get().__class__.objects.get(slug="vollsmose"), notify=[police]
    )
    task = make_task(make_meeting(organisations=[police]), police)
    client.force_login(partner)
    response = client.get("/")
    findings = queue(response, "Fund til Fyns Politi")
    assert findings.count == 1
    (row,) = findings.rows
    assert row.url == overdue.get_absolute_url() and row.badge == "Over fristen"
    assert queue(response, "Åbne hændelser").rows[0].url == incident.get_absolute_url()
    assert queue(response, "Jeres opgaver").rows[0].url == task.get_absolute_url()
    html = response.content.decode()
    assert "Opgang 0" in html and 'aria-current="page"' in html


def test_a_housing_partner_is_asked_for_last_years_eviction_figures_until_given(
    client, housing_org
):
    bolig = make_user(
        "bolig", Role.PARTNER, organisation=housing_org.name, areas=["rising"]
    )
    client.force_login(bolig)
    (row,) = queue(client.get("/"), "Udsættelsesnetværket").rows
    assert row.url == reverse("advice:network_report", args=[2025])
    EvictionReport.objects.create(
        organisation=housing_org,
        year=2025,
        reminder_letters=10,
        reminders_settled=5,
        bailiff_cases=2,
        evictions=1,
    )
    assert queue(client.get("/"), "Udsættelsesnetværket").rows == []


@pytest.mark.parametrize("role", ["partner", "staff", "safety_advisor", "coordinator"])
def test_the_queue_costs_the_same_queries_for_a_little_work_and_much(
    client, personas, police, role, django_assert_max_num_queries
):
    staff = personas["staff"]
    make_findings(staff, police, "rising", 2, due_date=TODAY)
    client.force_login(personas[role])
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    make_findings(staff, police, "rising", 25, due_date=TODAY)
    for n in range(12):
        task = make_task(make_meeting(organisations=[police]), police)
        make_incident(staff.areas.get(), notify=[police], title=f"Hændelse {n}")
        assert task
    with django_assert_max_num_queries(40) as many:
        client.get("/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_staff_see_the_status_texts_sent_back_to_them(client, staff, coordinator):
    from activities.models import Activity, PlanPeriod

    plan = PlanPeriod.objects.current()
    activity = (
        Activity.objects.filter(focus_area__plan_period=plan)
        .in_areas(staff.areas.all())
        .first()
    )
    assert activity is not None  # the plan of the migrations has activities
    status = YearStatus.objects.create(
        activity=activity,
        year=plan.current_year(),
        status=YearStatus.Status.ONGOING,
        narrative="Kort",
        written_by=staff,
    )
    status.send_back(by=coordinator, reason="Skriv om deltagerne")
    client.force_login(staff)
    rows = queue(client.get("/"), "Statustekster").rows
    assert [r.badge for r in rows if r.text == activity.name] == ["Sendt tilbage"]


def test_the_menu_counts_what_waits_and_asks_the_queue_once_a_minute(
    client, staff, partner, police, django_assert_num_queries
):
    from django.core.cache import cache

    cache.clear()
    make_findings(staff, police, "korslokkeparken", 2)
    make_task(make_meeting(organisations=[police]), police)
    client.force_login(partner)
    home = client.get("/").content.decode()
    assert reverse("my_work_count") in home  # fetched once the page has loaded
    first = client.get(reverse("my_work_count"))
    assert 'data-testid="my-work-count">3<' in first.content.decode()
    # Session, person and the session's renewal (3) only: kept for a minute.
    with django_assert_num_queries(5):
        again = client.get(reverse("my_work_count"))
    assert again.content == first.content
    assert client.post(reverse("my_work_count")).status_code == 405
    cache.clear()


def test_nothing_waiting_shows_no_count(client, partner):
    from django.core.cache import cache

    cache.clear()
    client.force_login(partner)
    assert client.get(reverse("my_work_count")).content.decode().strip() == ""


def test_a_coordinator_is_shown_the_indicators_without_next_years_target(
    client, coordinator
):
    from activities.models import Indicator, Target

    indicators = Indicator.objects.filter(
        activity__focus_area__plan_period__start__year__lte=2027,
        activity__focus_area__plan_period__end__year__gte=2027,
    )
    first = indicators.order_by("pk").first()
    Target.objects.create(indicator=first, year=2027, value=10)
    client.force_login(coordinator)
    section = queue(client.get("/"), "Indikatorer uden måltal for 2027")
    assert section.count == indicators.count() - 1 > 0
    assert section.rows[0].url.endswith("/targets/")
    assert all(f"{first.activity.name}: {first.name}" != r.text for r in section.rows)
