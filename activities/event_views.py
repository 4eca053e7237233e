"""The calendar of planned events: who does what, where and when."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import (
    StaleEdit,
    already_saved,
    save_guarded,
    stale_action_message,
)
from boligsocial.forms import whole_number

from .access import get_event_for_user, require_event_planner
from .event_forms import CalendarFilterForm, PlannedEventForm
from .models import PlannedEvent

# How far ahead the calendar looks from its first day.
CALENDAR_SPAN = datetime.timedelta(weeks=8)


@login_required
@require_GET
def calendar(request):
    """The coming weeks' events the user may see, by day, with parallel efforts."""
    user = request.user
    today = timezone.localdate()
    form = CalendarFilterForm(request.GET, user=user)
    form.is_valid()  # invalid values are left out of cleaned_data, errors shown
    filters = form.cleaned_data
    start = max(filters.get("start") or today, today)
    end = start + CALENDAR_SPAN
    events = (
        PlannedEvent.objects.visible_to(user)
        .upcoming(start)
        .filter(date__lt=end)
        .for_calendar()
    )
    if filters.get("area"):
        events = events.filter(area=filters["area"])
    if filters.get("activity"):
        events = events.filter(activity=filters["activity"])
    context = {
        "form": form,
        "events": with_edit_rights(events, user),
        "start": start,
        "last": end - datetime.timedelta(days=1),
        "earlier": max(start - CALENDAR_SPAN, today) if start > today else None,
        "later": end,
        "can_plan": PlannedEvent.may_be_planned_by(user),
    }
    return render(request, "activities/calendar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    require_event_planner(request.user)
    event = PlannedEvent(
        created_by=request.user, organiser_id=request.user.organisation_id
    )
    # The activity page links here with its activity chosen.
    initial = {"activity": request.GET.get("activity")}
    return _event_form(request, event, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk):
    event = get_event_for_user(request.user, pk, write=True)
    if event.is_cancelled:
        messages.info(request, _("Aktiviteten er aflyst og kan ikke længere rettes."))
        return redirect("activities:calendar")
    return _event_form(request, event)


def _event_form(request, event: PlannedEvent, *, initial=None):
    adding = event.pk is None
    if adding and (
        earlier := PlannedEvent.from_submission(request.POST.get("submission"))
    ):
        return already_saved(request, earlier, to="activities:calendar")
    form = PlannedEventForm(
        request.POST or None, instance=event, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid() and save_guarded(form):
        if adding:
            messages.success(request, _("Aktiviteten er sat i kalenderen."))
        else:
            messages.success(request, _("Den planlagte aktivitet er gemt."))
        return redirect("activities:calendar")
    context = {
        "form": form,
        "event": event,
        "adding": adding,
        "can_delete": not adding and event.is_deletable_by(request.user),
    }
    return render(request, "activities/event_form.html", context)


@login_required
@require_POST
def event_cancel(request, pk):
    """Call the event off: it stays in the calendar, marked as cancelled."""
    event = get_event_for_user(request.user, pk, write=True)
    try:
        event.cancel(version=whole_number(request.POST.get("version")) or 0)
    except StaleEdit:
        messages.error(request, stale_action_message())
        return redirect("activities:event_edit", pk=event.pk)
    messages.success(
        request,
        _("Aktiviteten er aflyst. Den står i kalenderen som aflyst."),
    )
    return redirect("activities:calendar")


@login_required
@require_POST
def event_delete(request, pk):
    event = get_event_for_user(request.user, pk, write=True)
    if not event.is_deletable_by(request.user):
        raise PermissionDenied
    event.delete()
    messages.success(request, _("Den planlagte aktivitet er slettet."))
    return redirect("activities:calendar")


def with_edit_rights(events, user) -> list[PlannedEvent]:
    """The events, each marked (`can_edit`) with whether the user may change it."""
    events = list(events)
    for event in events:
        event.can_edit = event.is_editable_by(user)
    return events
