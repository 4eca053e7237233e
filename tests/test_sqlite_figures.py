"""The development default, SQLite, computes the figures as PostgreSQL does: the
records by month kept by its own triggers, the medians by the aggregate each
SQLite connection is given (the findings' days to a fix, the incidents' minutes to
the first partner told), and Nabohjælp's months by SQLite's own date functions.
On a fresh SQLite database with every migration applied and the demo data (a
later migration that rebuilt the records' table there would drop its triggers:
this would fail)."""

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import datetime, statistics
from activities.models import Activity, ActivityRecord, IndicatorValue
from activities.tests.test_record_months import from_records, kept
from boligsocial.clock import calendar_days
from boligsocial.models import Area, User
from safety.beredskab.figures import incident_figures
from boligsocial.periods import Period
from safety.models import Finding, Incident, SignUp, active_on
from safety.nabohjaelp.figures import month_ends, signup_figures
from safety.walks.figures import finding_figures

assert kept() == from_records(), "after the demo data"
jobs = Activity.objects.get(name="Fritidsjobrådgivning")
indicator = jobs.indicators.first()
rising, vollsmose = Area.objects.get(slug="rising"), Area.objects.get(slug="vollsmose")
user = User.objects.get(username="koordinator")
record = ActivityRecord.objects.create(activity=jobs, date=datetime.date(2024, 2, 29),
    area=rising, participants=7, volunteers=1, created_by=user)
IndicatorValue.objects.create(record=record, indicator=indicator, value=3)
assert kept() == from_records(), "after an insert"
ActivityRecord.objects.filter(pk=record.pk).update(area=vollsmose,
    date=datetime.date(2024, 3, 1), participants=9)
assert kept() == from_records(), "after a move"
IndicatorValue.objects.filter(record=record).update(value=8)
assert kept() == from_records(), "after a value changed"
record.delete()
assert kept() == from_records(), "after a delete"

# Five more fixed, after odd stretches (one before it was found: fixed at once).
for n, finding in enumerate(Finding.objects.exclude(status="fixed")[:5]):
    Finding.objects.filter(pk=finding.pk).update(status="fixed",
        fixed_at=finding.found_at + datetime.timedelta(days=3 * n - 1, hours=5 * n))
fixed = Finding.objects.filter(status="fixed")
days = [max(calendar_days(f.found_at, f.fixed_at), 0) for f in fixed]
assert len(days) >= 3, len(days)
figures = finding_figures(areas=list(Area.objects.all()),
    start=datetime.date(2000, 1, 1), end=datetime.date(2100, 1, 1))
assert abs(figures.median_days - statistics.median(days)) < 1e-6, figures.median_days
for row in figures.organisations:
    mine = [max(calendar_days(f.found_at, f.fixed_at), 0)
            for f in fixed.filter(responsible_id=row.organisation_id)]
    expected = statistics.median(mine) if mine else None
    assert (row.median_days is None) == (expected is None), row.name
    assert expected is None or abs(row.median_days - expected) < 1e-6, row.name

# The minutes from each incident to its first partner told, as Python counts them.
minutes = []
for incident in Incident.objects.prefetch_related("notifications"):
    sent = [n.sent_at for n in incident.notifications.all() if n.sent_at]
    if sent:
        minutes.append(max((min(sent) - incident.occurred_at).total_seconds(), 0) / 60)
assert len(minutes) >= 2, len(minutes)
times = incident_figures(areas=Area.objects.all(), start=datetime.date(2000, 1, 1),
    end=datetime.date(2100, 1, 1)).total.times
assert times.notified == len(minutes), times.notified
assert abs(times.median - statistics.median(minutes)) < 1e-3, times.median
assert abs(times.average - statistics.fmean(minutes)) < 1e-3, times.average
assert abs(times.longest - max(minutes)) < 1e-3, times.longest

# Nabohjælp's month-end counts, grouped by clamped months, against counting: for
# the year of the middle sign-up, with sign-ups before and after it, as of its end.
days = sorted(SignUp.objects.values_list("signed_up_on", flat=True))
period = Period.year(days[len(days) // 2].year)
assert days[0] < period.start and SignUp.objects.filter(active_on(period.end)).exists()
figures = signup_figures(areas=Area.objects.all(), period=period, today=period.end)
for row in figures.rows:
    expected = [SignUp.objects.filter(active_on(end), area=row.area).count()
                for end in month_ends(period)]
    assert row.monthly == expected, (row.area.slug, row.monthly, expected)
print("figures agree")
"""


def test_sqlite_keeps_the_months_and_takes_the_medians(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PORTAL_ENVIRONMENT": "development",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    for command in (["migrate", "-v0"], ["demo_data"]):
        subprocess.run([*manage, *command], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [*manage, "shell", "-c", SCRIPT], env=env, capture_output=True, text=True
    )
    assert "figures agree" in done.stdout, done.stderr[-3000:]
