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
import random
import time
from datetime import date, timedelta

from common import save_all, scratch_portal, time_pages

CHUNK = 50_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scratch_portal()

    started = time.perf_counter()
    count = load_records(args.records)
    print(f"{count} records loaded in {time.perf_counter() - started:.1f} s")
    time_activity_pages(args.runs)


def load_records(n: int, *, seed: int = 2026) -> int:
    """N records over 2017–2026 on random activities and their areas, with a value
    for each of the activity's indicators; saved a chunk at a time, so memory does
    not grow with N."""
    from activities.models import Activity, ActivityRecord, IndicatorValue
    from boligsocial.models import User

    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not security
    staff = list(User.objects.exclude(role="partner"))
    activities = list(Activity.objects.prefetch_related("areas", "indicators"))
    first = date(2017, 1, 1)
    days = (date(2026, 11, 1) - first).days
    for done in range(0, n, CHUNK):
        records = []
        for _ in range(min(CHUNK, n - done)):
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
        # The records get their keys back; the demo's own records have their
        # values already.
        save_all(ActivityRecord, records)
        save_all(
            IndicatorValue,
            (
                IndicatorValue(
                    record=record, indicator=indicator, value=rng.randrange(4)
                )
                for record in records
                for indicator in record.activity.indicators.all()
            ),
        )
    return ActivityRecord.objects.count()


def time_activity_pages(runs: int) -> None:
    from django.urls import reverse

    from activities.models import Activity

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
    time_pages(pages, username="koordinator", runs=runs)


if __name__ == "__main__":
    main()
