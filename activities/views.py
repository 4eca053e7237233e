from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from .models import Activity, PlanPeriod

# The plan's structure (goals, activities, targets) holds no personal data and is
# the shared language with partners: every signed-in role may read it.


@login_required
@require_GET
def plan_list(request):
    """The current plan; the overview of all plans when none is current."""
    plan = PlanPeriod.objects.current()
    if plan:
        return redirect(plan)
    plans = PlanPeriod.objects.all()
    return render(request, "activities/plan_list.html", {"plans": plans})


@login_required
@require_GET
def plan_detail(request, pk):
    plan = get_object_or_404(PlanPeriod.objects.for_overview(), pk=pk)
    context = {"plan": plan, "other_plans": PlanPeriod.objects.exclude(pk=plan.pk)}
    return render(request, "activities/plan_detail.html", context)


@login_required
@require_GET
def activity_detail(request, pk):
    activity = get_object_or_404(Activity.objects.for_detail(), pk=pk)
    years = list(activity.focus_area.plan_period.years)
    rows = [
        (indicator, [indicator.target_for(year) for year in years])
        for indicator in activity.indicators.all()
    ]
    context = {"activity": activity, "years": years, "rows": rows}
    return render(request, "activities/activity_detail.html", context)
