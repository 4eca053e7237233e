"""Beredskab: the incidents, their timeline, and the partners told of them.

Handlers (staff, tryghedsrådgivere, coordinators) open incidents, add to their
timeline and tell partners; the leads close them with an evaluation. A partner
reads the incidents its organisation was told of, in its own areas. Notifying
more organisations has its own small page (GET shows the form, POST sends);
the incident page links to it.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import already_saved, save_guarded
from boligsocial.exports import list_download
from boligsocial.lists import page_of, render_htmx

from . import exports
from .access import (
    beredskab_links,
    get_incident_for_user,
    get_notification_for_user,
    require_incident_handler,
    require_incident_reader,
)
from .filters import IncidentFilter
from .incident_forms import (
    CloseForm,
    EntryForm,
    IncidentForm,
    NewIncidentForm,
    NotifyForm,
)
from .models import Incident, IncidentEntry, IncidentNotification
from .services import notify_organisations, open_incident, retry_notification

PAGE_SIZE = 25


# --- The list -----------------------------------------------------------------------


@login_required
@require_GET
def incident_list(request):
    """Newest first; a partner sees those its organisation was told of."""
    require_incident_reader(request.user)
    incidents = Incident.objects.visible_to(request.user).for_list()
    incident_filter = IncidentFilter(request.GET, queryset=incidents, request=request)
    page, query = page_of(request, incident_filter.qs, PAGE_SIZE)
    context = {
        "filter": incident_filter,
        "page": page,
        "query": query,
        "links": beredskab_links(request.user),
        "can_create": request.user.can_handle_incidents,
    }
    return render_htmx(request, "safety/incident_list.html", context)


@login_required
@require_GET
def incident_export(request, fmt):
    return list_download(request, fmt, exports.INCIDENTS)


# --- Opening and correcting ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    require_incident_handler(request.user)
    return _incident_form(request, Incident())


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request, pk):
    return _incident_form(request, get_incident_for_user(request.user, pk, write=True))


def _incident_form(request, incident: Incident):
    """A new incident is saved with its notifications (queued once it commits);
    an edit changes the incident's facts only."""
    form_class = IncidentForm if incident.pk else NewIncidentForm
    if request.method == "POST":
        token = request.POST.get("submission")
        if not incident.pk and (earlier := Incident.from_submission(token)):
            return already_saved(request, earlier)
        form = form_class(request.POST, instance=incident)
        if form.is_valid():
            if incident.pk:
                if save_guarded(form) is None:  # changed by someone meanwhile
                    return _render_form(request, form, incident)
                messages.success(request, _("Hændelsen er gemt."))
            else:
                organisations = list(form.cleaned_data["organisations"])
                incident = save_guarded(
                    form,
                    lambda: open_incident(
                        incident=form.save(commit=False),
                        organisations=organisations,
                        by=request.user,
                    ),
                )
                messages.success(request, _opened_message(len(organisations)))
            return redirect(incident)
    else:
        form = form_class(instance=incident)
    return _render_form(request, form, incident)


def _render_form(request, form, incident: Incident):
    context = {
        "form": form,
        "incident": incident,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/incident_form.html", context)


def _opened_message(count: int) -> str:
    if not count:
        return _(
            "Hændelsen er oprettet. Ingen organisationer er underrettet; det kan "
            "du gøre fra hændelsens side."
        )
    return ngettext(
        "Hændelsen er oprettet, og %(count)d organisation underrettes nu.",
        "Hændelsen er oprettet, og %(count)d organisationer underrettes nu.",
        count,
    ) % {"count": count}


# --- The incident page and its timeline ---------------------------------------------


@dataclass(frozen=True)
class Moment:
    """One line of the timeline: the incident itself, a partner told, an entry,
    or the closing."""

    at: datetime.datetime
    kind: str
    entry: IncidentEntry | None = None
    notification: IncidentNotification | None = None


# Of two moments at the same minute, the one earlier in this list comes first.
MOMENT_ORDER = ["occurred", "opened", "notified", "entry", "closed"]


def timeline(
    incident: Incident,
    notifications: list[IncidentNotification],
    entries: list[IncidentEntry],
) -> list[Moment]:
    """The incident's story in time order, from rows already loaded (no queries)."""
    moments = [
        Moment(incident.occurred_at, "occurred"),
        Moment(incident.created_at, "opened"),
        *(
            Moment(n.sent_at, "notified", notification=n)
            for n in notifications
            if n.sent_at
        ),
        *(Moment(e.happened_at, "entry", entry=e) for e in entries),
    ]
    if incident.closed_at:
        moments.append(Moment(incident.closed_at, "closed"))
    # A stable sort: entries at the same time keep the order they were written in.
    return sorted(moments, key=lambda m: (m.at, MOMENT_ORDER.index(m.kind)))


@login_required
@require_GET
def incident_detail(request, pk):
    incident = get_incident_for_user(request.user, pk)
    return _render_detail(request, incident, entry_form=EntryForm())


def _render_detail(request, incident: Incident, *, entry_form: EntryForm):
    """The facts, who was told, the timeline; the forms for those who may write.
    Three queries however long the timeline: incident, notifications, entries."""
    user = request.user
    notifications = list(
        incident.notifications.select_related("organisation").order_by(
            "organisation__name"
        )
    )
    entries = list(incident.entries.select_related("created_by"))
    context = {
        "incident": incident,
        "notifications": notifications,
        "timeline": timeline(incident, notifications, entries),
        "entry_form": entry_form,
        "links": beredskab_links(user),
        # Recipients' addresses and mail errors are for BoligSocialt Hus only: a
        # partner does not see another organisation's people.
        "can_handle": user.can_handle_incidents,
        "can_write": user.can_handle_incidents and incident.is_open,
        "can_lead": user.can_lead_beredskab,
    }
    return render(request, "safety/incident_detail.html", context)


@login_required
@require_POST
def entry_create(request, pk):
    incident = get_incident_for_user(request.user, pk, write=True)
    timeline_url = incident.get_absolute_url() + "#timeline"
    if IncidentEntry.from_submission(request.POST.get("submission")):
        return already_saved(request, incident, to=timeline_url)
    entry = IncidentEntry(incident=incident, created_by=request.user)
    form = EntryForm(request.POST, instance=entry)
    if form.is_valid() and save_guarded(form):
        messages.success(request, _("Punktet er føjet til tidslinjen."))
        return redirect(timeline_url)
    return _render_detail(request, incident, entry_form=form)


# --- Telling partners ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_notify(request, pk):
    """Tell more organisations; those told already are not offered again."""
    incident = get_incident_for_user(request.user, pk, write=True)
    told = list(incident.notifications.values_list("organisation_id", flat=True))
    if request.method == "POST":
        form = NotifyForm(request.POST, incident=incident, told=told)
        if form.is_valid():
            notifications = notify_organisations(
                incident=incident,
                organisations=list(form.cleaned_data["organisations"]),
                by=request.user,
            )
            count = len(notifications)
            messages.success(
                request,
                ngettext(
                    "%(count)d organisation mere underrettes nu.",
                    "%(count)d organisationer mere underrettes nu.",
                    count,
                )
                % {"count": count},
            )
            return redirect(incident)
    else:
        form = NotifyForm(incident=incident, told=told)
    context = {
        "form": form,
        "incident": incident,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/incident_notify.html", context)


@login_required
@require_POST
def notification_retry(request, pk, notification_pk):
    """Try a failed notification again; one pending or sent needs no retry."""
    incident, notification = get_notification_for_user(
        request.user, pk, notification_pk
    )
    names = {"organisation": notification.organisation}
    try:
        retry_notification(notification=notification)
    except ValidationError:
        messages.info(
            request,
            _(
                "Underretningen af %(organisation)s er ikke fejlet, så der er intet "
                "at prøve igen."
            )
            % names,
        )
    else:
        messages.success(
            request, _("Underretningen af %(organisation)s prøves igen nu.") % names
        )
    return redirect(incident)


# --- Closing and reopening ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_close(request, pk):
    """Close with an evaluation (the leads); an evaluation written before a
    reopening is offered for revision."""
    incident = get_incident_for_user(request.user, pk, write=True, lead=True)
    if request.method == "POST":
        form = CloseForm(request.POST)
        if form.is_valid():
            incident.close(by=request.user, evaluation=form.cleaned_data["evaluation"])
            messages.success(request, _("Hændelsen er afsluttet."))
            return redirect(incident)
    else:
        form = CloseForm(initial={"evaluation": incident.evaluation})
    context = {
        "form": form,
        "incident": incident,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/incident_close.html", context)


@login_required
@require_POST
def incident_reopen(request, pk):
    incident = get_incident_for_user(request.user, pk, lead=True)
    if incident.is_open:
        messages.info(request, _("Hændelsen er allerede åben."))
        return redirect(incident)
    try:
        incident.reopen()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Hændelsen er genåbnet; tidslinjen kan skrives videre.")
        )
    return redirect(incident)
