"""The doors of the advice app: fetch and authorise in one call.

Need-to-know: only the advisors on a case see it. Another advisor and a
coordinator know a case exists (the team's list, the access log) and get 403;
everyone else cannot tell whether it exists (404). Every view and change of a
case is written to the access log by the views, through `log_access`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Case, EvictionReport

# The network's figures are kept from the year the portal's history begins.
FIRST_NETWORK_YEAR = 2015


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


def require_network_reader(user) -> None:
    if not user.can_see_eviction_network:
        raise PermissionDenied


def get_report_for_user(user, year: int) -> EvictionReport:
    """The user's own organisation's row for the year, new if there is none yet.
    Nobody reports for another organisation: there is no way to name one."""
    if not user.can_report_evictions:
        raise PermissionDenied
    if not FIRST_NETWORK_YEAR <= year <= timezone.localdate().year:
        raise Http404
    report = EvictionReport.objects.filter(
        organisation=user.organisation, year=year
    ).first()
    return report or EvictionReport(organisation=user.organisation, year=year)


def advice_links(user) -> list[tuple[str, str]]:
    """The other advice pages this person may open, for the page's own menu."""
    links = [
        (_("Sager"), "advice:case_list", user.is_advisor),
        (_("Åben rådgivning"), "advice:drop_in_list", user.is_advisor),
        (_("Rådgivningen i tal"), "advice:advice_figures", True),
        (_("Udsættelsesnetværket"), "advice:network", user.can_see_eviction_network),
        (_("Spørg om en sag"), "advice:case_lookup", user.can_look_up_cases),
        (_("Adgangslog"), "advice:access_log", user.can_read_access_log),
    ]
    return [(label, reverse(name)) for label, name, allowed in links if allowed]
