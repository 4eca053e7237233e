"""Residents' reports inside the portal: the list, a report's page, and its two
ends, a finding (routed as every finding is) or a decline with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import already_saved, save_guarded
from boligsocial.lists import page_of
from boligsocial.maps import map_base
from safety.walks.forms import FindingForm
from safety.walks.models import Finding
from safety.walks.notifications import notify_routed

from .access import get_report_for_user
from .forms import DeclineForm
from .models import ResidentReport
from .notifications import mail_update

PAGE_SIZE = 25


def _require_keeper(user) -> None:
    if not user.can_keep_findings:
        raise PermissionDenied


@login_required
@require_GET
def report_list(request):
    """Every report, newest first; "waiting" (the default) those not decided."""
    _require_keeper(request.user)
    reports = ResidentReport.objects.visible_to(request.user).for_list()
    shown = request.GET.get("vis", "waiting")
    if shown != "all":
        shown = "waiting"
        reports = reports.waiting()
    page, query = page_of(request, reports, PAGE_SIZE)
    context = {"page": page, "query": query, "shown": shown}
    return render(request, "safety/report_list.html", context)


@login_required
@require_GET
def report_detail(request, pk):
    report = get_report_for_user(request.user, pk)
    return _render_detail(request, report, DeclineForm())


def _render_detail(request, report, decline_form, status=200):
    context = {
        "report": report,
        "decline_form": decline_form,
        "public": report.public_status(),
        "can_decide": report.is_waiting and request.user.can_keep_findings,
        "map_base": map_base(request.user, area_id=report.area_id),
    }
    return render(request, "safety/report_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_to_finding(request, pk):
    """The finding form, filled in from the report; saving it sends the finding to
    the responsible organisation and tells the resident."""
    report = get_report_for_user(request.user, pk)
    if request.method == "POST" and (
        earlier := Finding.from_submission(request.POST.get("submission"))
    ):
        return already_saved(request, earlier, to=earlier)
    if not report.is_waiting:
        messages.info(request, _("Meldingen er allerede behandlet."))
        return redirect(report)
    finding = Finding(
        area=report.area, created_by=request.user, found_at=report.created_at
    )
    if request.method == "POST":
        form = FindingForm(request.POST, instance=finding, area=report.area)
        del form.fields["photo"]
        if form.is_valid():
            made = save_guarded(form, lambda: _accept(report, form, request.user))
            if made is None:
                messages.info(request, _("En anden har netop behandlet meldingen."))
                return redirect(report)
            messages.success(
                request,
                _("Meldingen er gjort til et fund og sendt til %(organisation)s.")
                % {"organisation": made.responsible},
            )
            return redirect(made)
    else:
        form = FindingForm(
            instance=finding,
            area=report.area,
            initial={
                "category": report.category_id,
                "description": report.description,
                "place": report.place,
                "latitude": report.latitude,
                "longitude": report.longitude,
            },
        )
        # Who normally fixes the category here, as the form's script would fill
        # it in had the category been chosen on the page.
        form.initial["responsible"] = form.routing.get(str(report.category_id))
        del form.fields["photo"]
    context = {
        "form": form,
        "report": report,
        "map_base": map_base(request.user, area_id=report.area_id),
    }
    return render(request, "safety/finding_form.html", context)


@transaction.atomic
def _accept(report: ResidentReport, form: FindingForm, user) -> Finding | None:
    """The finding saved, the report decided (unless someone was first: then
    nothing is saved), the finding sent on and the resident told."""
    finding = form.save()
    if not report.accept(finding, by=user):
        transaction.set_rollback(True)
        return None
    finding.change_status(to=Finding.Status.SENT, by=user, version=finding.version)
    notify_routed(finding)
    report.finding = finding
    mail_update(report)
    return finding


@login_required
@require_POST
def report_decline(request, pk):
    report = get_report_for_user(request.user, pk)
    _require_keeper(request.user)
    form = DeclineForm(request.POST)
    if not report.is_waiting:
        messages.info(request, _("Meldingen er allerede behandlet."))
        return redirect(report)
    if not form.is_valid():
        return _render_detail(request, report, form, status=400)
    with transaction.atomic():
        declined = report.decline(
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        if declined:
            mail_update(report)
    if declined:
        messages.success(request, _("Meldingen er afvist, og beboeren kan se hvorfor."))
    else:
        messages.info(request, _("En anden har netop behandlet meldingen."))
    return redirect(report)


@login_required
@require_GET
def report_photo(request, pk):
    return _serve(request, pk, thumbnail=False)


@login_required
@require_GET
def report_photo_thumb(request, pk):
    return _serve(request, pk, thumbnail=True)


def _serve(request, pk: int, *, thumbnail: bool) -> FileResponse:
    report = get_report_for_user(request.user, pk)
    field = report.thumbnail if thumbnail else report.image
    if not field:
        raise Http404
    try:
        file = field.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    suffix = "-thumb" if thumbnail else ""
    response = FileResponse(
        file,
        content_type="image/jpeg",
        filename=f"melding-{report.pk}-billede{suffix}.jpg",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
