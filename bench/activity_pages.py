"""Benchmark: the activity pages at ten years of records.

    .venv/bin/python bench/activity_pages.py [--records 100000] [--runs 5]

Builds a scratch database (SQLite in a temporary folder, or the PostgreSQL
database named by DATABASE_URL: give it an empty one), loads the plan by
migrations, adds RECORDS activity records spread over 2017–2026 with indicator
values, and times the pages that aggregate them. Prints, per page, the median and
worst time over RUNS requests and the number of queries (which must not grow with
the data; the tests pin them).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    os.environ["PORTAL_ENVIRONMENT"] = "development"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    started = time.perf_counter()
    count = load_records(args.records)
    print(f"{count} records loaded in {time.perf_counter() - started:.1f} s")
    time_pages(args.runs)


def load_records(n: int) -> int:
    from activities.models import Activity, ActivityRecord, IndicatorValue
    from boligsocial.models import User

    rng = random.Random(2026)  # noqa: S311 - repeatable benchmark data, not security
    staff = list(User.objects.exclude(role="partner"))
    activities = list(Activity.objects.prefetch_related("areas", "indicators"))
    first = date(2017, 1, 1)
    days = (date(2026, 11, 1) - first).days
    records, values = [], []
    for _ in range(n):
        activity = rng.choice(activities)
        records.append(
            ActivityRecord(
                activity=activity,
                date=first + timedelta(days=rng.randrange(days)),
                area=rng.choice(list(activity.areas.all())),
                participants=rng.randrange(1, 40),
                created_by=rng.choice(staff),
                note="Benchmark",
            )
        )
    ActivityRecord.objects.bulk_create(records, batch_size=5000)
    for record in ActivityRecord.objects.select_related("activity").iterator():
        for indicator in record.activity.indicators.all():
            values.append(
                IndicatorValue(
                    record=record, indicator=indicator, value=rng.randrange(4)
                )
            )
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    return ActivityRecord.objects.count()


def time_pages(runs: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from activities.models import Activity
    from boligsocial.models import User

    activity = Activity.objects.get(name="Fritidsjobrådgivning")
    pages = {
        "record list": reverse("activities:record_list"),
        "record list, filtered": reverse("activities:record_list")
        + f"?activity={activity.pk}&date_from=2026-01-01",
        "activity page": activity.get_absolute_url(),
        "focus area page": reverse(
            "activities:focus_area_detail", args=[activity.focus_area_id]
        ),
        "calendar": reverse("activities:calendar"),
        "coordinator's landing page": reverse("home"),
    }
    client = Client()
    client.force_login(User.objects.get(username="koordinator"))
    print(f"{'page':<28} {'median ms':>10} {'worst ms':>10} {'queries':>8}")
    for name, url in pages.items():
        timings = []
        for _ in range(runs):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{name:<28} {statistics.median(timings):>10.1f} {max(timings):>10.1f} "
            f"{len(queries):>8}"
        )


if __name__ == "__main__":
    main()
