"""Templates rendered to PDF with WeasyPrint: the Nabohjælp posters and the status
reports for Landsbyggefonden and Odense Kommune.

Plain functions with no request and no Celery in them, so views, tasks and tests
call them alike.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML, URLFetcher

from activities.models import FocusArea


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered as a PDF. Everything it shows is inline: CSS in a
    <style>, images as data: URIs, fonts from the system."""
    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=offline_url_fetcher()).write_pdf()


def offline_url_fetcher() -> URLFetcher:
    """A fetcher that reads data: URIs and nothing else.

    Rendering runs in web and worker processes that can reach internal hosts and
    the server's files; a template, or text a user typed into one, that names an
    http: or file: address gets nothing (WeasyPrint logs a warning and leaves the
    resource out), and no render ever waits on the network.
    """
    return URLFetcher(allowed_protocols={"data"})


# --- The status reports ---------------------------------------------------------------


def render_document(template_name: str, context: dict) -> tuple[bytes, int]:
    """The template as a PDF, and its number of pages."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, url_fetcher=offline_url_fetcher()).render()
    return document.write_pdf(), len(document.pages)


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
        key.current, Theme.EDUCATION, Theme.EMPLOYMENT, slug="work_activities"
    )
    tables["community_comparison"] = themed_comparison(
        "community_comparison", _("Fællesskaber og deltagelse"), key, Theme.COMMUNITY
    )
    tables["community_activities"] = activity_table(
        key.current, Theme.COMMUNITY, slug="community_activities"
    )
    tables["work_indicators"] = indicator_table(
        key.current, Theme.EDUCATION, Theme.EMPLOYMENT, slug="work_indicators"
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
