"""Residents' reports inside the portal: the list, a report's page, and its two
ends, a finding (routed as every finding is) or a decline with a reason."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import already_saved, save_guarded
from boligsocial.lists import page_of
from boligsocial.maps import map_base
from safety.walks.access import require_finding_keeper
from safety.walks.forms import FindingForm
from safety.walks.models import Finding
from safety.walks.notifications import send_on
from safety.walks.photo_views import jpeg_response

from .access import get_report_for_user
from .forms import DeclineForm
from .models import ResidentReport
from .notifications import mail_update

PAGE_SIZE = 25


@login_required
@require_GET
def report_list(request):
    """Every report, newest first; "waiting" (the default) those not decided."""
    require_finding_keeper(request.user)
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
        "can_decide": report.is_waiting,
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
        form = _finding_form(report, request.POST, instance=finding, area=report.area)
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
        form = _finding_form(
            report,
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
    context = {
        "form": form,
        "report": report,
        "map_base": map_base(request.user, area_id=report.area_id),
    }
    return render(request, "safety/finding_form.html", context)


def _finding_form(report: ResidentReport, *args, **kwargs) -> FindingForm:
    """The finding form without a photo of its own: the report's goes along,
    unless the tryghedsrådgiver keeps it back."""
    form = FindingForm(*args, **kwargs)
    del form.fields["photo"]
    if report.image:
        form.fields["keep_photo"] = forms.BooleanField(
            label=gettext_lazy("Beboerens billede følger med fundet"),
            help_text=gettext_lazy(
                "Den ansvarlige organisation kan se det. Fjern krydset, hvis det "
                "viser folk."
            ),
            required=False,
            initial=True,
        )
    return form


@transaction.atomic
def _accept(report: ResidentReport, form: FindingForm, user) -> Finding | None:
    """The finding saved, the report decided (unless someone was first: then
    nothing is saved), the finding sent on and the resident told."""
    finding = form.save()
    keep_photo = form.cleaned_data.get("keep_photo", False)
    if not report.accept(finding, by=user, keep_photo=keep_photo):
        transaction.set_rollback(True)
        return None
    send_on(finding, by=user)
    mail_update(report)
    return finding


@login_required
@require_POST
def report_decline(request, pk):
    report = get_report_for_user(request.user, pk)
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
    report = get_report_for_user(request.user, pk)
    return jpeg_response(report.image, f"melding-{report.pk}-billede.jpg")


@login_required
@require_GET
def report_photo_thumb(request, pk):
    report = get_report_for_user(request.user, pk)
    return jpeg_response(report.thumbnail, f"melding-{report.pk}-billede-thumb.jpg")
