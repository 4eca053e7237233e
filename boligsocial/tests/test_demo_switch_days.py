"""Demo data loaded around the days the clocks switch never lands in an hour that
is skipped or repeated: its made-up days avoid the switch days, and its times
"hours ago" step out of the repeated hour with their timeline."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from boligsocial import clock
from conftest import summer_time_switches
from safety.models import Finding, Incident, IncidentEntry, IncidentNotification, Walk

SPRING, AUTUMN = summer_time_switches(timezone.localdate().year - 1)
HOUR = datetime.timedelta(hours=1)
# The beredskab demo's oldest incidents happened 250 and 330 days before today.
LOADED_AT = [
    (AUTUMN, datetime.time(4, 45)),  # three hours before lies in the repeated hour
    (AUTUMN, datetime.time(5, 20)),  # its timeline would reach into it
    (SPRING, datetime.time(4, 30)),
    (SPRING + datetime.timedelta(days=250), datetime.time(12)),
    (AUTUMN + datetime.timedelta(days=250), datetime.time(12)),
    (SPRING + datetime.timedelta(days=330), datetime.time(12)),
]


def demo_moments() -> list[datetime.datetime]:
    moments = [
        *Incident.objects.values_list("occurred_at", flat=True),
        *Incident.objects.exclude(closed_at=None).values_list("closed_at", flat=True),
        *IncidentEntry.objects.values_list("happened_at", flat=True),
        *IncidentNotification.objects.exclude(sent_at=None).values_list(
            "sent_at", flat=True
        ),
        *Walk.objects.values_list("starts_at", flat=True),
        *Finding.objects.values_list("found_at", flat=True),
        *Finding.objects.exclude(fixed_at=None).values_list("fixed_at", flat=True),
    ]
    assert len(moments) > 40
    return moments


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "at"), LOADED_AT, ids=lambda value: str(value))
def test_demo_data_loaded_near_a_switch_has_no_moment_in_a_repeated_hour(day, at):
    loaded_at = clock.local_moment(day, at)
    with time_machine.travel(loaded_at, tick=False):
        call_command("demo_data", stdout=StringIO())
    repeated = [m for m in demo_moments() if clock.is_repeated(m)]
    assert repeated == []
    # Nor on a switch day at all, except the walks and the incident of today.
    made_up = Incident.objects.exclude(occurred_at__gte=loaded_at - 6 * HOUR)
    days = {timezone.localdate(i.occurred_at) for i in made_up}
    assert not any(clock.is_switch_day(d) for d in days)
