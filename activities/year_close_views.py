"""Årsafslutning: a plan year's close on one page. Every activity of the plan
with where its status text stands, its targets for the year after and its
records of the year saved lately; approve or send back from the list; and, once
every text is approved, the button that asks for the LBF report of the year."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from boligsocial.clock import day_start
from boligsocial.forms import whole_number

from .access import require_coordinator
from .models import Activity, CloseState, PlanPeriod, YearStatus

# "Still being edited": a record of the year saved (made or changed) within this
# many days. Records have no draft state: every saved record counts, and they
# stay open to change until the year's text is approved. Saved lately means
# someone is still at the year's figures, so the text may not describe them yet.
RECENT_DAYS = 14


@dataclass
class CloseRow:
    activity: Activity
    status: YearStatus

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def can_decide(self) -> bool:
        """A text written and not approved: approve it or send it back."""
        return self.status.pk is not None and not self.status.is_locked


def close_year(plans: list[PlanPeriod], asked, today: datetime.date) -> int | None:
    """?year= when a plan has it; otherwise the year just ended, which is the year
    closed in January (DOMAIN: texts approved and the LBF report sent); in a
    plan's first year, when no plan had the year before, this year."""
    years = {year for plan in plans for year in plan.years}
    for year in (whole_number(asked), today.year - 1, today.year):
        if year in years:
            return year
    return max(years, default=None)


@login_required
@require_GET
def year_close(request):
    require_coordinator(request.user)
    plans = list(PlanPeriod.objects.order_by("-start"))
    year = close_year(plans, request.GET.get("year"), timezone.localdate())
    plan = next((p for p in plans if year in p.years), None)
    # From the start of the day, as the record list's filter the row links to.
    since = timezone.localdate() - datetime.timedelta(days=RECENT_DAYS)
    rows = []
    if plan:
        activities = Activity.objects.filter(
            focus_area__plan_period=plan
        ).for_year_close(year, changed_since=day_start(since))
        rows = [
            CloseRow(a, (a.year_status_list or [YearStatus(activity=a, year=year)])[0])
            for a in activities
        ]
    counts = Counter(row.state for row in rows)
    context = {
        "plan": plan,
        "year": year,
        "years": sorted({y for p in plans for y in p.years}, reverse=True),
        "rows": rows,
        "counts": [(state, counts[state]) for state in CloseState if counts[state]],
        "missing": [
            (state, counts[state])
            for state in CloseState
            if counts[state] and state != CloseState.APPROVED
        ],
        "approved": counts[CloseState.APPROVED],
        "all_approved": bool(rows) and counts[CloseState.APPROVED] == len(rows),
        "next_year": year + 1 if plan and year + 1 in plan.years else None,
        "changed_since": since,
        "recent_days": RECENT_DAYS,
    }
    return render(request, "activities/year_close.html", context)
