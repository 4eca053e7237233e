"""Scheduled reports: after each quarter or year beat asks for the report of the
period just ended, once, in the name of the person who set it up."""

import datetime

import pytest

from activities.models import PlanPeriod
from boligsocial.models import Area, Role
from boligsocial.periods import Period
from reports.models import ReportRun, ReportSchedule
from reports.services import request_scheduled_reports

TODAY = datetime.date(2026, 5, 4)


@pytest.fixture
def quarterly(coordinator) -> ReportSchedule:
    schedule = ReportSchedule.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        frequency=ReportSchedule.Frequency.QUARTERLY,
        owner=coordinator,
    )
    schedule.areas.set(Area.objects.filter(slug="rising"))
    return schedule


@pytest.fixture
def yearly_lbf(coordinator) -> ReportSchedule:
    return ReportSchedule.objects.create(
        kind=ReportRun.Kind.LBF,
        frequency=ReportSchedule.Frequency.YEARLY,
        plan_period=PlanPeriod.objects.get(name="Boligsocial helhedsplan 2024–2028"),
        owner=coordinator,
    )


def test_a_quarterly_schedule_asks_for_the_quarter_just_ended(quarterly, coordinator):
    assert request_scheduled_reports(TODAY) == 1

    run = ReportRun.objects.get()
    assert run.period == Period.quarter(2026, 1)
    assert (run.schedule, run.requested_by) == (quarterly, coordinator)
    assert [area.slug for area in run.areas.all()] == ["rising"]


def test_a_schedule_asks_only_once_for_a_period(quarterly):
    request_scheduled_reports(TODAY)
    request_scheduled_reports(TODAY + datetime.timedelta(days=30))

    assert ReportRun.objects.count() == 1
    request_scheduled_reports(datetime.date(2026, 7, 1))
    assert ReportRun.objects.count() == 2


def test_a_yearly_lbf_schedule_asks_for_last_year_of_its_plan(yearly_lbf):
    request_scheduled_reports(TODAY)

    run = ReportRun.objects.get()
    assert (run.kind, run.period) == ("lbf", Period.year(2025))
    assert set(run.areas.all()) == set(yearly_lbf.plan_period.areas.all())


def test_a_yearly_lbf_schedule_asks_nothing_for_a_year_outside_its_plan(yearly_lbf):
    request_scheduled_reports(datetime.date(2024, 3, 1))

    assert ReportRun.objects.count() == 0


def test_a_paused_schedule_asks_for_nothing(quarterly):
    quarterly.is_active = False
    quarterly.save()

    assert request_scheduled_reports(TODAY) == 0


def test_a_schedule_whose_owner_lost_the_role_asks_for_nothing(quarterly, coordinator):
    coordinator.role = Role.STAFF
    coordinator.save()

    assert request_scheduled_reports(TODAY) == 0
    assert ReportRun.objects.count() == 0
