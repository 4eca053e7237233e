"""Tryghedsvandringer in figures: walks held against the target, and the findings
by category, status and responsible organisation, with how fast they were fixed.
Only counts leave here: no finding's description or place, so partners may see
the figures of every finding in their areas."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Min, Q, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from boligsocial.charts import progress_bars, stacked_columns
from boligsocial.clock import day_start
from boligsocial.medians import Median
from boligsocial.models import Area, areas_by_name
from boligsocial.numbers import percent
from boligsocial.periods import Period, summed_target
from boligsocial.tables import Table, per_area_table

from .models import (
    OPEN_STATUSES,
    Finding,
    FindingCategory,
    FindingStatus,
    Walk,
    WalkTarget,
)


@dataclass
class AreaWalks:
    area: Area | None  # None: the total of several areas
    held: int
    planned_ahead: int  # planned from today to the period's end
    target: int | None = None  # walks to hold in the period (an amount)


@dataclass
class WalkFigures:
    period: Period
    rows: list[AreaWalks]
    total: AreaWalks | None = None


def walk_figures(
    *, areas, period: Period, today: datetime.date | None = None
) -> WalkFigures:
    """Walks held in each area in the period against its target, and those
    planned for the rest of it. Three queries."""
    today = today or timezone.localdate()
    start = day_start(period.start)
    stop = day_start(period.end + datetime.timedelta(days=1))
    ahead = max(start, day_start(today))
    area_list = areas_by_name(areas)
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
    targets = WalkTarget.for_period(area_list, period)
    empty = {"held": 0, "planned_ahead": 0}
    rows = [
        AreaWalks(
            area=area,
            held=counts.get(area.pk, empty)["held"],
            planned_ahead=counts.get(area.pk, empty)["planned_ahead"],
            target=targets[area.pk],
        )
        for area in area_list
    ]
    total = None
    if rows:
        total = AreaWalks(
            area=None,
            held=sum(row.held for row in rows),
            planned_ahead=sum(row.planned_ahead for row in rows),
            target=summed_target([row.target for row in rows]),
        )
    return WalkFigures(period=period, rows=rows, total=total)


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
    def percent_fixed(self) -> float | None:
        return percent(self.fixed, self.found)


@dataclass
class SourceFindings:
    """The findings of one source: a walk, a resident's report, or neither
    (recorded by staff outside a walk)."""

    source: str
    found: int
    fixed: int

    @property
    def label(self) -> str:
        return str(SOURCES[self.source])

    @property
    def percent_fixed(self) -> float | None:
        return percent(self.fixed, self.found)


SOURCES = {
    "walk": _lazy("Tryghedsvandringer"),
    "resident": _lazy("Meldinger fra beboere"),
    "other": _lazy("Andet"),
}


@dataclass
class FindingFigures:
    start: datetime.date
    end: datetime.date
    found: int
    fixed: int
    median_days: float | None  # from found to fixed, over every fixed one
    # The findings by category and status, by organisation and by source (each
    # with findings); empty where only the totals were asked for.
    categories: list[CategoryFindings] = field(default_factory=list)
    organisations: list[OrganisationFindings] = field(default_factory=list)
    sources: list[SourceFindings] = field(default_factory=list)

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
    def percent_fixed(self) -> float | None:
        """Fixed of all the findings of the period, whatever became of the rest."""
        return percent(self.fixed, self.found)


def finding_figures(
    *,
    areas,
    start: datetime.date,
    end: datetime.date,
    organisation=None,
    today: datetime.date | None = None,
    details: bool = True,
) -> FindingFigures:
    """The findings found from start to end (both days included) in the areas, and,
    given an organisation, only those it is responsible for: their totals, and
    (unless `details` is False, as for a period that is only compared with)
    by category, by organisation and by source."""
    today = today or timezone.localdate()
    findings = Finding.objects.filter(
        area__in=areas,
        found_at__gte=day_start(start),
        found_at__lt=day_start(end + datetime.timedelta(days=1)),
    )
    if organisation is not None:
        findings = findings.filter(responsible=organisation)
    totals = findings.aggregate(
        found=Count("pk"), fixed=Count("pk", filter=FIXED), median_days=DAYS_TO_FIXED
    )
    if not details:
        return FindingFigures(start=start, end=end, **totals)
    categories, sources = _by_category_and_source(findings)
    return FindingFigures(
        start=start,
        end=end,
        **totals,
        categories=categories,
        organisations=_by_organisation(findings, today),
        sources=sources,
    )


FIXED = Q(status=FindingStatus.FIXED)
# The median days from found to fixed of the fixed findings (Finding.days_to_fix).
DAYS_TO_FIXED = Median("days_to_fix", filter=FIXED)


SOURCE = Case(
    When(walk__isnull=False, then=Value("walk")),
    When(resident_report__isnull=False, then=Value("resident")),
    default=Value("other"),
)


def _by_category_and_source(
    findings,
) -> tuple[list[CategoryFindings], list[SourceFindings]]:
    """The findings by category and status, and by source: one grouped query,
    which the database hashes (sorting ten years of findings cost more than the
    counting), and the categories in their order, from a list of a few rows (the
    database's collation sorts their names: Æ, Ø, Å)."""
    rows = list(
        findings.annotate(source=SOURCE)
        .values("category", "status", "source")
        .annotate(count=Count("pk"))
        .order_by()
    )
    found = {row["category"] for row in rows}
    categories = {
        pk: CategoryFindings(
            name=name, by_status=dict.fromkeys(FindingStatus.values, 0)
        )
        for pk, name in FindingCategory.objects.order_by("order", "name").values_list(
            "pk", "name"
        )
        if pk in found
    }
    sources = {source: SourceFindings(source, 0, 0) for source in SOURCES}
    for row in rows:
        categories[row["category"]].by_status[row["status"]] += row["count"]
        source = sources[row["source"]]
        source.found += row["count"]
        if row["status"] == FindingStatus.FIXED:
            source.fixed += row["count"]
    return (
        list(categories.values()),
        [source for source in sources.values() if source.found],
    )


def _by_organisation(findings, today: datetime.date) -> list[OrganisationFindings]:
    rows = (
        # Grouped by the organisation's key alone: sorting ten years of findings by
        # a name as well cost a sixth of the query.
        findings.values("responsible")
        .annotate(
            name=Min("responsible__name"),
            found=Count("pk"),
            fixed=Count("pk", filter=FIXED),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
            median_days=DAYS_TO_FIXED,
        )
        .order_by("name", "responsible")
    )
    return [
        OrganisationFindings(
            organisation_id=row["responsible"],
            name=row["name"],
            found=row["found"],
            fixed=row["fixed"],
            overdue=row["overdue"],
            median_days=row["median_days"],
        )
        for row in rows
    ]


# --- As tables: the same on the figures page, the dashboard and in the PDFs ------


def walk_table(walks: WalkFigures) -> Table:
    return per_area_table(
        walks,
        lambda row: [row.held, row.target, row.planned_ahead],
        slug="walks",
        title=_("Tryghedsvandringer"),
        caption=_(
            "Gennemførte tryghedsvandringer pr. område mod målet for perioden (årets "
            "mål i forhold til periodens længde), og de vandringer, der er planlagt "
            "resten af perioden."
        ),
        columns=[_("Område"), _("Gennemført"), _("Mål"), _("Planlagt")],
    )


def finding_category_table(findings: FindingFigures) -> Table:
    def cells(row) -> list:
        return [*row.by_status.values(), row.total]

    return Table(
        slug="finding_categories",
        title=_("Fund efter kategori og status"),
        caption=_("Fund gjort i perioden efter kategori og deres status i dag."),
        columns=[
            _("Kategori"),
            *[str(label) for _value, label in findings.statuses],
            _("I alt"),
        ],
        rows=[[row.name, *cells(row)] for row in findings.categories],
        total=[_("I alt"), *findings.by_status.values(), findings.found]
        if len(findings.categories) > 1
        else None,
    )


def finding_table(findings: FindingFigures) -> Table:
    return Table(
        slug="findings",
        title=_("Fund fra tryghedsvandringerne"),
        caption=_(
            "Fund gjort i perioden pr. ansvarlig organisation: udbedret, "
            "medianen af dagene fra fund til udbedring og åbne fund over "
            "fristen i dag."
        ),
        columns=[
            _("Ansvarlig"),
            _("Fund"),
            _("Udbedret"),
            _("Andel udbedret, %"),
            _("Median, dage"),
            _("Over fristen"),
        ],
        rows=[
            [
                row.name,
                row.found,
                row.fixed,
                row.percent_fixed,
                row.median_days,
                row.overdue,
            ]
            for row in findings.organisations
        ],
        total=[
            _("I alt"),
            findings.found,
            findings.fixed,
            findings.percent_fixed,
            findings.median_days,
            sum(row.overdue for row in findings.organisations),
        ]
        if findings.organisations
        else None,
    )


def finding_source_table(findings: FindingFigures) -> Table:
    sources = findings.sources
    return Table(
        slug="finding_sources",
        title=_("Fund efter kilde"),
        caption=_(
            "Fund gjort i perioden efter, hvor de kom fra: tryghedsvandringerne "
            "eller beboernes meldinger på »Meld et problem«."
        ),
        columns=[_("Kilde"), _("Fund"), _("Udbedret"), _("Andel udbedret, %")],
        rows=[[row.label, row.found, row.fixed, row.percent_fixed] for row in sources],
        total=[_("I alt"), findings.found, findings.fixed, findings.percent_fixed]
        if len(sources) > 1
        else None,
    )


FIXED_COLOUR = "#198754"
OPEN_COLOUR = "#ffc107"


def walk_chart(walks: WalkFigures, *, elapsed: float | None = None) -> SafeString:
    """Walks held per area against the target; in a running period a line marks
    where the bar would be by now at an even pace (`elapsed`: the share gone)."""
    return progress_bars(
        [(r.area.name, r.held, r.target) for r in walks.rows], elapsed=elapsed
    )


def finding_chart(findings: FindingFigures) -> SafeString:
    """Per responsible organisation, its findings fixed and not."""
    return stacked_columns(
        [(r.name, [r.fixed, r.found - r.fixed]) for r in findings.organisations],
        [(_("Udbedret"), FIXED_COLOUR), (_("Ikke udbedret"), OPEN_COLOUR)],
    )
