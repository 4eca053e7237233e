"""The records by month (RecordMonth, IndicatorMonth): kept by the database in the
same transaction as every change to a record, whatever makes it, on PostgreSQL and
on SQLite; and the figures of any period, whole months from the sums and odd days
from the records, equal to the records' own sums."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse

from activities.figures import activity_figures, whole_months
from activities.models import (
    ActivityRecord,
    IndicatorMonth,
    IndicatorValue,
    RecordMonth,
)
from boligsocial.models import Area
from boligsocial.periods import Period

from .conftest import make_record

# Around every edge a period can have: whole months, the new year, a leap day,
# both summer-time days of 2024.
RECORD_DAYS = [
    "2024-02-29",
    "2024-03-31",
    "2024-10-27",
    "2025-12-31",
    "2026-01-01",
    "2026-01-14",
    "2026-01-15",
    "2026-02-03",
    "2026-03-10",
    "2026-03-11",
]
SUMS = ["participants", "participants_new", "volunteers"]


def from_records() -> tuple[dict, dict]:
    """What the months should hold, added up from the records themselves."""
    records = {
        (row["activity"], row["area"], row["month"]): [row["n"], *map(row.get, SUMS)]
        for row in ActivityRecord.objects.annotate(month=TruncMonth("date"))
        .values("activity", "area", "month")
        .annotate(n=Count("pk"), **{name: Sum(name) for name in SUMS})
        .order_by()
    }
    values = {
        (row["indicator"], row["record__area"], row["month"]): [row["v"], row["n"]]
        for row in IndicatorValue.objects.annotate(month=TruncMonth("record__date"))
        .values("indicator", "record__area", "month")
        .annotate(v=Sum("value"), n=Count("pk"))
        .order_by()
    }
    return records, values


def kept() -> tuple[dict, dict]:
    """What the months hold."""
    records = {
        (m.activity_id, m.area_id, m.month): [m.records, *(getattr(m, s) for s in SUMS)]
        for m in RecordMonth.objects.all()
    }
    values = {
        (m.indicator_id, m.area_id, m.month): [m.value, m.count]
        for m in IndicatorMonth.objects.all()
    }
    return records, values


def assert_months_match_the_records():
    assert kept() == from_records()


def record_data(record, **changes) -> dict:
    data = {
        "activity": record.activity_id,
        "date": record.date.isoformat(),
        "area": record.area_id,
        "participants": str(record.participants),
        "version": record.version,
        **{f"indicator_{v.indicator_id}": str(v.value) for v in record.values.all()},
    }
    return {**data, **changes}


def test_the_months_follow_a_record_through_the_forms(
    client, staff, coordinator, jobs, got_job, rising
):
    client.force_login(staff)
    data = {
        "activity": jobs.pk,
        "date": "2026-04-30",
        "area": rising.pk,
        "participants": "12",
        "volunteers": "2",
        "participants_new": "3",
        "participants_returning": "9",
        f"indicator_{got_job.pk}": "4",
    }
    assert client.post(reverse("activities:record_create"), data).status_code == 302
    record = ActivityRecord.objects.latest("pk")
    assert_months_match_the_records()
    april = RecordMonth.objects.get(
        activity=jobs, area=rising, month=datetime.date(2026, 4, 1)
    )
    assert (april.participants_new, april.volunteers) == (3, 2)

    # Moved to another month and area, more came, another value: through the
    # edit guard's UPDATE, not save().
    vollsmose = Area.objects.get(slug="vollsmose")
    client.force_login(coordinator)
    moved = record_data(
        record,
        date="2026-05-02",
        area=vollsmose.pk,
        participants="20",
        participants_new="8",
        participants_returning="12",
        **{f"indicator_{got_job.pk}": "9"},
    )
    edit = reverse("activities:record_edit", args=[record.pk])
    assert client.post(edit, moved).status_code == 302
    assert_months_match_the_records()
    assert (
        IndicatorMonth.objects.get(
            indicator=got_job, area=vollsmose, month=datetime.date(2026, 5, 1)
        ).value
        >= 9
    )

    delete = reverse("activities:record_delete", args=[record.pk])
    assert client.post(delete).status_code == 302
    assert not ActivityRecord.objects.filter(pk=record.pk).exists()
    assert_months_match_the_records()


def test_the_months_follow_bulk_writes_updates_and_deletes(staff, jobs, got_job):
    """The import saves in bulk; a queryset update or delete sends no signal."""
    rising = Area.objects.get(slug="rising")
    records = ActivityRecord.objects.bulk_create(
        ActivityRecord(
            activity=jobs,
            date=datetime.date(2025, 12, 31) + datetime.timedelta(days=n),
            area=rising,
            participants=n + 1,
            created_by=staff,
        )
        for n in range(3)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(record=r, indicator=got_job, value=2) for r in records
    )
    assert_months_match_the_records()
    ActivityRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        date=datetime.date(2024, 2, 29)
    )
    IndicatorValue.objects.filter(record__in=records).update(value=5)
    assert_months_match_the_records()
    ActivityRecord.objects.filter(pk__in=[r.pk for r in records]).delete()
    assert_months_match_the_records()
    assert not RecordMonth.objects.filter(month=datetime.date(2024, 2, 1)).exists()


def test_a_record_s_values_move_with_it_and_a_month_left_empty_is_removed(
    staff, jobs, got_job
):
    record = make_record(
        jobs, staff, date=datetime.date(2026, 1, 31), values={got_job: 6}
    )
    record.date = datetime.date(2026, 2, 1)
    record.save()
    months = {m.month for m in IndicatorMonth.objects.filter(indicator=got_job)}
    assert datetime.date(2026, 2, 1) in months
    assert_months_match_the_records()
    record.values.all().delete()
    record.delete()
    assert_months_match_the_records()


@pytest.mark.parametrize(
    "start, end",
    [
        ("2026-01-01", "2026-12-31"),  # whole months only
        ("2026-01-15", "2026-03-10"),  # odd days at both ends
        ("2026-02-03", "2026-02-20"),  # inside one month
        ("2025-12-31", "2026-01-01"),  # across the new year, no whole month
        ("2024-02-29", "2024-03-31"),  # a leap day, then a whole month
        ("2024-03-31", "2024-10-27"),  # both of 2024's summer-time days
        ("2017-01-01", "2026-12-31"),  # ten years
    ],
)
def test_any_period_adds_up_to_the_records_own_sums(staff, jobs, got_job, start, end):
    for day in RECORD_DAYS:
        make_record(
            jobs, staff, date=datetime.date.fromisoformat(day), values={got_job: 2}
        )
    start, end = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    areas = list(Area.objects.all())
    figures = activity_figures(areas, Period(start, end, "custom"))
    row = next(
        row
        for fa in figures.focus_areas
        for row in fa.activities
        if row.activity == jobs
    )
    records = ActivityRecord.objects.filter(
        activity=jobs, date__gte=start, date__lte=end
    )
    expected = records.aggregate(n=Count("pk"), p=Sum("participants"))
    assert (row.total.records, row.total.participants) == (
        expected["n"],
        expected["p"] or 0,
    )
    reached = {i.name: i.reached for i in row.indicators}
    assert reached[got_job.name] == (
        IndicatorValue.objects.filter(record__in=records, indicator=got_job).aggregate(
            s=Sum("value")
        )["s"]
        or 0
    )


def test_a_period_is_split_into_whole_months_and_odd_days():
    months, _ = whole_months(datetime.date(2026, 1, 15), datetime.date(2026, 3, 10))
    assert months == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 1))
    months, _ = whole_months(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    assert months == (datetime.date(2024, 2, 1), datetime.date(2024, 2, 1))
    months, _ = whole_months(datetime.date(2017, 1, 1), datetime.date(2026, 12, 31))
    assert months == (datetime.date(2017, 1, 1), datetime.date(2026, 12, 1))
    months, _ = whole_months(datetime.date(2026, 2, 3), datetime.date(2026, 2, 20))
    assert months[1] < months[0]  # none


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once")
def test_a_value_saved_while_its_record_moves_lands_in_the_records_new_month(
    staff, jobs, got_job
):
    """One person moves a record from January to March while another saves a
    value for it: the value waits for the move and is added to March."""
    record = make_record(jobs, staff, date=datetime.date(2026, 1, 15))
    done = []

    def save_a_value():
        try:
            IndicatorValue.objects.create(record=record, indicator=got_job, value=4)
            done.append(True)
        finally:
            connection.close()

    other = threading.Thread(target=save_a_value)
    with transaction.atomic():
        ActivityRecord.objects.filter(pk=record.pk).update(
            date=datetime.date(2026, 3, 15)
        )
        other.start()
        other.join(timeout=1)
        assert other.is_alive(), "the value did not wait for the record's move"
    other.join(timeout=10)

    assert done == [True]
    assert_months_match_the_records()
    assert IndicatorMonth.objects.get(indicator=got_job).month == datetime.date(
        2026, 3, 1
    )
