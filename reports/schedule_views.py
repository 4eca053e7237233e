"""Report schedules, kept on the report pages: a report asked for by itself after
every quarter or year (Celery beat looks every hour), paused, resumed or deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import get_schedule_for_user, require_report_requester
from .forms import ScheduleForm
from .models import ReportSchedule


@login_required
@require_GET
def schedule_list(request):
    require_report_requester(request.user)
    schedules = ReportSchedule.objects.visible_to(request.user).for_list()
    return render(request, "reports/schedule_list.html", {"schedules": schedules})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_create(request):
    require_report_requester(request.user)
    form = ScheduleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        schedule = form.save()
        messages.success(
            request, _("Den faste bestilling er oprettet: %(s)s.") % {"s": schedule}
        )
        return redirect("reports:schedule_list")
    return render(request, "reports/schedule_form.html", {"form": form})


@login_required
@require_POST
def schedule_pause(request, pk):
    schedule = get_schedule_for_user(request.user, pk)
    schedule.pause()
    messages.success(request, _("%(s)s er sat på pause.") % {"s": schedule})
    return redirect("reports:schedule_list")


@login_required
@require_POST
def schedule_resume(request, pk):
    schedule = get_schedule_for_user(request.user, pk)
    schedule.resume()
    messages.success(request, _("%(s)s er aktiv igen.") % {"s": schedule})
    return redirect("reports:schedule_list")


@login_required
@require_http_methods(["GET", "POST"])
def schedule_delete(request, pk):
    """Asks first (a page with the button); only the POST deletes. The reports it
    asked for stay, no longer marked as from a schedule."""
    schedule = get_schedule_for_user(request.user, pk)
    if request.method == "POST":
        schedule.delete()
        messages.success(request, _("%(s)s er slettet.") % {"s": schedule})
        return redirect("reports:schedule_list")
    return render(request, "reports/schedule_delete.html", {"schedule": schedule})
