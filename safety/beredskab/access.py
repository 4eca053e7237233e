"""The doors of the beredskab: incidents and their notifications, contacts,
network meetings and their tasks. Fetch and authorise in one call.

Can't see it: 404 (its existence is not revealed). Can see but not change: 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import (
    Contact,
    FollowUpTask,
    Incident,
    IncidentNotification,
    NetworkMeeting,
)


def beredskab_links(user) -> list[tuple[str, str]]:
    """The beredskab pages this person may open, for the pages' own menu."""
    links = [
        (_("Hændelser"), "safety:incident_list", user.can_see_incidents),
        (_("Kontaktlister"), "safety:contact_list", user.can_handle_incidents),
        (_("Netværksmøder"), "safety:meeting_list", user.can_see_network),
        (_("Opfølgning"), "safety:task_list", user.can_see_network),
        (_("Beredskab i tal"), "safety:beredskab_figures", user.can_see_incidents),
    ]
    return [(label, reverse(name)) for label, name, allowed in links if allowed]


def require_incident_reader(user) -> None:
    """The incident list: handlers see all, a partner those it was told of."""
    if not user.can_see_incidents:
        raise PermissionDenied


def require_incident_handler(user) -> None:
    """Opening incidents: staff, tryghedsrådgivere, coordinators."""
    if not user.can_handle_incidents:
        raise PermissionDenied


def require_beredskab_lead(user) -> None:
    """Keeping the contact lists and the network's meetings: tryghedsrådgivere and
    coordinators."""
    if not user.can_lead_beredskab:
        raise PermissionDenied


def require_network_reader(user) -> None:
    """The network's lists: the incident roles, and partners for the meetings their
    organisation took part in."""
    if not user.can_see_network:
        raise PermissionDenied


def get_incident_for_user(
    user, pk: int, *, write: bool = False, lead: bool = False
) -> Incident:
    """An incident the user may see; a partner not told of it cannot tell it exists.
    `write` (edit, timeline, notify): handlers, and only while it is open (reopen
    first). `lead` (close, reopen): tryghedsrådgivere and coordinators."""
    incident = get_object_or_404(
        Incident.objects.visible_to(user).select_related(
            "area", "created_by", "closed_by"
        ),
        pk=pk,
    )
    if write and not (user.can_handle_incidents and incident.is_open):
        raise PermissionDenied
    if lead and not user.can_lead_beredskab:
        raise PermissionDenied
    return incident


def get_notification_for_user(user, pk: int, notification_pk: int):
    """A notification of an incident the user may change (to retry it)."""
    incident = get_incident_for_user(user, pk)
    if not user.can_handle_incidents:
        raise PermissionDenied
    notification = get_object_or_404(
        IncidentNotification.objects.select_related("organisation"),
        pk=notification_pk,
        incident=incident,
    )
    return incident, notification


def get_contact_for_user(user, pk: int) -> Contact:
    """Contacts are read by the incident handlers and changed by the leads; other
    roles cannot tell whether one exists."""
    if not user.can_handle_incidents:
        raise Http404
    contact = get_object_or_404(
        Contact.objects.select_related("organisation", "area", "stand_in"), pk=pk
    )
    if not user.can_lead_beredskab:
        raise PermissionDenied
    return contact


def get_meeting_for_user(user, pk: int, *, write: bool = False) -> NetworkMeeting:
    """A network meeting: BoligSocialt Hus's incident roles and the organisations
    that took part see it; the leads change it."""
    meeting = get_object_or_404(
        NetworkMeeting.objects.visible_to(user).select_related("created_by"), pk=pk
    )
    if write and not user.can_lead_beredskab:
        raise PermissionDenied
    return meeting


def get_task_for_user(
    user, pk: int, *, write: bool = False, mark: bool = False
) -> FollowUpTask:
    """A follow-up task of a meeting the user sees. `write` (edit): the leads;
    `mark` (done or not): the leads and the owning organisation's people."""
    task = get_object_or_404(
        FollowUpTask.objects.visible_to(user).select_related(
            "meeting", "owner", "done_by"
        ),
        pk=pk,
    )
    if write and not user.can_lead_beredskab:
        raise PermissionDenied
    if mark and not task.can_be_done_by(user):
        raise PermissionDenied
    return task
