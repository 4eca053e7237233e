"""The beredskab in figures, for a set of areas and a period: incidents per area
and severity and over time, the time from an incident to the first partner told
of it, and the crime-prevention network's open follow-up tasks.

Four queries whatever the number of incidents (three for a period only compared
with: no tasks): the areas, one grouped aggregate
over the incidents (per area, severity and month or quarter, with those whose
notifications still wait or failed), one aggregate over the notified incidents
(per area and in all, the count, median, average and longest time to the first
partner told), and one grouped aggregate over the open tasks. The figures page,
the dashboard and the PDFs take them, and their tables, from here. Only counts
and times leave here, never an incident's title, place or text, so a partner may
see the figures of every incident in its areas.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Greatest, Round, TruncMonth, TruncQuarter
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from boligsocial.charts import stacked_columns
from boligsocial.clock import EpochSeconds, day_start
from boligsocial.medians import Median
from boligsocial.models import Area, areas_by_name
from boligsocial.tables import Table, per_area_table

from .models import FollowUpTask, Incident, IncidentNotification, NetworkMeeting

Severity = Incident.Severity

# A longer period is shown per quarter: 19 or more columns of months would be
# too narrow to read on a phone.
MONTHS_PER_COLUMN_MAX = 18

# The chart's colour per severity, light to dark as it grows more serious.
SEVERITY_COLOURS = {
    Severity.MINOR: "#9ec5fe",
    Severity.SERIOUS: "#fd7e14",
    Severity.CRITICAL: "#842029",
}


def duration_text(minutes: float | None) -> str:
    """Minutes the Danish way: "45 min", "1 t 5 min", "2 t" to the nearest
    minute; from a day on "2 d 3 t" to the nearest hour (minutes no longer
    matter then)."""
    if minutes is None:
        return "–"
    whole = int(minutes + 0.5)
    if whole >= 24 * 60:
        days, hours = divmod(int(minutes / 60 + 0.5), 24)
        if hours:
            return _("%(days)d d %(hours)d t") % {"days": days, "hours": hours}
        return _("%(days)d d") % {"days": days}
    hours, mins = divmod(whole, 60)
    if hours and mins:
        return _("%(hours)d t %(minutes)d min") % {"hours": hours, "minutes": mins}
    if hours:
        return _("%(hours)d t") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": mins}


@dataclass
class NotificationTimes:
    """From an incident to the first partner told of it (a notification sent), in
    minutes: how many incidents were told, and the median, average and longest
    time (None when none was)."""

    notified: int = 0
    median: float | None = None
    average: float | None = None
    longest: float | None = None

    @property
    def median_text(self) -> str:
        return duration_text(self.median)

    @property
    def average_text(self) -> str:
        return duration_text(self.average)

    @property
    def longest_text(self) -> str:
        return duration_text(self.longest)


@dataclass
class AreaIncidents:
    area: Area | None  # None: the total of the areas
    by_severity: dict[int, int]  # every severity, mildest first
    waiting: int  # incidents with a notification still pending
    failed: int  # incidents with a notification that failed for good
    times: NotificationTimes

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def critical(self) -> int:
        return self.by_severity[Severity.CRITICAL]


@dataclass
class PeriodIncidents:
    """One column of the chart: a month, or a quarter in a long period."""

    start: datetime.date
    quarterly: bool
    by_severity: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def label(self) -> str:
        if self.quarterly:
            return _("%(quarter)d. kvt. %(year)d") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        return formats.date_format(self.start, "b Y")


@dataclass
class OwnerTasks:
    """A network member's open follow-up tasks."""

    organisation_id: int
    name: str
    open: int
    overdue: int  # past the due date, today


@dataclass
class IncidentFigures:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    rows: list[AreaIncidents]
    total: AreaIncidents | None
    periods: list[PeriodIncidents]
    tasks: list[OwnerTasks]

    @property
    def quarterly(self) -> bool:
        return bool(self.periods) and self.periods[0].quarterly

    @property
    def open_tasks(self) -> int:
        return sum(row.open for row in self.tasks)

    @property
    def overdue_tasks(self) -> int:
        return sum(row.overdue for row in self.tasks)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """The calendar months the period touches, both ends counted."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def incident_figures(
    *,
    areas,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
    details: bool = True,
) -> IncidentFigures:
    """The incidents that happened from start to end (both days included) in the
    areas, and the network's follow-up tasks open today. Without `details` (a
    period only compared with), the times to the first partner told are of every
    area together only, and the tasks are left out."""
    today = today or timezone.localdate()
    area_list = areas_by_name(areas)
    incidents = Incident.objects.filter(
        area__in=area_list,
        occurred_at__gte=day_start(start),
        occurred_at__lt=day_start(end + datetime.timedelta(days=1)),
    )
    quarterly = months_between(start, end) > MONTHS_PER_COLUMN_MAX
    counts = _incident_counts(incidents, quarterly)
    times = _notification_times(incidents, area_list if details else [])
    rows = [_row(area, counts, times) for area in area_list]
    total = None
    if area_list:
        total = _row(None, counts, times)
    return IncidentFigures(
        start=start,
        end=end,
        today=today,
        rows=rows,
        total=total,
        periods=_periods(start, end, quarterly, counts),
        tasks=_open_tasks(area_list, today) if details else [],
    )


def _incident_counts(incidents, quarterly: bool) -> list[dict]:
    """One row per area, month (or quarter) and severity: the incidents, and those
    with a notification that waits or failed. The column's start is truncated in
    the portal's time zone (the current one), so a night in Denmark stays in its
    own month."""
    trunc = TruncQuarter if quarterly else TruncMonth

    def told(status: str) -> Exists:
        return Exists(
            IncidentNotification.objects.filter(incident=OuterRef("pk"), status=status)
        )

    return list(
        incidents.annotate(column=trunc("occurred_at"))
        .values("area", "column", "severity")
        .annotate(
            count=Count("pk"),
            waiting=Count("pk", filter=Q(told(IncidentNotification.Status.PENDING))),
            failed=Count("pk", filter=Q(told(IncidentNotification.Status.FAILED))),
        )
        .order_by()
    )


def _notification_times(
    incidents, area_list: list[Area]
) -> dict[int | None, NotificationTimes]:
    """Per area (and None: every area together), the minutes from each notified
    incident to its first notification sent, by their count, median, average and
    longest: one query, over the incidents with their first time told."""
    told = (
        incidents.annotate(first_sent=Min("notifications__sent_at"))
        .exclude(first_sent=None)
        # An incident entered after the fact, or a clock that ran ahead, can show
        # partners told before it happened: that counts as told at once.
        # To the millisecond: SQLite's day numbers carry a few microseconds of
        # noise, which could tip a half minute over when the times are shown.
        .annotate(
            minutes=Greatest(
                Round(EpochSeconds("first_sent") - EpochSeconds("occurred_at"), 3),
                Value(0.0),
            )
            / 60
        )
    )

    # Each measure for each area (by its place in `keys`) and for all together.
    keys = [*(area.pk for area in area_list), None]
    found = told.aggregate(
        **{
            f"{measure}_{n}": aggregate(
                "minutes", filter=None if pk is None else Q(area=pk)
            )
            for n, pk in enumerate(keys)
            for measure, aggregate in TIME_MEASURES.items()
        }
    )
    return {
        pk: NotificationTimes(
            **{measure: found[f"{measure}_{n}"] for measure in TIME_MEASURES}
        )
        for n, pk in enumerate(keys)
    }


TIME_MEASURES = {"notified": Count, "median": Median, "average": Avg, "longest": Max}


def _row(
    area: Area | None,
    counts: list[dict],
    times: dict[int | None, NotificationTimes],
) -> AreaIncidents:
    """One area's figures, or (no area) those of every area together."""
    mine = [row for row in counts if area is None or row["area"] == area.pk]
    by_severity = dict.fromkeys(Severity.values, 0)
    for row in mine:
        by_severity[row["severity"]] += row["count"]
    return AreaIncidents(
        area=area,
        by_severity=by_severity,
        waiting=sum(row["waiting"] for row in mine),
        failed=sum(row["failed"] for row in mine),
        times=times.get(area and area.pk, NotificationTimes()),
    )


def _column_starts(
    start: datetime.date, end: datetime.date, quarterly: bool
) -> list[datetime.date]:
    step = 3 if quarterly else 1
    month = start.month - (start.month - 1) % step
    day = datetime.date(start.year, month, 1)
    starts = []
    while day <= end:
        starts.append(day)
        month = day.month - 1 + step
        day = datetime.date(day.year + month // 12, month % 12 + 1, 1)
    return starts


def _periods(
    start: datetime.date, end: datetime.date, quarterly: bool, counts: list[dict]
) -> list[PeriodIncidents]:
    """Every month (or quarter) of the period, those without incidents too."""
    periods = {
        day: PeriodIncidents(
            start=day,
            quarterly=quarterly,
            by_severity=dict.fromkeys(Severity.values, 0),
        )
        for day in _column_starts(start, end, quarterly)
    }
    for row in counts:
        column = row["column"]
        day = column.date() if isinstance(column, datetime.datetime) else column
        periods[day].by_severity[row["severity"]] += row["count"]
    return list(periods.values())


def _open_tasks(area_list: list[Area], today: datetime.date) -> list[OwnerTasks]:
    """The network's tasks open today, per owner. The rule for areas is simple: a
    task counts when its meeting was about one of the areas, or about no area in
    particular (a meeting without areas concerns the whole network). Tasks are not
    limited to the period: an open commitment counts however old it is."""
    meetings = NetworkMeeting.objects.filter(
        Q(areas__isnull=True) | Q(areas__in=area_list)
    )
    rows = (
        FollowUpTask.objects.open()
        .filter(meeting__in=meetings)
        .values("owner", "owner__name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by("owner__name")
    )
    return [
        OwnerTasks(
            organisation_id=row["owner"],
            name=row["owner__name"],
            open=row["open"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def incident_chart(figures: IncidentFigures) -> SafeString:
    """The incidents over time, one column per month (or quarter), stacked by
    severity: the page and the reports draw the same chart."""
    return stacked_columns(
        [(row.label, list(row.by_severity.values())) for row in figures.periods],
        [(label, SEVERITY_COLOURS[value]) for value, label in Severity.choices],
    )


# --- As tables: the same on the figures page, the dashboard and in the PDFs ------


def incident_table(incidents: IncidentFigures) -> Table:
    def cells(row) -> list:
        return [*row.by_severity.values(), row.total, row.times.median]

    return per_area_table(
        incidents,
        cells,
        slug="incidents",
        title=_("Hændelser"),
        caption=_(
            "Hændelser pr. område og alvor, og medianen af minutterne fra "
            "hændelsen til den første partner fik besked."
        ),
        columns=[
            _("Område"),
            *[str(label) for _v, label in Severity.choices],
            _("I alt"),
            _("Median, minutter til besked"),
        ],
    )


def incident_month_table(incidents: IncidentFigures) -> Table:
    """The chart of incidents over time, as a table."""
    return Table(
        slug="incident_months",
        title=_("Hændelser over tid"),
        caption=_("Hændelser pr. måned (pr. kvartal i lange perioder) og alvor."),
        columns=[
            _("Periode"),
            *[str(label) for _v, label in Severity.choices],
            _("I alt"),
        ],
        rows=[
            [row.label, *row.by_severity.values(), row.total]
            for row in incidents.periods
        ],
    )


def notification_time_table(incidents: IncidentFigures) -> Table:
    def cells(row) -> list:
        times = row.times
        return [
            row.total,
            times.notified,
            times.median_text,
            times.average_text,
            times.longest_text,
            row.waiting,
            row.failed,
        ]

    return per_area_table(
        incidents,
        cells,
        slug="notification_times",
        title=_("Tid fra hændelse til første underretning"),
        caption=_(
            "For hændelserne i perioden: hvor mange der blev sendt besked om til "
            "mindst én samarbejdspartner, tiden fra hændelsen til den første besked "
            "(median, gennemsnit og længste), og hvor mange hændelser der har en "
            "besked, som stadig venter eller er fejlet."
        ),
        columns=[
            _("Område"),
            _("Hændelser"),
            _("Underrettet"),
            _("Median"),
            _("Gennemsnit"),
            _("Længste"),
            _("Venter"),
            _("Fejlet"),
        ],
    )


def open_task_table(incidents: IncidentFigures) -> Table:
    return Table(
        slug="open_tasks",
        title=_("Åbne opfølgningsopgaver"),
        caption=_(
            "Netværkets opgaver, der ikke er udført den %(today)s, pr. ansvarlig "
            "organisation, uanset hvornår de blev aftalt. En opgave tæller med, når "
            "mødet handlede om et af de valgte områder eller om hele netværket "
            "(intet område valgt på mødet)."
        )
        % {"today": formats.date_format(incidents.today, "j. F Y")},
        columns=[_("Organisation"), _("Åbne"), _("Over fristen")],
        rows=[[row.name, row.open, row.overdue] for row in incidents.tasks],
        total=[_("I alt"), incidents.open_tasks, incidents.overdue_tasks]
        if len(incidents.tasks) > 1
        else None,
    )
