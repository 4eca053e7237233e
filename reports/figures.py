"""Every figure of the dashboard, the PDF reports and their exports, for a set of
areas and a period: `figures_for` gathers them from the apps, which compute
them, each by the one function its own pages use:

- activities (`activities.figures`): records, participants, new participants and
  volunteers per activity and area, the indicators reached against their targets,
  the approved status text;
- Nabohjælp (`safety.nabohjaelp.figures`): active sign-ups at the period's start
  and end, new sign-ups, against the households of the areas and the targets;
- Tryghedsvandringer (`safety.walks.figures`): walks held against the target,
  findings (by source: walks, residents' reports) and how fast they were fixed;
- residents' reports (`safety.meldinger.figures`): received, and what became of
  them;
- the beredskab (`safety.beredskab.figures`): incidents and the time to the first
  partner told;
- Økonomisk rådgivning (`advice.figures`): cases and outcomes, with small counts
  suppressed for everyone outside the advice team;
- Gevinster (`reports.gains`): the unit values in use times the counts they
  multiply, from the parts above.

Each part is a grouped aggregate in the database, so the number of queries is the
same for ten rows as for ten years of rows (pinned by a test). Targets say
whether they are a level to reach or an amount to add up (`boligsocial.periods`);
the method notes in the reports say the same in Danish.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.figures import ActivityFigures, activity_figures
from advice.figures import CaseFigures, case_figures, protect_turnover
from boligsocial.models import Area, areas_by_name
from boligsocial.periods import Period
from boligsocial.suppression import Figure
from safety.beredskab.figures import IncidentFigures, incident_figures
from safety.meldinger.figures import ReportFigures, report_figures
from safety.nabohjaelp.figures import SignUpFigures, signup_figures
from safety.walks.figures import (
    FindingFigures,
    WalkFigures,
    finding_figures,
    walk_figures,
)

from .gains import GainFigures, gain_figures, unit_values_in_use

# --- All of it ------------------------------------------------------------------------


@dataclass
class Figures:
    period: Period
    areas: list[Area]
    suppressed: bool  # small advice counts hidden: the reader is not an advisor
    today: datetime.date
    activities: ActivityFigures
    signups: SignUpFigures
    walks: WalkFigures
    findings: FindingFigures
    reports: ReportFigures
    incidents: IncidentFigures
    advice: CaseFigures
    gains: GainFigures | None  # None: a period only compared with

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
    details: bool = True,
) -> Figures:
    """Every figure for the areas (a queryset or list of areas) and the period.

    `suppress` is True for every reader outside the advice team, and for every
    PDF (they leave the portal). Without `details`, for a period that is only
    compared with, each part is counted for the comparisons' measures only: the
    activities without their indicators and status texts; the findings in total,
    not by category, organisation and source; the sign-ups begun by the period's
    end, as active at its end and new in it (no months, no active at its start,
    no ambassadors or waiting ones); the incidents without the follow-up tasks,
    with their times for every area together only; no gains. What is left out
    reads as empty or 0 (the gains as None)."""
    today = today or timezone.localdate()
    area_list = areas_by_name([area.pk for area in areas])
    activities = activity_figures(area_list, period, details=details)
    values, kinds = unit_values_in_use() if details else ([], [])
    advice = case_figures(
        areas=area_list,
        start=period.start,
        end=period.end,
        suppress=suppress,
        kinds=kinds,
    )
    return Figures(
        period=period,
        areas=area_list,
        suppressed=suppress,
        today=today,
        activities=activities,
        signups=signup_figures(
            areas=area_list, period=period, today=today, details=details
        ),
        walks=walk_figures(areas=area_list, period=period, today=today),
        findings=finding_figures(
            areas=area_list,
            start=period.start,
            end=period.end,
            today=today,
            details=details,
        ),
        reports=report_figures(areas=area_list, start=period.start, end=period.end),
        incidents=incident_figures(
            areas=area_list,
            start=period.start,
            end=period.end,
            today=today,
            details=details,
        ),
        advice=advice,
        gains=gain_figures(values=values, activities=activities, advice=advice)
        if details
        else None,
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
        areas=current.areas,
        period=period.previous(),
        suppress=suppress,
        today=today,
        details=False,
    )
    protect_turnover(current.advice, previous.advice)
    return key_figures(current, previous)
