"""The beredskab's lists as CSV or Excel (boligsocial.exports): incidents,
contacts, the network's meetings and their follow-up tasks, each under its list's
filter and door."""

from types import SimpleNamespace

import tablib
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boligsocial import spreadsheets
from boligsocial.exports import ListExport, Unfiltered, register

from .access import (
    require_incident_handler,
    require_incident_reader,
    require_network_reader,
)
from .filters import ContactFilter, IncidentFilter, TaskFilter
from .models import Contact, FollowUpTask, Incident, NetworkMeeting

# --- Incidents ------------------------------------------------------------------------


def incident_rows(user, data) -> IncidentFilter:
    """A partner's: those its organisation was told of (Incident.visible_to)."""
    incidents = Incident.objects.visible_to(user).for_list()
    return IncidentFilter(data, queryset=incidents, request=SimpleNamespace(user=user))


def incidents_dataset(incidents) -> tablib.Dataset:
    headers = [
        _("Nummer"),
        _("Tidspunkt"),
        _("Overskrift"),
        _("Type"),
        _("Område"),
        _("Sted"),
        _("Alvorlighed"),
        _("Hvem fortalte det"),
        _("Beskrivelse"),
        _("Status"),
        _("Afsluttet"),
        _("Underretninger sendt"),
        _("Underretninger venter"),
        _("Underretninger fejlet"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Hændelser"))
    for i in incidents:
        data.append(
            [
                i.pk,
                timezone.localtime(i.occurred_at),
                i.title,
                i.get_kind_display(),
                i.area.name,
                i.place,
                i.get_severity_display(),
                i.get_reported_by_display(),
                i.description,
                i.get_status_display(),
                timezone.localtime(i.closed_at) if i.closed_at else None,
                i.notifications_sent,
                i.notifications_pending,
                i.notifications_failed,
            ]
        )
    return data


INCIDENTS = register(
    ListExport(
        name="safety.incidents",
        title=gettext_lazy("Hændelser"),
        filename="haendelser",
        back="safety:incident_list",
        allowed=require_incident_reader,
        filtered=incident_rows,
        dataset=incidents_dataset,
    )
)


# --- Contacts -------------------------------------------------------------------------


def contacts_dataset(contacts) -> tablib.Dataset:
    headers = [
        _("Organisation"),
        _("Område"),
        _("Navn"),
        _("Rolle"),
        _("Telefon"),
        _("E-mail"),
        _("Stedfortræder"),
        _("Rækkefølge"),
        _("Note"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Kontaktlister"))
    for c in contacts:
        data.append(
            [
                c.organisation.name,
                c.area.name if c.area_id else _("Alle områder"),
                c.name,
                c.role,
                spreadsheets.phone_text(c.phone),
                c.email,
                c.stand_in.name if c.stand_in_id else "",
                c.rank,
                c.note,
            ]
        )
    return data


CONTACTS = register(
    ListExport(
        name="safety.contacts",
        title=gettext_lazy("Kontaktlister"),
        filename="kontaktlister",
        back="safety:contact_list",
        allowed=require_incident_handler,
        filtered=lambda user, data: ContactFilter(
            data, queryset=Contact.objects.for_list()
        ),
        dataset=contacts_dataset,
    )
)


# --- The network: meetings and their follow-up tasks ------------------------------


def meetings_dataset(meetings) -> tablib.Dataset:
    """meetings: for_list() rows (areas and organisations loaded, open tasks)."""
    headers = [
        _("Dato"),
        _("Forum"),
        _("Områder"),
        _("Organisationer"),
        _("Deltagere"),
        _("Dagsorden"),
        _("Beslutninger"),
        _("Åbne opgaver"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Netværksmøder"))
    for m in meetings:
        data.append(
            [
                m.held_on,
                m.forum,
                ", ".join(sorted(a.name for a in m.areas.all())),
                ", ".join(sorted(o.name for o in m.organisations.all())),
                m.participants,
                m.agenda,
                m.decisions,
                m.open_tasks,
            ]
        )
    return data


MEETINGS = register(
    ListExport(
        name="safety.meetings",
        title=gettext_lazy("Netværksmøder"),
        filename="netvaerksmoeder",
        back="safety:meeting_list",
        allowed=require_network_reader,
        filtered=lambda user, data: Unfiltered(
            NetworkMeeting.objects.visible_to(user).for_list()
        ),
        dataset=meetings_dataset,
    )
)


def task_rows(user, data) -> TaskFilter:
    """The network's tasks the person sees, the nearest due first; a partner's own
    organisation's before the rest."""
    tasks = FollowUpTask.objects.visible_to(user).for_list()
    if user.is_partner:
        own_first = Case(
            When(owner_id=user.organisation_id, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        tasks = tasks.alias(own_first=own_first).order_by("own_first", "due_on", "pk")
    return TaskFilter(data, queryset=tasks)


def tasks_dataset(tasks) -> tablib.Dataset:
    """tasks: for_list() rows (owner, meeting, done_by)."""
    headers = [
        _("Opgave"),
        _("Ansvarlig organisation"),
        _("Ansvarlig person"),
        _("Frist"),
        _("Udført"),
        _("Møde"),
        _("Mødedato"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Opfølgning"))
    for t in tasks:
        data.append(
            [
                t.description,
                t.owner.name,
                t.owner_name,
                t.due_on,
                t.done_on,
                t.meeting.forum,
                t.meeting.held_on,
            ]
        )
    return data


TASKS = register(
    ListExport(
        name="safety.tasks",
        title=gettext_lazy("Opfølgningsopgaver"),
        filename="opfoelgningsopgaver",
        back="safety:task_list",
        allowed=require_network_reader,
        filtered=task_rows,
        dataset=tasks_dataset,
    )
)
