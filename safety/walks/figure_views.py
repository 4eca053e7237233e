"""Tryghedsvandringer in figures: walks against the target, findings and how fast
they are fixed. Counts only, so everyone signed in sees them for their areas."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from activities.progress import year_elapsed
from boligsocial.charts import progress_bars
from boligsocial.models import Area
from safety.nabohjaelp.views import year_from_query

from .figures import finding_figures, walk_figures


@login_required
@require_GET
def safety_figures(request):
    user = request.user
    today = timezone.localdate()
    year = year_from_query(request.GET.get("year"), today.year)
    areas = Area.objects.visible_to(user)
    walks = walk_figures(areas=areas, year=year, today=today)
    findings = finding_figures(
        areas=areas,
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        today=today,
    )
    # In the current year a line marks how far through the year we are.
    elapsed = year_elapsed(year, today) if year == today.year else None
    chart = progress_bars(
        [(row.area.name, row.held, row.target) for row in walks.rows], elapsed=elapsed
    )
    context = {
        "walks": walks,
        "findings": findings,
        "chart": chart,
        "year": year,
        "years": range(today.year, today.year - 6, -1),
        "can_see_findings": user.can_see_findings,
    }
    return render(request, "safety/safety_figures.html", context)


# --- Beredskab in figures ----------------------------------------------------------
