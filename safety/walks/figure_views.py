"""Tryghedsvandringer in figures: walks against the target, findings and how fast
they are fixed. Counts only, so everyone signed in sees them for their areas."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from boligsocial.forms import year_from_query
from boligsocial.models import Area
from boligsocial.periods import Period, year_elapsed

from ..meldinger.figures import report_figures, report_table
from .figures import (
    finding_category_table,
    finding_figures,
    finding_source_table,
    finding_table,
    walk_chart,
    walk_figures,
    walk_table,
)


@login_required
@require_GET
def safety_figures(request):
    user = request.user
    today = timezone.localdate()
    year = year_from_query(request.GET.get("year"), today.year)
    period = Period.year(year)
    areas = Area.objects.visible_to(user)
    walks = walk_figures(areas=areas, period=period, today=today)
    findings = finding_figures(
        areas=areas, start=period.start, end=period.end, today=today
    )
    # In the current year a line marks how far through the year we are.
    elapsed = year_elapsed(year, today) if year == today.year else None
    context = {
        "walks": walks,
        "findings": findings,
        "tables": {
            "walks": walk_table(walks),
            "categories": finding_category_table(findings),
            "organisations": finding_table(findings),
            "sources": finding_source_table(findings),
            "reports": report_table(
                report_figures(areas=areas, start=period.start, end=period.end)
            ),
        },
        "chart": walk_chart(walks, elapsed=elapsed),
        "year": year,
        "years": range(today.year, today.year - 6, -1),
        "can_see_findings": user.can_see_findings,
    }
    return render(request, "safety/safety_figures.html", context)
