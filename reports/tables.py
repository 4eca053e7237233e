"""The figures as tables: what the dashboard shows, the PDFs print, the exports
download and a report run keeps as its record. One function per table, from the
figures layer's results, so a number cannot differ between them."""

import datetime

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from boligsocial.charts import progress_bars, stacked_columns
from boligsocial.tables import Cell, Table, percent
from safety.beredskab.figures import incident_chart
from safety.models import Incident

from .figures import (
    ActivityFigure,
    AreaSignUps,
    Figures,
    KeyFigures,
    Participation,
)

FIXED_COLOUR = "#198754"
OPEN_COLOUR = "#ffc107"


def _change(now, before) -> Cell:
    if isinstance(now, int | float) and isinstance(before, int | float):
        return now - before
    return None


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
    def signups(f: Figures):
        return f.signups.total or _no_signups()

    def times(f: Figures):
        return f.incidents.total.times if f.incidents.total else None

    def median_minutes(f: Figures):
        t = times(f)
        return None if t is None or t.median is None else round(t.median, 1)

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
                lambda f: percent(f.findings.fixed, f.findings.found),
            ),
            (
                _("Median, dage fra fund til udbedring"),
                lambda f: f.findings.median_days,
            ),
            (
                _("Aktive i Nabohjælp ved periodens slutning"),
                lambda f: signups(f).active,
            ),
            (_("Nye tilmeldinger til Nabohjælp"), lambda f: signups(f).new),
            (
                _("Hændelser"),
                lambda f: f.incidents.total.total if f.incidents.total else 0,
            ),
            (_("Median, minutter til første partner fik besked"), median_minutes),
        ],
    )


def _no_signups() -> AreaSignUps:
    return AreaSignUps(None, 0, 0, 0, 0, 0, None)


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


# --- The period's own tables -----------------------------------------------------


def activity_table(figures: Figures, *themes: str, slug: str = "activities") -> Table:
    focus_areas = (
        figures.activities.themed(*themes) if themes else figures.activities.focus_areas
    )
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


def indicator_table(figures: Figures, *themes: str, slug: str = "indicators") -> Table:
    focus_areas = (
        figures.activities.themed(*themes) if themes else figures.activities.focus_areas
    )
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


def area_participation_table(figures: Figures) -> Table:
    by_area = {area.pk: Participation() for area in figures.areas}
    for fa in figures.activities.focus_areas:
        for row in fa.activities:
            for area_id, part in row.by_area.items():
                by_area[area_id].add(part)
    total = figures.activities.total
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
            for area in figures.areas
        ],
        total=[
            _("I alt"),
            total.records,
            total.participants,
            total.new,
            total.volunteers,
        ]
        if len(figures.areas) > 1
        else None,
    )


def _per_area(part, cells, **table) -> Table:
    """A table of a row per area (`part.rows`) and, for more than one area, their
    total (`part.total`); `cells` gives the figures of a row."""
    total = part.total if len(part.rows) > 1 else None
    return Table(
        rows=[[row.area.name, *cells(row)] for row in part.rows],
        total=[_("I alt"), *cells(total)] if total else None,
        **table,
    )


def signup_table(figures: Figures) -> Table:
    def cells(row) -> list[Cell]:
        return [
            row.households,
            row.active_at_start,
            row.active,
            row.growth,
            row.new,
            row.share_percent,
            row.target,
        ]

    return _per_area(
        figures.signups,
        cells,
        slug="signups",
        title=_("Nabohjælp"),
        caption=_(
            "Aktive tilmeldinger ved periodens start og slutning, nye "
            "tilmeldinger, andelen af husstandene og målet for perioden."
        ),
        columns=[
            _("Område"),
            _("Husstande"),
            _("Aktive ved start"),
            _("Aktive ved slut"),
            _("Vækst"),
            _("Nye"),
            _("Andel af husstande, %"),
            _("Mål"),
        ],
    )


def walk_table(figures: Figures) -> Table:
    return _per_area(
        figures.walks,
        lambda row: [row.held, row.target],
        slug="walks",
        title=_("Tryghedsvandringer"),
        caption=_("Gennemførte tryghedsvandringer pr. område mod målet for perioden."),
        columns=[_("Område"), _("Gennemført"), _("Mål")],
    )


def finding_table(figures: Figures) -> Table:
    findings = figures.findings
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
                percent(row.fixed, row.found),
                row.median_days,
                row.overdue,
            ]
            for row in findings.organisations
        ],
        total=[
            _("I alt"),
            findings.found,
            findings.fixed,
            percent(findings.fixed, findings.found),
            findings.median_days,
            sum(row.overdue for row in findings.organisations),
        ]
        if findings.organisations
        else None,
    )


def incident_table(figures: Figures) -> Table:
    def cells(row) -> list[Cell]:
        median = row.times.median
        return [
            *row.by_severity.values(),
            row.total,
            None if median is None else round(median, 1),
        ]

    return _per_area(
        figures.incidents,
        cells,
        slug="incidents",
        title=_("Hændelser"),
        caption=_(
            "Hændelser pr. område og alvor, og medianen af minutterne fra "
            "hændelsen til den første partner fik besked."
        ),
        columns=[
            _("Område"),
            *[str(label) for _v, label in Incident.Severity.choices],
            _("I alt"),
            _("Median, minutter til besked"),
        ],
    )


def incident_month_table(figures: Figures) -> Table:
    """The chart of incidents over time, as a table."""
    return Table(
        slug="incident_months",
        title=_("Hændelser over tid"),
        caption=_("Hændelser pr. måned (pr. kvartal i lange perioder) og alvor."),
        columns=[
            _("Periode"),
            *[str(label) for _v, label in Incident.Severity.choices],
            _("I alt"),
        ],
        rows=[
            [row.label, *row.by_severity.values(), row.total]
            for row in figures.incidents.periods
        ],
    )


def advice_table(figures: Figures) -> Table:
    def cells(row) -> list[Cell]:
        return [
            row.opened,
            row.closed,
            row.open_at_end,
            row.evictions_avoided,
            row.payment_plans,
            row.financial_gain,
            row.debt_settled,
        ]

    return _per_area(
        figures.advice,
        cells,
        slug="advice",
        title=_("Økonomisk rådgivning"),
        caption=_(
            "Sager og resultater pr. område. Uden for rådgivningsteamet vises "
            "tal under 5 som <5, og tal, der kunne afsløre dem, som .."
        ),
        columns=[
            _("Område"),
            _("Åbnet"),
            _("Lukket"),
            _("Åbne ved slut"),
            _("Udsættelser afværget"),
            _("Betalingsaftaler"),
            _("Økonomisk gevinst, kr."),
            _("Gæld afviklet, kr."),
        ],
    )


# --- One activity, for the LBF report ------------------------------------------------


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
    def cells(part: Participation) -> list[Cell]:
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
        activity_table(figures),
        indicator_table(figures),
        area_participation_table(figures),
        safety_comparison(key),
        signup_table(figures),
        walk_table(figures),
        finding_table(figures),
        incident_table(figures),
        incident_month_table(figures),
        advice_comparison(key),
        advice_table(figures),
    ]
    return {table.slug: table for table in tables}


DASHBOARD_SECTIONS = [
    (_lazy("Aktiviteter"), ["activities", "indicators", "activity_areas"]),
    (
        _lazy("Tryghed"),
        [
            "safety_comparison",
            "signups",
            "walks",
            "findings",
            "incidents",
            "incident_months",
        ],
    ),
    (_lazy("Økonomisk rådgivning"), ["advice_comparison", "advice"]),
]


def dashboard_sections(tables: dict[str, Table], charts: dict[str, SafeString]):
    """The dashboard's sections below the key figures: (heading, [(table, its
    chart or None)])."""
    return [
        (heading, [(tables[slug], charts.get(slug)) for slug in slugs])
        for heading, slugs in DASHBOARD_SECTIONS
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
    findings = figures.findings.organisations
    return {
        "activities": progress_bars(
            [
                (fa.focus_area.name, fa.total.participants, None)
                for fa in figures.activities.focus_areas
            ]
        ),
        "signups": progress_bars(
            [(r.area.name, r.active, r.target) for r in figures.signups.rows]
        ),
        "walks": progress_bars(
            [(r.area.name, r.held, r.target) for r in figures.walks.rows]
        ),
        "findings": stacked_columns(
            [(r.name, [r.fixed, r.found - r.fixed]) for r in findings],
            [(_("Udbedret"), FIXED_COLOUR), (_("Ikke udbedret"), OPEN_COLOUR)],
        ),
        "incident_months": incident_chart(figures.incidents),
    }
