"""The doors of the activities app: fetch and authorise in one call.

Can't see it: 404 (its existence is not revealed). Can see but not change: 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Activity, ActivityRecord, PlannedEvent, YearStatus


def require_logger(user) -> None:
    """Staff, advisors, tryghedsrådgivere and coordinators log; partners do not."""
    if not user.can_log_activities:
        raise PermissionDenied


def require_coordinator(user) -> None:
    if not user.can_edit_all_records:
        raise PermissionDenied


def get_activity_for_user(user, pk: int) -> Activity:
    """The plan's activities are shared language: every signed-in role reads them."""
    return get_object_or_404(Activity.objects.for_detail(), pk=pk)


def get_record_for_user(user, pk: int, *, write: bool = False) -> ActivityRecord:
    record = get_object_or_404(
        ActivityRecord.objects.visible_to(user).select_related("activity"), pk=pk
    )
    if write and not record.is_editable_by(user):
        raise PermissionDenied
    return record


def require_event_planner(user) -> None:
    """Those who log activities, and partners for their own organisation."""
    if not PlannedEvent.may_be_planned_by(user):
        raise PermissionDenied


def get_event_for_user(user, pk: int, *, write: bool = False) -> PlannedEvent:
    """Everyone sees the events of the areas they see; `write`: its author or a
    coordinator, or a partner of the organiser (change, cancel; delete is the
    view's narrower check, `is_deletable_by`)."""
    event = get_object_or_404(PlannedEvent.objects.visible_to(user), pk=pk)
    if write and not event.is_managed_by(user):
        raise PermissionDenied
    return event


def get_year_status_for_user(user, activity, year: int, *, write: bool = False):
    """The activity's status text for a plan year (unsaved when none is written).

    A year outside the plan is not found. Writing needs a role that logs
    activities, and a year that is not approved and locked.
    """
    if year not in activity.focus_area.plan_period.years:
        raise Http404
    status = activity.year_statuses.filter(year=year).first() or YearStatus(
        activity=activity, year=year
    )
    if write and (not user.can_log_activities or status.is_locked):
        raise PermissionDenied
    return status
