"""The PDF status reports: asked for by a coordinator, built by the worker, and
downloaded only through the door. The page follows a run without reloading."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.lists import page_of, render_htmx

from . import services
from .access import get_run_for_user, require_report_requester
from .forms import ReportRequestForm
from .gains import unit_values_used
from .models import ReportRun, ReportSchedule

PAGE_SIZE = 20


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request):
    user = request.user
    require_report_requester(user)
    form = ReportRequestForm(
        request.POST or None, user=user, today=timezone.localdate()
    )
    if request.method == "POST" and form.is_valid():
        run, new = services.request_report(
            kind=form.cleaned_data["kind"],
            period=form.chosen_period(),
            areas=_areas(form),
            by=user,
            plan_period=form.cleaned_data.get("plan_period"),
        )
        if new:
            messages.success(request, _("Rapporten er bestilt og bygges nu."))
        else:
            messages.info(
                request, _("Den samme rapport er allerede ved at blive bygget.")
            )
        return redirect(run)
    runs = ReportRun.objects.visible_to(user).for_list()
    page, query = page_of(request, runs, PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "polling": any(run.is_active for run in page),
        "schedules": ReportSchedule.objects.select_related("owner", "plan_period"),
    }
    return render_htmx(request, "reports/run_list.html", context)


def _areas(form: ReportRequestForm):
    """The LBF report covers every area of its plan; the municipality's report the
    areas chosen (or all)."""
    if form.cleaned_data["kind"] == ReportRun.Kind.LBF:
        return list(form.cleaned_data["plan_period"].areas.all())
    return form.chosen_areas()


@login_required
@require_GET
def run_detail(request, pk):
    run = get_run_for_user(request.user, pk)
    context = {"run": run, "areas": run.areas.all()}
    if run.kind == ReportRun.Kind.MUNICIPALITY:
        context["unit_values"] = unit_values_used(run.figures)
    return render_htmx(request, "reports/run_detail.html", context, partial="status")


@login_required
@require_POST
def run_retry(request, pk):
    run = get_run_for_user(request.user, pk)
    if services.retry_report(run):
        messages.success(request, _("Rapporten bygges igen."))
    else:
        messages.info(
            request, _("Kun en rapport, der fejlede eller gik i stå, kan bygges igen.")
        )
    return redirect(run)


@login_required
@require_GET
def run_download(request, pk):
    run = get_run_for_user(request.user, pk)
    if run.status != ReportRun.Status.READY or not default_storage.exists(run.pdf.name):
        raise Http404
    return FileResponse(
        default_storage.open(run.pdf.name, "rb"),
        as_attachment=True,
        filename=run.download_name(),
        content_type="application/pdf",
    )
