"""The dashboard: key figures, charts and the tables behind them for a period and
areas, and each table as CSV or Excel. Every role sees it; partners for their
own areas, and advice figures suppressed for everyone outside the advice team."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from boligsocial import spreadsheets

from .access import require_dashboard_reader
from .figures import dashboard_figures
from .forms import DashboardForm
from .models import UnitValue
from .tables import dashboard_charts, dashboard_sections, dashboard_tables


def _dashboard(request) -> tuple[DashboardForm, dict | None]:
    """The form, and (when it is valid) the figures, tables and charts it asks for."""
    user = request.user
    require_dashboard_reader(user)
    # Always bound: an empty query is valid and means this year in every area.
    form = DashboardForm(request.GET, user=user, today=timezone.localdate())
    if not form.is_valid():
        return form, None
    key = dashboard_figures(
        areas=form.chosen_areas(),
        period=form.chosen_period(),
        suppress=not user.sees_exact_advice_figures,
    )
    return form, {"key": key, "tables": dashboard_tables(key)}


@login_required
@require_GET
def dashboard(request):
    form, shown = _dashboard(request)
    context = {"form": form, "query": request.GET.urlencode()}
    if shown:
        charts = dashboard_charts(shown["key"].current)
        context.update(shown, sections=dashboard_sections(shown["tables"], charts))
        if request.user.can_keep_backbone:
            context["can_keep_unit_values"] = True
            context["unit_values_waiting"] = UnitValue.objects.waiting().count()
    return render(request, "reports/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request, slug: str, fmt: str):
    """One of the dashboard's tables, for the same period and areas."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    form, shown = _dashboard(request)
    if shown is None:
        # The dashboard tells what is wrong with the choice, next to the field.
        return redirect(f"{reverse('reports:dashboard')}?{request.GET.urlencode()}")
    if slug not in shown["tables"]:
        raise Http404
    period = shown["key"].current.period
    filename = f"{slug}-{period.start}-{period.end}"
    return spreadsheets.download(shown["tables"][slug].dataset(), fmt, filename)
