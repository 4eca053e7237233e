"""The status reports for Landsbyggefonden and Odense Kommune: the figures composed
into a PDF, rendered by the shared `boligsocial.pdf`. No Celery in here: the
report task, the tests and the benchmarks call `render_report` alike."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities.models import FocusArea
from boligsocial.pdf import render_document


def report_context(run) -> tuple[str, dict, dict]:
    """The template, its context and the record of the figures for a run. The
    figures are suppressed: a PDF leaves the portal (and the advice team)."""
    from .figures import dashboard_figures
    from .tables import (
        activity_table,
        dashboard_charts,
        dashboard_tables,
        figures_record,
        indicator_table,
        lbf_sections,
        themed_comparison,
    )

    areas = list(run.areas.all())
    key = dashboard_figures(areas=areas, period=run.period, suppress=True)
    tables = dashboard_tables(key)
    Theme = FocusArea.Theme
    tables["work_comparison"] = themed_comparison(
        "work_comparison",
        _("Beskæftigelse og uddannelse"),
        key,
        Theme.EDUCATION,
        Theme.EMPLOYMENT,
    )
    tables["work_activities"] = activity_table(
        key.current.activities,
        Theme.EDUCATION,
        Theme.EMPLOYMENT,
        slug="work_activities",
    )
    tables["community_comparison"] = themed_comparison(
        "community_comparison", _("Fællesskaber og deltagelse"), key, Theme.COMMUNITY
    )
    tables["community_activities"] = activity_table(
        key.current.activities, Theme.COMMUNITY, slug="community_activities"
    )
    tables["work_indicators"] = indicator_table(
        key.current.activities,
        Theme.EDUCATION,
        Theme.EMPLOYMENT,
        slug="work_indicators",
    )
    sections = lbf_sections(key.current)
    for _fa, rows in sections:
        for _row, *activity_tables in rows:
            tables.update({table.slug: table for table in activity_tables})
    context = {
        "run": run,
        "sections": sections,
        "key": key,
        "figures": key.current,
        "tables": tables,
        "charts": dashboard_charts(key.current),
        "plan": run.plan_period,
        "made_at": timezone.localtime(),
    }
    template = f"reports/pdf/{run.kind}.html"
    return template, context, figures_record(tables, areas=areas, period=run.period)


def render_report(run) -> tuple[bytes, int, dict]:
    """A run's PDF, in Danish whoever asked for it: the reports go to LBF and the
    municipality. Returns the PDF, its pages and the figures it printed."""
    with translation.override("da"):
        template, context, record = report_context(run)
        pdf, pages = render_document(template, context)
    return pdf, pages, record
