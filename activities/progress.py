"""Targets against what the records reached, computed in the database.

Indicator values are never typed as totals: they are sums over the records.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import timezone

from .models import ActivityRecord, Indicator, IndicatorValue, Target


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    target: int | None
    reached: int

    @property
    def share(self) -> float | None:
        """Reached as a share of the target (None when no target is set)."""
        if not self.target:
            return None
        return self.reached / self.target


def year_elapsed(year: int, today: datetime.date | None = None) -> float:
    """How far through the year we are: 0 before it, 1 after it."""
    today = today or timezone.localdate()
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if today < start:
        return 0.0
    if today > end:
        return 1.0
    return (today - start).days / ((end - start).days + 1)


def indicator_progress(activities, year: int) -> dict[int, list[IndicatorProgress]]:
    """Per activity id: each indicator's target and reached value for the year.

    Three queries whatever the number of activities, indicators and records.
    """
    activity_ids = [a.pk for a in activities]
    indicators = Indicator.objects.filter(activity_id__in=activity_ids).order_by(
        "activity_id", "order", "name"
    )
    targets = dict(
        Target.objects.filter(
            indicator__activity_id__in=activity_ids, year=year
        ).values_list("indicator_id", "value")
    )
    reached = dict(
        IndicatorValue.objects.filter(
            indicator__activity_id__in=activity_ids, record__date__year=year
        )
        .values("indicator_id")
        .annotate(total=Sum("value"))
        .values_list("indicator_id", "total")
    )
    progress: dict[int, list[IndicatorProgress]] = {pk: [] for pk in activity_ids}
    for indicator in indicators:
        progress[indicator.activity_id].append(
            IndicatorProgress(
                indicator=indicator,
                target=targets.get(indicator.pk),
                reached=reached.get(indicator.pk, 0),
            )
        )
    return progress


def participation(activities, year: int) -> dict[int, dict]:
    """Per activity id: records, participants, new participants and volunteers."""
    rows = (
        ActivityRecord.objects.filter(activity__in=activities, date__year=year)
        .values("activity_id")
        .annotate(
            records=Count("pk"),
            participants=Sum("participants"),
            new=Sum("participants_new"),
            volunteers=Sum("volunteers"),
        )
    )
    empty = {"records": 0, "participants": 0, "new": 0, "volunteers": 0}
    figures = {a.pk: dict(empty) for a in activities}
    for row in rows:
        figures[row.pop("activity_id")] = row
    return figures
