"""The doors of the advice app: fetch and authorise in one call.

Need-to-know: only the advisors on a case see it. Another advisor and a
coordinator know a case exists (the team's list, the access log) and get 403;
everyone else cannot tell whether it exists (404). Every view and change of a
case is written to the access log by the views, through `log_access`.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Case


def require_advisor(user) -> None:
    """Case lists, new cases and drop-in hours: the advice team only."""
    if not user.is_advisor:
        raise PermissionDenied


def require_access_log_reader(user) -> None:
    if not user.can_read_access_log:
        raise PermissionDenied


def get_case_for_user(user, pk: int, *, write: bool = False) -> Case:
    """A case the user works on. An anonymised case holds nobody and can no
    longer be changed."""
    case = get_object_or_404(
        Case.objects.known_to(user).select_related("household__department__area"),
        pk=pk,
    )
    if not case.is_worked_by(user):
        raise PermissionDenied
    if write and case.anonymised_at:
        raise PermissionDenied
    return case


def get_case_to_join(user, pk: int) -> Case:
    """A team case another advisor may join (with a reason, logged)."""
    require_advisor(user)
    case = get_object_or_404(
        Case.objects.select_related("household__department__area"), pk=pk
    )
    if case.anonymised_at:
        raise PermissionDenied
    return case
