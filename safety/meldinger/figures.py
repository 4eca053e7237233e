"""Residents' reports in figures: per area, those received in a period and what
became of them. Counts only, so partners may see them for their areas."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from boligsocial.clock import day_start
from boligsocial.models import Area, areas_by_name
from boligsocial.tables import Table, per_area_table

from .models import ReportStatus, ResidentReport


@dataclass
class AreaReports:
    area: Area | None  # None: the total of several areas
    received: int
    accepted: int  # turned into findings
    declined: int
    waiting: int


@dataclass
class ReportFigures:
    rows: list[AreaReports]
    total: AreaReports | None = None


def report_figures(*, areas, start: datetime.date, end: datetime.date):
    """Reports received from start to end (both days included). Two queries."""
    area_list = areas_by_name(areas)
    counts = {
        row["area"]: row
        for row in ResidentReport.objects.filter(
            area__in=area_list,
            created_at__gte=day_start(start),
            created_at__lt=day_start(end + datetime.timedelta(days=1)),
        )
        .values("area")
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(status=ReportStatus.ACCEPTED)),
            declined=Count("pk", filter=Q(status=ReportStatus.DECLINED)),
            waiting=Count("pk", filter=Q(status=ReportStatus.RECEIVED)),
        )
        .order_by()
    }
    names = ("received", "accepted", "declined", "waiting")
    rows = [
        AreaReports(area, *(counts.get(area.pk, {}).get(name, 0) for name in names))
        for area in area_list
    ]
    total = None
    if rows:
        total = AreaReports(
            None, *(sum(getattr(row, name) for row in rows) for name in names)
        )
    return ReportFigures(rows=rows, total=total)


def report_table(reports: ReportFigures) -> Table:
    return per_area_table(
        reports,
        lambda row: [row.received, row.accepted, row.declined, row.waiting],
        slug="resident_reports",
        title=_("Meldinger fra beboere"),
        caption=_(
            "Problemer, beboerne har meldt på »Meld et problem« i perioden, og "
            "hvad der blev af dem: gjort til fund, afvist med en begrundelse, "
            "eller venter endnu."
        ),
        columns=[
            _("Område"),
            _("Modtaget"),
            _("Gjort til fund"),
            _("Afvist"),
            _("Venter"),
        ],
    )
