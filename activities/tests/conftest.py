import datetime

import pytest
import time_machine

from activities.models import Activity, ActivityRecord, IndicatorValue, Target
from boligsocial.models import Area

TODAY = datetime.date(2026, 5, 4)


@pytest.fixture(autouse=True)
def frozen_today():
    """Records cannot lie in the future: every test here runs on 4 May 2026."""
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0), tick=False):
        yield


@pytest.fixture
def jobs(db) -> Activity:
    """Fritidsjobrådgivning (2024–2028), run in every current area."""
    return Activity.objects.get(name="Fritidsjobrådgivning")


@pytest.fixture
def got_job(jobs):
    return jobs.indicators.get(name="Unge der har fået et fritidsjob")


@pytest.fixture
def rising(db) -> Area:
    return Area.objects.get(slug="rising")


def make_record(
    activity, user, *, date=TODAY, area="rising", participants=10, values=None, note=""
) -> ActivityRecord:
    record = ActivityRecord.objects.create(
        activity=activity,
        date=date,
        area=Area.objects.get(slug=area),
        participants=participants,
        created_by=user,
        note=note,
    )
    for indicator, value in (values or {}).items():
        IndicatorValue.objects.create(record=record, indicator=indicator, value=value)
    return record


def activity_named(name: str) -> Activity:
    return Activity.objects.get(name=name)


def set_target(indicator, year, value) -> Target:
    return Target.objects.create(indicator=indicator, year=year, value=value)
