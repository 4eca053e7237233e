"""The activities in figures, for a set of areas and a period: records,
participants, new participants and volunteers per activity and area, and each
indicator reached against its target. The dashboard and both PDF reports take
them, and their tables, from here.

Indicator values are summed over the records, so their targets are amounts: a
period that is not a calendar year counts each year's target in proportion to the
days of it the period covers. An activity's targets are set for the whole plan,
so they are compared only when the chosen areas include every area the activity
runs in.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from boligsocial.charts import progress_bars
from boligsocial.models import Area
from boligsocial.numbers import percent
from boligsocial.periods import AMOUNT, Period, target_for_period
from boligsocial.tables import Table

from .models import (
    Activity,
    ActivityRecord,
    FocusArea,
    IndicatorMonth,
    IndicatorValue,
    RecordMonth,
    Target,
    YearStatus,
)


@dataclass
class Participation:
    records: int = 0
    participants: int = 0
    new: int = 0
    volunteers: int = 0

    def add(self, other: "Participation") -> None:
        self.records += other.records
        self.participants += other.participants
        self.new += other.new
        self.volunteers += other.volunteers

    @classmethod
    def sum(cls, parts) -> "Participation":
        total = cls()
        for part in parts:
            total.add(part)
        return total


@dataclass
class IndicatorFigure:
    indicator_id: int
    name: str
    unit: str
    reached: int
    target: int | None  # for the period; None: no target, or not all its areas

    @property
    def share(self) -> float | None:
        return self.reached / self.target if self.target else None

    @property
    def share_percent(self) -> float | None:
        return percent(self.reached, self.target)


@dataclass
class ActivityFigure:
    activity: Activity
    areas: list[Area]  # where it runs, of the chosen areas
    total: Participation
    by_area: dict[int, Participation]  # area id → its part (areas with records)
    indicators: list[IndicatorFigure]
    status: YearStatus | None  # the approved status text of the period's last year


@dataclass
class FocusAreaFigure:
    focus_area: FocusArea
    activities: list[ActivityFigure]

    @property
    def total(self) -> Participation:
        return Participation.sum(row.total for row in self.activities)


@dataclass
class ActivityFigures:
    focus_areas: list[FocusAreaFigure]

    @property
    def total(self) -> Participation:
        return Participation.sum(row.total for row in self.focus_areas)

    def themed(self, *themes: str) -> list[FocusAreaFigure]:
        return [row for row in self.focus_areas if row.focus_area.theme in themes]

    def total_of(self, *themes: str) -> Participation:
        return Participation.sum(row.total for row in self.themed(*themes))


def activity_figures(
    area_list: list[Area], period: Period, *, activities=None, details: bool = True
) -> ActivityFigures:
    """The activities of the plans that overlap the period and run in one of the
    areas (or the `activities` given, as the plan's own pages show them), counted
    over the records in those areas. Seven queries; without `details` (a period
    only compared with), their participation only, without indicators and status
    texts: three."""
    chosen = Activity.objects.filter(
        focus_area__plan_period__start__lte=period.end,
        focus_area__plan_period__end__gte=period.start,
        areas__in=area_list,
    ).distinct()
    if activities is not None:
        chosen = Activity.objects.filter(pk__in=[a.pk for a in activities])
    related = ["areas", "indicators"] if details else ["areas"]
    activities = list(
        chosen.in_plan_order().select_related("responsible").prefetch_related(*related)
    )
    months, odd_days = whole_months(period.start, period.end)
    parts = _participation(activities, area_list, months, odd_days)
    reached, targets, statuses = {}, {}, {}
    if details:
        reached = _reached(activities, area_list, months, odd_days)
        targets = _targets(activities, period)
        statuses = {
            status.activity_id: status
            for status in YearStatus.objects.locked().filter(
                activity__in=activities, year=period.end.year
            )
        }
    chosen = {area.pk for area in area_list}
    grouped: dict[int, FocusAreaFigure] = {}
    for activity in activities:
        by_area = parts.get(activity.pk, {})
        covers_all = {a.pk for a in activity.areas.all()} <= chosen
        row = ActivityFigure(
            activity=activity,
            areas=[a for a in activity.areas.all() if a.pk in chosen],
            total=Participation.sum(by_area.values()),
            by_area=by_area,
            indicators=[
                IndicatorFigure(
                    indicator_id=indicator.pk,
                    name=indicator.name,
                    unit=indicator.unit,
                    reached=reached.get(indicator.pk, 0),
                    target=(
                        target_for_period(targets.get(indicator.pk, {}), period, AMOUNT)
                        if covers_all
                        else None
                    ),
                )
                for indicator in (activity.indicators.all() if details else [])
            ],
            status=statuses.get(activity.pk),
        )
        focus_area = activity.focus_area
        grouped.setdefault(focus_area.pk, FocusAreaFigure(focus_area, []))
        grouped[focus_area.pk].activities.append(row)
    return ActivityFigures(focus_areas=list(grouped.values()))


def whole_months(
    start: datetime.date, end: datetime.date
) -> tuple[tuple[datetime.date, datetime.date], Q]:
    """The period as the first days of its whole calendar months (first, last;
    last before first when it has none) and a filter for its records on the
    days outside them (at most two stretches)."""
    first = start if start.day == 1 else _next_month(start)
    after = (
        _next_month(end) if _next_month(end) - ONE_DAY == end else end.replace(day=1)
    )
    if after <= first:  # no whole month
        return (first, first - ONE_DAY), Q(date__gte=start, date__lte=end)
    last = (after - ONE_DAY).replace(day=1)
    odd_days = Q(date__gte=start, date__lt=first) | Q(date__gte=after, date__lte=end)
    return (first, last), odd_days


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


ONE_DAY = datetime.timedelta(days=1)


def _participation(
    activities, area_list, months, odd_days
) -> dict[int, dict[int, Participation]]:
    """activity id → area id → what its records there add up to: the whole
    months from RecordMonth, the odd days from the records, in one query."""
    sums = ["participants", "participants_new", "volunteers"]
    kept = (
        RecordMonth.objects.filter(
            activity__in=activities, area__in=area_list, month__range=months
        )
        .values("activity", "area")
        .annotate(n=Sum("records"), **{name: Sum(name) for name in sums})
        .order_by()
    )
    days = (
        ActivityRecord.objects.filter(
            odd_days, activity__in=activities, area__in=area_list
        )
        .values("activity", "area")
        .annotate(n=Count("pk"), **{name: Sum(name) for name in sums})
        .order_by()
    )
    parts: dict[int, dict[int, Participation]] = {}
    for row in kept.union(days, all=True):
        part = parts.setdefault(row["activity"], {}).setdefault(
            row["area"], Participation()
        )
        part.add(Participation(row["n"], *(row[name] for name in sums)))
    return parts


def _reached(activities, area_list, months, odd_days) -> dict[int, int]:
    """indicator id → the sum of its values over the records: the whole months
    from IndicatorMonth, the odd days through their records, in one query."""
    indicators = [i.pk for activity in activities for i in activity.indicators.all()]
    kept = (
        IndicatorMonth.objects.filter(
            indicator__in=indicators, area__in=area_list, month__range=months
        )
        .values("indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    records = ActivityRecord.objects.filter(
        odd_days, activity__in=activities, area__in=area_list
    )
    days = (
        IndicatorValue.objects.filter(record__in=records.values("pk"))
        .values("indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    reached: dict[int, int] = {}
    for row in kept.union(days, all=True):
        reached[row["indicator"]] = reached.get(row["indicator"], 0) + row["total"]
    return reached


def _targets(activities, period: Period) -> dict[int, dict[int, int]]:
    """indicator id → {year: target} for the years the period touches."""
    targets: dict[int, dict[int, int]] = {}
    for indicator, year, value in Target.objects.filter(
        indicator__activity__in=activities, year__in=list(period.years)
    ).values_list("indicator", "year", "value"):
        targets.setdefault(indicator, {})[year] = value
    return targets


# --- As tables: the same on the dashboard and in the PDFs -------------------------


def activity_table(
    activities: ActivityFigures, *themes: str, slug: str = "activities"
) -> Table:
    focus_areas = activities.themed(*themes) if themes else activities.focus_areas
    rows = [
        [
            row.activity.name,
            fa.focus_area.name,
            row.total.records,
            row.total.participants,
            row.total.new,
            row.total.volunteers,
        ]
        for fa in focus_areas
        for row in fa.activities
    ]
    total = Participation.sum(fa.total for fa in focus_areas)
    return Table(
        slug=slug,
        title=_("Aktiviteter"),
        caption=_(
            "Registreringer, deltagere, nye deltagere og frivillige pr. "
            "aktivitet i perioden, i de valgte områder."
        ),
        columns=[
            _("Aktivitet"),
            _("Indsatsområde"),
            _("Registreringer"),
            _("Deltagere"),
            _("Nye"),
            _("Frivillige"),
        ],
        rows=rows,
        total=[
            _("I alt"),
            "",
            total.records,
            total.participants,
            total.new,
            total.volunteers,
        ]
        if rows
        else None,
    )


def indicator_table(
    activities: ActivityFigures, *themes: str, slug: str = "indicators"
) -> Table:
    focus_areas = activities.themed(*themes) if themes else activities.focus_areas
    rows = [
        [
            f"{row.activity.name}: {indicator.name}",
            indicator.unit,
            indicator.reached,
            indicator.target,
            percent(indicator.reached, indicator.target),
        ]
        for fa in focus_areas
        for row in fa.activities
        for indicator in row.indicators
    ]
    return Table(
        slug=slug,
        title=_("Indikatorer mod måltal"),
        caption=_(
            "Det opnåede pr. indikator mod periodens måltal (årets måltal i "
            "forhold til periodens længde). Måltal gælder hele planen og vises "
            "kun, når alle aktivitetens områder er valgt."
        ),
        columns=[_("Indikator"), _("Enhed"), _("Opnået"), _("Måltal"), _("Andel, %")],
        rows=rows,
    )


def area_participation_table(activities: ActivityFigures, areas: list[Area]) -> Table:
    by_area = {area.pk: Participation() for area in areas}
    for fa in activities.focus_areas:
        for row in fa.activities:
            for area_id, part in row.by_area.items():
                by_area[area_id].add(part)
    total = activities.total
    return Table(
        slug="activity_areas",
        title=_("Aktiviteter pr. område"),
        caption=_("Registreringer og deltagere i alle aktiviteter pr. område."),
        columns=[
            _("Område"),
            _("Registreringer"),
            _("Deltagere"),
            _("Nye"),
            _("Frivillige"),
        ],
        rows=[
            [
                area.name,
                by_area[area.pk].records,
                by_area[area.pk].participants,
                by_area[area.pk].new,
                by_area[area.pk].volunteers,
            ]
            for area in areas
        ],
        total=[
            _("I alt"),
            total.records,
            total.participants,
            total.new,
            total.volunteers,
        ]
        if len(areas) > 1
        else None,
    )


def activity_indicator_table(row: ActivityFigure) -> Table:
    return Table(
        slug=f"activity_{row.activity.pk}_indicators",
        title=_("Måltal og resultater"),
        caption=_("Aktivitetens indikatorer: det opnåede mod årets måltal."),
        columns=[_("Indikator"), _("Enhed"), _("Opnået"), _("Måltal"), _("Andel, %")],
        rows=[
            [
                ind.name,
                ind.unit,
                ind.reached,
                ind.target,
                percent(ind.reached, ind.target),
            ]
            for ind in row.indicators
        ],
    )


def activity_area_table(row: ActivityFigure) -> Table:
    def cells(part: Participation) -> list:
        return [part.records, part.participants, part.new, part.volunteers]

    return Table(
        slug=f"activity_{row.activity.pk}_areas",
        title=_("Deltagelse pr. område"),
        caption=_(
            "Aktivitetens registreringer, deltagere, nye deltagere og "
            "frivillige pr. område."
        ),
        columns=[
            _("Område"),
            _("Registreringer"),
            _("Deltagere"),
            _("Nye"),
            _("Frivillige"),
        ],
        rows=[
            [area.name, *cells(row.by_area.get(area.pk, Participation()))]
            for area in row.areas
        ],
        total=[_("I alt"), *cells(row.total)] if len(row.areas) > 1 else None,
    )


def activity_chart(activities: ActivityFigures) -> SafeString:
    """Participants per focus area: values, with no target to draw against."""
    return progress_bars(
        [
            (fa.focus_area.name, fa.total.participants, None)
            for fa in activities.focus_areas
        ]
    )
