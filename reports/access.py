"""The doors of the reports: dashboards for every signed-in role (partners for
their own areas), report runs and their PDFs for coordinators and admins only."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import ReportRun, ReportSchedule


def require_dashboard_reader(user) -> None:
    if not user.can_see_dashboards:
        raise PermissionDenied


def require_report_requester(user) -> None:
    """The PDF reports leave the portal: coordinators and admins only."""
    if not user.can_request_reports:
        raise PermissionDenied


def get_run_for_user(user, pk: int) -> ReportRun:
    """A run the user may see and use; other roles are refused (403) before the
    run is looked up, so they never learn which runs exist."""
    require_report_requester(user)
    return get_object_or_404(ReportRun.objects.visible_to(user), pk=pk)


def get_schedule_for_user(user, pk: int) -> ReportSchedule:
    """A schedule the user may keep: like the runs, refused (403) to other roles
    before it is looked up."""
    require_report_requester(user)
    return get_object_or_404(ReportSchedule.objects.visible_to(user), pk=pk)
