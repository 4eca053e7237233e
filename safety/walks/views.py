"""Tryghedsvandringer: walks, the findings made on them, and their lifecycle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import (
    StaleEdit,
    already_saved,
    save_guarded,
    stale_action_message,
    stale_message,
)
from boligsocial.exports import list_download
from boligsocial.forms import whole_number
from boligsocial.lists import ListPaginator, page_of
from boligsocial.maps import map_base

from ..meldinger.notifications import mail_update, report_of
from . import exports
from .access import (
    get_finding_for_user,
    get_walk_for_user,
    require_finding_keeper,
    require_findings_reader,
)
from .forms import FindingForm, StatusForm, WalkForm
from .map_views import map_points, status_legend
from .models import Finding, Walk
from .notifications import notify_reporter, notify_routed, send_on
from .photos import add_photo

PAGE_SIZE = 25


# --- Walks ---------------------------------------------------------------------------


@login_required
@require_GET
def walk_list(request):
    """Planned walks ahead, then those held: shared with the partners of the area."""
    walk_filter = exports.walk_rows(request.user, request.GET)
    walks = walk_filter.qs
    now = timezone.now()
    page, query = page_of(
        request,
        walks.exclude(starts_at__gte=now, status=Walk.Status.PLANNED),
        PAGE_SIZE,
    )
    context = {
        "filter": walk_filter,
        "planned": walks.filter(
            status=Walk.Status.PLANNED, starts_at__gte=now
        ).order_by("starts_at")[:10],
        "page": page,
        "query": query,
        "can_keep": request.user.can_keep_findings,
        "can_see_findings": request.user.can_see_findings,
    }
    return render(request, "safety/walk_list.html", context)


@login_required
@require_GET
def walk_export(request, fmt):
    return list_download(request, fmt, exports.WALKS)


@login_required
@require_GET
def walk_detail(request, pk):
    walk = get_walk_for_user(request.user, pk)
    findings = Finding.objects.visible_to(request.user).filter(walk=walk).for_list()
    recheck = Finding.objects.none()
    if request.user.can_keep_findings:
        recheck = Finding.objects.due_for_recheck(
            area=walk.area, day=timezone.localdate(walk.starts_at)
        )
    points = map_points(findings, today=timezone.localdate())
    context = {
        "walk": walk,
        "organisations": walk.organisations.all(),
        "findings": findings,
        "recheck": recheck,
        "can_keep": request.user.can_keep_findings,
        "points": points,
        # Its own route leads nowhere: the page is the walk's.
        "routes": [{"line": walk.route_line, "label": str(walk)}]
        if walk.route_line
        else [],
        "map_base": map_base(request.user, area_id=walk.area_id)
        if points or walk.route_line
        else None,
        "legend": status_legend(),
    }
    return render(request, "safety/walk_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def walk_create(request):
    require_finding_keeper(request.user)
    return _walk_form(request, Walk(created_by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def walk_edit(request, pk):
    return _walk_form(request, get_walk_for_user(request.user, pk, write=True))


def _walk_form(request, walk: Walk):
    if request.method == "POST":
        if not walk.pk and (
            earlier := Walk.from_submission(request.POST.get("submission"))
        ):
            return already_saved(request, earlier)
        form = WalkForm(request.POST, instance=walk)
        if form.is_valid() and (saved := save_guarded(form)):
            messages.success(request, _("Vandringen er gemt."))
            return redirect(saved)
    else:
        initial = {"area": request.user.areas.first()} if not walk.pk else {}
        form = WalkForm(instance=walk, initial=initial)
    context = {"form": form, "walk": walk, "map_base": map_base(request.user)}
    return render(request, "safety/walk_form.html", context)


# --- Findings -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request, pk):
    """A finding on a walk, typed on a phone while walking; "save and add another"
    brings a fresh form for the next one."""
    walk = get_walk_for_user(request.user, pk, write=True)
    finding = Finding(walk=walk, created_by=request.user)
    if request.method == "POST":
        if earlier := Finding.from_submission(request.POST.get("submission")):
            return already_saved(request, earlier, to=walk)
        form = FindingForm(
            request.POST, request.FILES, instance=finding, area=walk.area
        )
        if form.is_valid():
            finding = save_guarded(form, lambda: _save_new_finding(form, request.user))
            messages.success(
                request,
                _("Fundet er gemt og sendt til %(organisation)s.")
                % {"organisation": finding.responsible},
            )
            if "another" in request.POST:
                return redirect("safety:finding_create", pk=walk.pk)
            return redirect(walk)
    else:
        form = FindingForm(instance=finding, area=walk.area)
    return _render_finding_form(request, {"form": form, "walk": walk})


@transaction.atomic
def _save_new_finding(form: FindingForm, user) -> Finding:
    """Save the finding and its photo, and send it to the responsible organisation
    at once: it is "new" only for the moment between."""
    finding = form.save()
    if photo := form.cleaned_data.get("photo"):
        add_photo(finding=finding, upload=photo, by=user)
    send_on(finding, by=user)
    return finding


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request, pk):
    """Correct a finding or route it elsewhere (keepers); a change made meanwhile by
    someone else is not overwritten."""
    finding = get_finding_for_user(request.user, pk, write=True)
    require_finding_keeper(request.user)
    responsible = finding.responsible_id
    if request.method == "POST":
        form = FindingForm(request.POST, instance=finding, area=finding.area)
        if form.is_valid() and save_guarded(
            form, lambda: _save_edit(form, responsible)
        ):
            messages.success(request, _("Fundet er gemt."))
            return redirect(finding)
    else:
        form = FindingForm(instance=finding, area=finding.area)
    context = {"form": form, "finding": finding, "walk": finding.walk}
    return _render_finding_form(request, context)


def _save_edit(form: FindingForm, responsible_id: int) -> Finding:
    """Save the edit; mail a new responsible organisation."""
    finding = form.save()
    if finding.responsible_id != responsible_id:
        notify_routed(finding)
    return finding


def _render_finding_form(request, context: dict):
    context["map_base"] = map_base(request.user, area_id=context["walk"].area_id)
    return render(request, "safety/finding_form.html", context)


@login_required
@require_GET
def finding_detail(request, pk):
    finding = get_finding_for_user(request.user, pk)
    form = StatusForm(finding=finding, user=request.user)
    return render_finding_detail(request, finding, form)


@login_required
@require_POST
def finding_status(request, pk):
    finding = get_finding_for_user(request.user, pk, write=True)
    form = StatusForm(request.POST, finding=finding, user=request.user)
    if "revise" in request.POST:  # from the confirmation: the form as it was filled
        return render_finding_detail(request, finding, form)
    if form.is_valid() and form.needs_confirmation:
        return render_finding_detail(request, finding, form, confirm=form.summary())
    if form.is_valid():
        data = form.cleaned_data
        try:
            finding.change_status(
                to=data["to"],
                by=request.user,
                version=data["version"],
                note=data["note"],
                reason=data["reason"],
                passed_to=data["passed_to"],
                duplicate_of=data["duplicate_of"],
                recheck_on=data["recheck_on"],
            )
        except StaleEdit:
            form.add_error(None, stale_message())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if data["to"] == Finding.Status.SENT:
                notify_routed(finding)
            notify_reporter(finding, by=request.user)
            mail_update(report_of(finding))
            messages.success(
                request,
                _("Status er nu »%(status)s«.")
                % {"status": finding.get_status_display()},
            )
            return redirect(finding)
    finding.refresh_from_db()
    return render_finding_detail(request, finding, form, status=400)


@login_required
@require_POST
def finding_confirm_fix(request, pk):
    """On a later walk: the fix holds. Back to the walk the person is on."""
    finding = get_finding_for_user(request.user, pk, write=True)
    require_finding_keeper(request.user)
    try:
        finding.confirm_fix(by=request.user, version=_int(request.POST.get("version")))
    except StaleEdit:
        messages.error(request, stale_action_message())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Udbedringen er bekræftet."))
    walk = Walk.objects.visible_to(request.user).filter(
        pk=_int(request.POST.get("walk"))
    )
    return redirect(walk.first() or finding)


def _int(value) -> int:
    return whole_number(value) or 0


def render_finding_detail(
    request,
    finding: Finding,
    form: StatusForm,
    status: int = 200,
    *,
    photo_errors: list[str] | None = None,
    confirm: dict | None = None,
):
    """The finding's page; photo_errors: why a photo just sent was refused, shown
    under the photo field; confirm: the status change chosen, to be confirmed."""
    user = request.user
    walks = Walk.objects.visible_to(user).filter(pk=finding.walk_id)
    context = {
        "finding": finding,
        # A partner sees a finding routed to it anywhere, but walks only in its
        # areas: no link that would end on "not found".
        "walk": finding.walk if finding.walk_id and walks.exists() else None,
        "events": finding.events.select_related("by"),
        "photos": finding.photos.all(),
        "form": form,
        "can_change": user.can_see_findings,
        "can_edit": user.can_keep_findings,
        "can_add_photo": user.can_see_findings,
        "photo_errors": photo_errors or [],
        "is_overdue": finding.is_overdue(),
        "confirm": confirm,
        # Made from a resident's report: keepers may open the report, a partner
        # learns only that a resident reported it.
        "from_resident": getattr(finding, "resident_report", None) is not None,
    }
    return render(request, "safety/finding_detail.html", context, status=status)


@login_required
@require_GET
def finding_export(request, fmt):
    """The findings list's (the map's) rows under its filter."""
    return list_download(request, fmt, exports.FINDINGS)


@login_required
@require_GET
def finding_worklist(request):
    """What is waiting: a partner's findings routed to it, a keeper's all open ones;
    overdue first."""
    user = request.user
    require_findings_reader(user)
    today = timezone.localdate()
    findings = (
        Finding.objects.visible_to(user)
        .open()
        .for_list()
        .order_by(F("due_date").asc(nulls_last=True), "found_at")
    )
    page = ListPaginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "today": today}
    return render(request, "safety/finding_worklist.html", context)
