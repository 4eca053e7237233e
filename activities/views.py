from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.charts import progress_bars
from boligsocial.editing import StaleEdit, save_guarded, stale_action_message
from boligsocial.forms import whole_number
from boligsocial.models import Area, Notification, User
from boligsocial.notices import notify
from boligsocial.periods import Period, year_elapsed

from .access import (
    get_activity_for_user,
    get_year_status_for_user,
    require_coordinator,
)
from .event_views import with_edit_rights
from .figures import ActivityFigure, Participation, activity_figures
from .forms import ReopenForm, SendBackForm, TargetsForm, YearStatusForm
from .models import FocusArea, PlannedEvent, PlanPeriod

# The plan's structure, targets and aggregated progress hold no personal data and
# are the shared language with partners: every signed-in role may read them.

EVENTS_ON_ACTIVITY_PAGE = 10


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
    context = {
        "plan": plan,
        "other_plans": PlanPeriod.objects.exclude(pk=plan.pk),
        "can_close_year": request.user.can_edit_all_records,
    }
    return render(request, "activities/plan_detail.html", context)


def chosen_year(request, plan) -> int:
    """?year= within the plan's years; otherwise the plan's current year."""
    year = whole_number(request.GET.get("year"))
    if year in plan.years:
        return year
    return plan.current_year()


def chart_for(rows, year: int):
    return progress_bars(
        [(r.name, r.reached, r.target) for r in rows], elapsed=year_elapsed(year)
    )


def year_figures(activities, year: int) -> list[ActivityFigure]:
    """The activities' figures for the year in every area: the same function as
    the dashboard's and the reports', so the plan's pages cannot differ from them."""
    figures = activity_figures(
        list(Area.objects.all()), Period.year(year), activities=activities
    )
    return [row for fa in figures.focus_areas for row in fa.activities]


@login_required
@require_GET
def activity_detail(request, pk):
    activity = get_activity_for_user(request.user, pk)
    plan = activity.focus_area.plan_period
    year = chosen_year(request, plan)
    (figures,) = year_figures([activity], year)
    rows = figures.indicators
    status = get_year_status_for_user(request.user, activity, year)
    user = request.user
    events = with_edit_rights(
        PlannedEvent.objects.visible_to(user)
        .filter(activity=activity)
        .upcoming()
        .for_calendar()[:EVENTS_ON_ACTIVITY_PAGE],
        user,
    )
    context = {
        "events": events,
        "activity": activity,
        "plan": plan,
        "year": year,
        "years": list(plan.years),
        "rows": rows,
        "chart": chart_for(rows, year),
        "elapsed": year_elapsed(year),
        "figures": figures.total,
        "status": status,
        "status_events": status.events.select_related("by") if status.pk else [],
        "can_log": user.can_log_activities,
        "can_write_status": user.can_log_activities and not status.is_locked,
        "can_approve": user.can_edit_all_records and status.pk and not status.is_locked,
        "can_send_back": (
            user.can_edit_all_records and status.pk and not status.is_locked
        ),
        "can_reopen": user.can_edit_all_records and status.is_locked,
        "can_set_targets": user.can_edit_all_records,
        "can_close_year": user.can_edit_all_records,
    }
    return render(request, "activities/activity_detail.html", context)


@login_required
@require_GET
def focus_area_detail(request, pk):
    focus_area = get_object_or_404(
        FocusArea.objects.select_related("plan_period"), pk=pk
    )
    plan = focus_area.plan_period
    year = chosen_year(request, plan)
    figures = year_figures(focus_area.activities.all(), year)
    rows = [(row.activity, row.total, row.indicators) for row in figures]
    totals = Participation.sum(row.total for row in figures)
    all_rows = [indicator for row in figures for indicator in row.indicators]
    context = {
        "focus_area": focus_area,
        "plan": plan,
        "year": year,
        "years": list(plan.years),
        "rows": rows,
        "totals": totals,
        "elapsed": year_elapsed(year),
        "chart": chart_for(all_rows, year),
    }
    return render(request, "activities/focus_area_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def targets_edit(request, pk):
    require_coordinator(request.user)
    activity = get_activity_for_user(request.user, pk)
    form = TargetsForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid() and save_guarded(form):
        messages.success(request, _("Måltallene er gemt."))
        return redirect(activity)
    return render(
        request, "activities/targets_form.html", {"activity": activity, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def status_edit(request, pk, year):
    activity = get_activity_for_user(request.user, pk)
    status = get_year_status_for_user(request.user, activity, year, write=True)
    form = YearStatusForm(request.POST or None, instance=status)
    form.instance.written_by = request.user
    if (
        request.method == "POST"
        and form.is_valid()
        and save_guarded(form, lambda: _submit_status(form))
    ):
        messages.success(
            request, _("Statusteksten for %(year)s er gemt.") % {"year": year}
        )
        return redirect(f"{activity.get_absolute_url()}?year={year}")
    context = {"activity": activity, "year": year, "form": form}
    return render(request, "activities/status_form.html", context)


def _submit_status(form: YearStatusForm):
    """Save the text; the coordinators find it waiting for their approval."""
    status = form.save()
    notify(
        Notification.Kind.STATUS_SUBMITTED,
        about=status,
        users=User.objects.active_in(User.Role.COORDINATOR),
        text=str(status),
    )
    return status


def _tell_writer(status, *, by, text: str) -> None:
    if status.written_by_id != by.pk:
        notify(
            Notification.Kind.STATUS_DECIDED,
            about=status,
            users=[status.written_by],
            text=text,
        )


def _back(request, activity, year: int) -> str:
    """Where a decision on a text leads: the year's close when it was taken
    there (a form field, never an address from outside), else the activity."""
    if request.POST.get("from", request.GET.get("from")) == "year-close":
        url = reverse("activities:year_close")
        return f"{url}?year={year}#activity-{activity.pk}"
    return f"{activity.get_absolute_url()}?year={year}"


@login_required
@require_POST
def status_approve(request, pk, year):
    """Approve the text shown at its version: one written again since is not
    approved unread (the same edit-conflict guard as every form)."""
    require_coordinator(request.user)
    activity = get_activity_for_user(request.user, pk)
    status = get_year_status_for_user(request.user, activity, year)
    if not status.pk or status.is_locked:
        messages.error(request, _("Der er ingen statustekst at godkende for året."))
        return redirect(_back(request, activity, year))
    try:
        with transaction.atomic():
            status.approve(
                by=request.user, version=whole_number(request.POST.get("version")) or 0
            )
            _tell_writer(
                status,
                by=request.user,
                text=_("%(status)s er godkendt") % {"status": status},
            )
    except StaleEdit:
        messages.error(request, stale_action_message())
    else:
        messages.success(
            request,
            _("%(year)s er godkendt og låst for %(activity)s.")
            % {"year": year, "activity": activity},
        )
    return redirect(_back(request, activity, year))


@login_required
@require_http_methods(["GET", "POST"])
def status_reopen(request, pk, year):
    require_coordinator(request.user)
    activity = get_activity_for_user(request.user, pk)
    status = get_year_status_for_user(request.user, activity, year)
    if not status.is_locked:
        messages.info(request, _("Året er ikke låst."))
        return redirect(f"{activity.get_absolute_url()}?year={year}")
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        status.reopen(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("%(year)s er genåbnet.") % {"year": year})
        return redirect(f"{activity.get_absolute_url()}?year={year}")
    context = {"activity": activity, "year": year, "form": form}
    return render(request, "activities/status_reopen.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def status_send_back(request, pk, year):
    """A coordinator sends a text awaiting approval back to be written again."""
    require_coordinator(request.user)
    activity = get_activity_for_user(request.user, pk)
    status = get_year_status_for_user(request.user, activity, year)
    back = _back(request, activity, year)
    if not status.pk or status.is_locked:
        messages.error(request, _("Der er ingen statustekst at sende tilbage."))
        return redirect(back)
    form = SendBackForm(request.POST or None, initial={"version": status.version})
    if request.method == "POST" and form.is_valid():
        if _send_back(status, by=request.user, data=form.cleaned_data):
            messages.success(request, _("Statusteksten er sendt tilbage."))
        else:
            messages.error(request, stale_action_message())
        return redirect(back)
    context = {
        "activity": activity,
        "year": year,
        "form": form,
        "cancel_url": back,
        "from_close": "year-close" in back,
    }
    return render(request, "activities/status_send_back.html", context)


def _send_back(status, *, by, data: dict) -> bool:
    """Send the text back and tell its writer; False when it was written again
    since the coordinator read it."""
    reason = data["reason"]
    try:
        with transaction.atomic():
            status.send_back(by=by, reason=reason, version=data["version"])
            _tell_writer(
                status,
                by=by,
                text=_("%(status)s er sendt tilbage: %(reason)s")
                % {"status": status, "reason": reason},
            )
    except StaleEdit:
        return False
    return True
