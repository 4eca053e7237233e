"""The one figures layer: every figure the dashboards, the PDF reports and their
exports show, for a set of areas and a period, computed by `figures_for`.

Each part is a grouped aggregate in the database, so the number of queries is the
same for ten rows as for ten years of rows (about 25 in all, pinned by a test):

- activities: records, participants, new participants and volunteers per activity
  and area, the indicators reached against their targets, the approved status text;
- Nabohjælp: active sign-ups at the period's start and end, new sign-ups, against
  the households of the areas and the yearly targets;
- Tryghedsvandringer: walks held against the target, findings and how fast they
  were fixed (`safety.figures`);
- the beredskab: incidents and the time to the first partner told
  (`safety.beredskab_figures`);
- Økonomisk rådgivning: cases and outcomes, with small counts suppressed for
  everyone outside the advice team (`advice.figures`).

Targets are yearly. For a period that is not a calendar year a target counts in
proportion to the days of each year the period covers (a quarter gets about a
quarter of the year's target); an activity's indicator targets are set for the
whole plan, so they are compared only when the chosen areas include every area the
activity runs in. The method notes in the reports say the same in Danish.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    ActivityRecord,
    FocusArea,
    IndicatorValue,
    Target,
    YearStatus,
)
from advice.figures import CaseFigures, Figure, case_figures
from boligsocial.clock import day_start
from boligsocial.models import Area
from boligsocial.periods import Period
from safety.beredskab.figures import IncidentFigures, incident_figures
from safety.models import SignUp, SignUpTarget, Status, Walk, WalkTarget, active_on
from safety.walks.figures import FindingFigures, finding_figures


def prorated(targets: dict[int, int], period: Period) -> int | None:
    """A yearly target ({year: value}) for the period: each year's value in
    proportion to the days of that year the period covers. None unless every
    year the period touches has a target."""
    if any(year not in targets for year in period.years):
        return None
    return round(sum(targets[y] * period.share_of_year(y) for y in period.years))


# --- Activities --------------------------------------------------------------------


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
    name: str
    unit: str
    reached: int
    target: int | None  # for the period; None: no target, or not all its areas

    @property
    def share(self) -> float | None:
        return self.reached / self.target if self.target else None


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


def activity_figures(area_list: list[Area], period: Period) -> ActivityFigures:
    """The activities of the plans that overlap the period and run in one of the
    areas, counted over the records in those areas. Seven queries."""
    activities = list(
        Activity.objects.filter(
            focus_area__plan_period__start__lte=period.end,
            focus_area__plan_period__end__gte=period.start,
            areas__in=area_list,
        )
        .distinct()
        .in_plan_order()
        .select_related("responsible")
        .prefetch_related("areas", "indicators")
    )
    records = ActivityRecord.objects.filter(
        activity__in=activities,
        area__in=area_list,
        date__gte=period.start,
        date__lte=period.end,
    )
    parts = _participation(records)
    reached = _reached(records)
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
                    name=indicator.name,
                    unit=indicator.unit,
                    reached=reached.get(indicator.pk, 0),
                    target=(
                        prorated(targets.get(indicator.pk, {}), period)
                        if covers_all
                        else None
                    ),
                )
                for indicator in activity.indicators.all()
            ],
            status=statuses.get(activity.pk),
        )
        focus_area = activity.focus_area
        grouped.setdefault(focus_area.pk, FocusAreaFigure(focus_area, []))
        grouped[focus_area.pk].activities.append(row)
    return ActivityFigures(focus_areas=list(grouped.values()))


def _participation(records) -> dict[int, dict[int, Participation]]:
    """activity id → area id → what its records there add up to."""
    parts: dict[int, dict[int, Participation]] = {}
    for row in (
        records.values("activity", "area")
        .annotate(
            records=Count("pk"),
            participants=Sum("participants"),
            new=Sum("participants_new"),
            volunteers=Sum("volunteers"),
        )
        .order_by()
    ):
        activity, area = row.pop("activity"), row.pop("area")
        parts.setdefault(activity, {})[area] = Participation(**row)
    return parts


def _reached(records) -> dict[int, int]:
    """indicator id → the sum of its values over the records. Through the records'
    own query, so that the (activity, date) index picks the rows: starting from
    the area would read ten years of an area's records."""
    return dict(
        IndicatorValue.objects.filter(record__in=records.values("pk"))
        .values("indicator")
        .annotate(total=Sum("value"))
        .values_list("indicator", "total")
        .order_by()
    )


def _targets(activities, period: Period) -> dict[int, dict[int, int]]:
    """indicator id → {year: target} for the years the period touches."""
    targets: dict[int, dict[int, int]] = {}
    for indicator, year, value in Target.objects.filter(
        indicator__activity__in=activities, year__in=list(period.years)
    ).values_list("indicator", "year", "value"):
        targets.setdefault(indicator, {})[year] = value
    return targets


# --- Nabohjælp ----------------------------------------------------------------------


@dataclass
class AreaSignUps:
    area: Area | None  # None: the areas together
    households: int
    active_at_start: int  # active at the end of the day before the period
    active: int  # active at the period's end (or today, in a running period)
    new: int  # signed up in the period (confirmed; withdrawn later ones too)
    ambassadors: int  # active ambassadors today
    target: int | None

    @property
    def growth(self) -> int:
        return self.active - self.active_at_start

    @property
    def share_percent(self) -> float | None:
        return 100 * self.active / self.households if self.households else None


@dataclass
class SignUpPeriodFigures:
    rows: list[AreaSignUps]
    total: AreaSignUps | None


def signup_period_figures(
    area_list: list[Area], period: Period, today: datetime.date
) -> SignUpPeriodFigures:
    """Active sign-ups per area at the period's start and end. Two queries (the
    areas' households come with the areas)."""
    last = min(period.end, today)
    counted = Q(status__in=[Status.ACTIVE, Status.WITHDRAWN])
    counts = {
        row.pop("area"): row
        for row in SignUp.objects.filter(area__in=area_list)
        .values("area")
        .annotate(
            active_at_start=Count(
                "pk", filter=active_on(period.start - datetime.timedelta(days=1))
            ),
            active=Count("pk", filter=active_on(last)),
            new=Count(
                "pk",
                filter=counted
                & Q(signed_up_on__gte=period.start, signed_up_on__lte=period.end),
            ),
            ambassadors=Count("pk", filter=Q(status=Status.ACTIVE, is_ambassador=True)),
        )
        .order_by()
    }
    targets = _area_targets(SignUpTarget, area_list, period)
    empty = {"active_at_start": 0, "active": 0, "new": 0, "ambassadors": 0}
    rows = [
        AreaSignUps(
            area=area,
            households=area.households or 0,
            target=prorated(targets.get(area.pk, {}), period),
            **counts.get(area.pk, empty),
        )
        for area in area_list
    ]
    return SignUpPeriodFigures(rows=rows, total=_signup_total(rows))


def _area_targets(model, area_list, period: Period) -> dict[int, dict[int, int]]:
    """area id → {year: target} of a yearly per-area target model."""
    targets: dict[int, dict[int, int]] = {}
    for area, year, value in model.objects.filter(
        area__in=area_list, year__in=list(period.years)
    ).values_list("area", "year", "value"):
        targets.setdefault(area, {})[year] = value
    return targets


def _summed_target(rows) -> int | None:
    """The areas' targets added up; none unless every area has one."""
    targets = [row.target for row in rows]
    return None if None in targets else sum(targets)


def _signup_total(rows: list[AreaSignUps]) -> AreaSignUps | None:
    if not rows:
        return None
    return AreaSignUps(
        area=None,
        households=sum(r.households for r in rows),
        active_at_start=sum(r.active_at_start for r in rows),
        active=sum(r.active for r in rows),
        new=sum(r.new for r in rows),
        ambassadors=sum(r.ambassadors for r in rows),
        target=_summed_target(rows),
    )


# --- Tryghedsvandringer -----------------------------------------------------------


@dataclass
class AreaWalkCount:
    area: Area | None
    held: int
    target: int | None


@dataclass
class WalkPeriodFigures:
    rows: list[AreaWalkCount]
    total: AreaWalkCount | None


def walk_period_figures(area_list: list[Area], period: Period) -> WalkPeriodFigures:
    """Walks held in each area in the period against its target. Two queries."""
    held = dict(
        Walk.objects.filter(
            area__in=area_list,
            status=Walk.Status.HELD,
            starts_at__gte=day_start(period.start),
            starts_at__lt=day_start(period.end + datetime.timedelta(days=1)),
        )
        .values("area")
        .annotate(count=Count("pk"))
        .values_list("area", "count")
        .order_by()
    )
    targets = _area_targets(WalkTarget, area_list, period)
    rows = [
        AreaWalkCount(
            area=area,
            held=held.get(area.pk, 0),
            target=prorated(targets.get(area.pk, {}), period),
        )
        for area in area_list
    ]
    total = None
    if rows:
        total = AreaWalkCount(
            area=None, held=sum(r.held for r in rows), target=_summed_target(rows)
        )
    return WalkPeriodFigures(rows=rows, total=total)


# --- All of it ------------------------------------------------------------------------


@dataclass
class Figures:
    period: Period
    areas: list[Area]
    suppressed: bool  # small advice counts hidden: the reader is not an advisor
    today: datetime.date
    activities: ActivityFigures
    signups: SignUpPeriodFigures
    walks: WalkPeriodFigures
    findings: FindingFigures
    incidents: IncidentFigures
    advice: CaseFigures

    @property
    def is_empty(self) -> bool:
        """Nothing at all happened in the period in these areas."""
        advice_total = self.advice.total
        return not (
            self.activities.total.records
            or (self.signups.total and self.signups.total.active)
            or (self.walks.total and self.walks.total.held)
            or self.findings.found
            or (self.incidents.total and self.incidents.total.total)
            or (advice_total and advice_total.opened)
        )


def figures_for(
    *,
    areas,
    period: Period,
    suppress: bool,
    today: datetime.date | None = None,
) -> Figures:
    """Every figure for the areas (a queryset or list of areas) and the period.

    `suppress` is True for every reader outside the advice team, and for every
    PDF (they leave the portal)."""
    today = today or timezone.localdate()
    chosen = Area.objects.filter(pk__in=[a.pk for a in areas])
    area_list = list(chosen.with_figures().order_by("name"))
    area_ids = [area.pk for area in area_list]
    return Figures(
        period=period,
        areas=area_list,
        suppressed=suppress,
        today=today,
        activities=activity_figures(area_list, period),
        signups=signup_period_figures(area_list, period, today),
        walks=walk_period_figures(area_list, period),
        findings=finding_figures(
            areas=area_list, start=period.start, end=period.end, today=today
        ),
        incidents=incident_figures(
            areas=area_ids, start=period.start, end=period.end, today=today
        ),
        advice=case_figures(
            areas=area_ids, start=period.start, end=period.end, suppress=suppress
        ),
    )


# --- Key figures: the period against the one before -----------------------------


@dataclass
class KeyFigure:
    key: str
    label: str
    value: Figure | None
    previous: Figure | None
    unit: str = ""

    @property
    def change(self) -> int | None:
        if not isinstance(self.value, int) or not isinstance(self.previous, int):
            return None
        return self.value - self.previous


@dataclass
class KeyFigures:
    current: Figures
    previous: Figures
    rows: list[KeyFigure] = field(default_factory=list)


def _key_values(figures: Figures) -> dict[str, Figure | None]:
    advice = figures.advice.total
    incidents = figures.incidents.total
    return {
        "participants": figures.activities.total.participants,
        "records": figures.activities.total.records,
        "signups_active": figures.signups.total.active if figures.signups.total else 0,
        "walks_held": figures.walks.total.held if figures.walks.total else 0,
        "findings_fixed": figures.findings.fixed,
        "incidents": incidents.total if incidents else 0,
        "cases_opened": advice.opened if advice else 0,
        "evictions_avoided": advice.evictions_avoided if advice else 0,
    }


KEY_FIGURE_LABELS = {
    "participants": _("Deltagere i aktiviteter"),
    "records": _("Aktivitetsregistreringer"),
    "signups_active": _("Aktive i Nabohjælp"),
    "walks_held": _("Tryghedsvandringer"),
    "findings_fixed": _("Fund udbedret"),
    "incidents": _("Hændelser"),
    "cases_opened": _("Rådgivningssager åbnet"),
    "evictions_avoided": _("Udsættelser afværget"),
}


def key_figures(current: Figures, previous: Figures) -> KeyFigures:
    now, before = _key_values(current), _key_values(previous)
    rows = [
        KeyFigure(key=key, label=str(label), value=now[key], previous=before[key])
        for key, label in KEY_FIGURE_LABELS.items()
    ]
    return KeyFigures(current=current, previous=previous, rows=rows)


def dashboard_figures(
    *, areas, period: Period, suppress: bool, today: datetime.date | None = None
) -> KeyFigures:
    """The period's figures, the previous period's, and the key figures of both."""
    today = today or timezone.localdate()
    current = figures_for(areas=areas, period=period, suppress=suppress, today=today)
    previous = figures_for(
        areas=current.areas, period=period.previous(), suppress=suppress, today=today
    )
    return key_figures(current, previous)
