"""Tryghedsvandringer in figures: walks held against the target, and the findings
by category, status and responsible organisation, with how fast they were fixed.
Only counts leave here: no finding's description or place, so partners may see
the figures of every finding in their areas."""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from boligsocial.clock import calendar_days, day_start
from boligsocial.models import Area

from .models import OPEN_STATUSES, Finding, FindingStatus, Walk, WalkTarget


@dataclass
class AreaWalks:
    area: Area | None  # None: the total of several areas
    held: int
    planned_ahead: int  # planned from today to the end of the year
    target: int | None = None


@dataclass
class WalkFigures:
    year: int
    rows: list[AreaWalks]
    total: AreaWalks | None = None


def walk_figures(
    *, areas, year: int, today: datetime.date | None = None
) -> WalkFigures:
    """Walks held in each area in the year against its target, and those planned
    for the rest of the year."""
    today = today or timezone.localdate()
    start = day_start(datetime.date(year, 1, 1))
    stop = day_start(datetime.date(year + 1, 1, 1))
    ahead = max(start, day_start(today))
    area_list = list(Area.objects.filter(pk__in=areas))
    counts = {
        row["area"]: row
        for row in Walk.objects.filter(
            area__in=area_list, starts_at__gte=start, starts_at__lt=stop
        )
        .values("area")
        .annotate(
            held=Count("pk", filter=Q(status=Walk.Status.HELD)),
            planned_ahead=Count(
                "pk", filter=Q(status=Walk.Status.PLANNED, starts_at__gte=ahead)
            ),
        )
        .order_by()
    }
    targets = dict(
        WalkTarget.objects.filter(area__in=area_list, year=year).values_list(
            "area", "value"
        )
    )
    empty = {"held": 0, "planned_ahead": 0}
    rows = [
        AreaWalks(
            area=area,
            held=counts.get(area.pk, empty)["held"],
            planned_ahead=counts.get(area.pk, empty)["planned_ahead"],
            target=targets.get(area.pk),
        )
        for area in area_list
    ]
    return WalkFigures(year=year, rows=rows, total=_walk_total(rows))


def _walk_total(rows: list[AreaWalks]) -> AreaWalks | None:
    """All the areas together; a target only when every area has one."""
    if not rows:
        return None
    targets = [row.target for row in rows]
    return AreaWalks(
        area=None,
        held=sum(row.held for row in rows),
        planned_ahead=sum(row.planned_ahead for row in rows),
        target=None if None in targets else sum(targets),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class CategoryFindings:
    name: str
    by_status: dict[str, int]  # every status, in the lifecycle's order

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class OrganisationFindings:
    organisation_id: int
    name: str
    found: int
    fixed: int
    overdue: int  # open and past the due date, today
    median_days: float | None  # from found to fixed, over the fixed ones

    @property
    def share_fixed(self) -> float | None:
        return _share(self.fixed, self.found)


@dataclass
class FindingFigures:
    start: datetime.date
    end: datetime.date
    categories: list[CategoryFindings]
    organisations: list[OrganisationFindings]
    median_days: float | None = None  # from found to fixed, over every fixed one

    @property
    def statuses(self) -> list[tuple[str, str]]:
        return list(FindingStatus.choices)

    @property
    def by_status(self) -> dict[str, int]:
        return {
            status: sum(row.by_status[status] for row in self.categories)
            for status in FindingStatus.values
        }

    @property
    def found(self) -> int:
        return sum(row.total for row in self.categories)

    @property
    def fixed(self) -> int:
        return self.by_status[FindingStatus.FIXED]

    @property
    def share_fixed(self) -> float | None:
        """Fixed of all the findings of the period, whatever became of the rest."""
        return _share(self.fixed, self.found)


def finding_figures(
    *,
    areas,
    start: datetime.date,
    end: datetime.date,
    organisation=None,
    today: datetime.date | None = None,
) -> FindingFigures:
    """The findings found from start to end (both days included) in the areas, and,
    given an organisation, only those it is responsible for."""
    today = today or timezone.localdate()
    findings = Finding.objects.filter(
        area__in=areas,
        found_at__gte=day_start(start),
        found_at__lt=day_start(end + datetime.timedelta(days=1)),
    )
    if organisation is not None:
        findings = findings.filter(responsible=organisation)
    durations = _days_to_fixed(findings)
    every = [days for values in durations.values() for days in values]
    return FindingFigures(
        start=start,
        end=end,
        categories=_by_category(findings),
        organisations=_by_organisation(findings, durations, today),
        median_days=statistics.median(every) if every else None,
    )


def _by_category(findings) -> list[CategoryFindings]:
    rows: dict[str, CategoryFindings] = {}
    for row in (
        findings.values("category__name", "status")
        .annotate(count=Count("pk"))
        .order_by("category__order", "category__name", "status")
    ):
        name = row["category__name"]
        if name not in rows:
            rows[name] = CategoryFindings(
                name=name, by_status=dict.fromkeys(FindingStatus.values, 0)
            )
        rows[name].by_status[row["status"]] = row["count"]
    return list(rows.values())


def _days_to_fixed(findings) -> dict[int, list[float]]:
    """Per responsible organisation, the days from found to fixed of each fixed
    finding. A median cannot be aggregated on SQLite: one row per fixed finding
    of the period (a few hundred a year) is read instead."""
    durations: dict[int, list[float]] = {}
    for organisation_id, found_at, fixed_at in findings.filter(
        status=FindingStatus.FIXED
    ).values_list("responsible", "found_at", "fixed_at"):
        # Calendar days, so a switch to or from summer time changes nothing; a
        # finding recorded after the fact can carry a fix before its finding.
        days = max(calendar_days(found_at, fixed_at), 0)
        durations.setdefault(organisation_id, []).append(days)
    return durations


def _by_organisation(
    findings, durations: dict[int, list[float]], today: datetime.date
) -> list[OrganisationFindings]:
    rows = (
        findings.values("responsible", "responsible__name")
        .annotate(
            found=Count("pk"),
            fixed=Count("pk", filter=Q(status=FindingStatus.FIXED)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        )
        .order_by("responsible__name")
    )
    return [
        OrganisationFindings(
            organisation_id=row["responsible"],
            name=row["responsible__name"],
            found=row["found"],
            fixed=row["fixed"],
            overdue=row["overdue"],
            median_days=(
                statistics.median(durations[row["responsible"]])
                if row["responsible"] in durations
                else None
            ),
        )
        for row in rows
    ]
