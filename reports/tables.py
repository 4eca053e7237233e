"""The figures as tables: what the dashboard shows, the PDFs print, the exports
download and a report run keeps as its record. One function per table, from the
figures layer's results, so a number cannot differ between them."""

import datetime

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from activities.figures import (
    Participation,
    activity_area_table,
    activity_chart,
    activity_indicator_table,
    activity_table,
    area_participation_table,
    indicator_table,
)
from advice.figures import advice_table
from boligsocial.numbers import round_half_up
from boligsocial.tables import Cell, Table
from safety.beredskab.figures import (
    incident_chart,
    incident_month_table,
    incident_table,
)
from safety.meldinger.figures import report_table
from safety.nabohjaelp.figures import signup_chart, signup_table
from safety.walks.figures import (
    finding_chart,
    finding_source_table,
    finding_table,
    walk_chart,
    walk_table,
)

from .figures import Figures, KeyFigures
from .gains import gain_chart, gain_table, unit_value_table


def _change(now, before) -> Cell:
    """The change from the figure before, as the two are shown: a share or a
    median is rounded to its one decimal first, so the three agree."""
    if isinstance(now, float) or isinstance(before, float):
        now, before = _shown(now), _shown(before)
    if isinstance(now, int | float) and isinstance(before, int | float):
        return now - before
    return None


def _shown(value):
    return float(round_half_up(value, 1)) if isinstance(value, float) else value


# --- Key figures and comparisons ----------------------------------------------------


def key_figure_table(key: KeyFigures) -> Table:
    return Table(
        slug="key_figures",
        title=_("Nøgletal"),
        caption=_("Periodens nøgletal mod perioden før: %(now)s mod %(before)s.")
        % {"now": key.current.period.label, "before": key.previous.period.label},
        columns=[
            _("Nøgletal"),
            key.current.period.label,
            key.previous.period.label,
            _("Ændring"),
        ],
        rows=[[row.label, row.value, row.previous, row.change] for row in key.rows],
    )


def _comparison(slug, title, caption, key: KeyFigures, measures) -> Table:
    """A table of measures, each this period, the one before and the change.
    `measures` is a list of (label, function of Figures)."""
    rows = []
    for label, measure in measures:
        now, before = measure(key.current), measure(key.previous)
        rows.append([label, now, before, _change(now, before)])
    return Table(
        slug=slug,
        title=title,
        caption=caption,
        columns=[
            _("Mål"),
            key.current.period.label,
            key.previous.period.label,
            _("Ændring"),
        ],
        rows=rows,
    )


def safety_comparison(key: KeyFigures) -> Table:
    def signups(f: Figures, name: str):
        return getattr(f.signups.total, name) if f.signups.total else 0

    def times(f: Figures):
        return f.incidents.total.times if f.incidents.total else None

    def median_minutes(f: Figures):
        t = times(f)
        return None if t is None else t.median

    return _comparison(
        "safety_comparison",
        _("Tryghed"),
        _(
            "Tryghedsvandringer, fund, Nabohjælp og hændelser i perioden og perioden "
            "før."
        ),
        key,
        [
            (
                _("Tryghedsvandringer gennemført"),
                lambda f: f.walks.total.held if f.walks.total else 0,
            ),
            (_("Fund gjort"), lambda f: f.findings.found),
            (_("Fund udbedret"), lambda f: f.findings.fixed),
            (
                _("Andel udbedret, %"),
                lambda f: f.findings.percent_fixed,
            ),
            (
                _("Median, dage fra fund til udbedring"),
                lambda f: f.findings.median_days,
            ),
            (
                _("Aktive i Nabohjælp ved periodens slutning"),
                lambda f: signups(f, "active"),
            ),
            (_("Nye tilmeldinger til Nabohjælp"), lambda f: signups(f, "new")),
            (
                _("Hændelser"),
                lambda f: f.incidents.total.total if f.incidents.total else 0,
            ),
            (_("Median, minutter til første partner fik besked"), median_minutes),
        ],
    )


def advice_comparison(key: KeyFigures) -> Table:
    def total(f: Figures, name: str):
        return getattr(f.advice.total, name) if f.advice.total else 0

    return _comparison(
        "advice_comparison",
        _("Forebyggelse af udsættelser"),
        _(
            "Sager i den økonomiske rådgivning i perioden og perioden før. Tal under 5 "
            "vises som <5."
        ),
        key,
        [
            (_("Sager åbnet"), lambda f: total(f, "opened")),
            (_("Sager lukket"), lambda f: total(f, "closed")),
            (_("Åbne sager ved periodens slutning"), lambda f: total(f, "open_at_end")),
            (_("Udsættelser afværget"), lambda f: total(f, "evictions_avoided")),
            (_("Betalingsaftaler"), lambda f: total(f, "payment_plans")),
        ],
    )


def themed_comparison(slug: str, title: str, key: KeyFigures, *themes: str) -> Table:
    def part(f: Figures) -> Participation:
        return f.activities.total_of(*themes)

    return _comparison(
        slug,
        title,
        _("Aktiviteternes registreringer og deltagere i perioden og perioden før."),
        key,
        [
            (_("Registreringer"), lambda f: part(f).records),
            (_("Deltagere"), lambda f: part(f).participants),
            (_("Nye deltagere"), lambda f: part(f).new),
            (_("Frivillige"), lambda f: part(f).volunteers),
        ],
    )


# --- One activity, for the LBF report ------------------------------------------------


def lbf_sections(figures: Figures) -> list[tuple]:
    """Per focus area, its activities with their two tables (targets against
    what was reached; participation per area)."""
    return [
        (
            fa,
            [
                (row, activity_indicator_table(row), activity_area_table(row))
                for row in fa.activities
            ],
        )
        for fa in figures.activities.focus_areas
    ]


# --- The dashboard's tables, by slug ---------------------------------------------


def dashboard_tables(key: KeyFigures) -> dict[str, Table]:
    """Every table of the dashboard, in the page's order, by slug (the exports
    download them by slug)."""
    figures = key.current
    tables = [
        key_figure_table(key),
        activity_table(figures.activities),
        indicator_table(figures.activities),
        area_participation_table(figures.activities, figures.areas),
        safety_comparison(key),
        signup_table(figures.signups),
        walk_table(figures.walks),
        finding_table(figures.findings),
        finding_source_table(figures.findings),
        report_table(figures.reports),
        incident_table(figures.incidents),
        incident_month_table(figures.incidents),
        advice_comparison(key),
        advice_table(figures.advice),
        gain_table(figures.gains),
        unit_value_table(figures.gains),
    ]
    return {table.slug: table for table in tables}


# (anchor, heading, the tables in it): the dashboard's contents bar links to each.
DASHBOARD_SECTIONS = [
    (
        "aktiviteter",
        _lazy("Aktiviteter"),
        ["activities", "indicators", "activity_areas"],
    ),
    (
        "tryghed",
        _lazy("Tryghed"),
        [
            "safety_comparison",
            "walks",
            "findings",
            "finding_sources",
            "resident_reports",
        ],
    ),
    ("nabohjaelp", _lazy("Nabohjælp"), ["signups"]),
    ("beredskab", _lazy("Beredskab"), ["incidents", "incident_months"]),
    ("raadgivning", _lazy("Økonomisk rådgivning"), ["advice_comparison", "advice"]),
    # Its sources' table (unit_values) is under its notes (SECTION_ABOUT).
    ("gevinster", _lazy("Gevinster"), ["gains"]),
]


# What a section says before its tables, by its anchor.
SECTION_ABOUT = {"gevinster": "reports/_gains_section.html"}


def dashboard_sections(tables: dict[str, Table], charts: dict[str, SafeString]):
    """The dashboard's sections below the key figures: (anchor, heading,
    [(table, its chart or None)], the template of what it says first or None)."""
    return [
        (
            anchor,
            heading,
            [(tables[slug], charts.get(slug)) for slug in slugs],
            SECTION_ABOUT.get(anchor),
        )
        for anchor, heading, slugs in DASHBOARD_SECTIONS
    ]


def figures_record(tables: dict[str, Table], *, areas, period) -> dict:
    """What a report run keeps: its period, areas and every table it printed."""
    return {
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "kind": period.kind,
        },
        "areas": [area.name for area in areas],
        "computed_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "tables": {slug: table.as_record() for slug, table in tables.items()},
    }


# --- The charts drawn from the tables' figures ---------------------------------------


def dashboard_charts(figures: Figures) -> dict[str, SafeString]:
    """Each chart by the slug of the table that holds its data (shown beside it:
    the charts are hidden from screen readers)."""
    return {
        "activities": activity_chart(figures.activities),
        "signups": signup_chart(figures.signups),
        "walks": walk_chart(figures.walks),
        "findings": finding_chart(figures.findings),
        "incident_months": incident_chart(figures.incidents),
        "gains": gain_chart(figures.gains),
    }
