"""Meld et problem: the residents' page per area (no login, linked from the
poster and the sign-up page), and the private status page of each report.

Held off like the sign-up page: a field people never see, a limit on
submissions per address (a throttled resident keeps what they typed), and a
token that makes a form sent twice one report.
"""

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from boligsocial.maps import map_base
from boligsocial.models import Area

from ..public import over_rate, token_for, words
from .forms import ResidentReportForm
from .models import ResidentReport
from .notifications import mail_received, notify_keepers


# Never kept by the browser: a page brought back with Back (on a shared computer,
# the next resident's) would carry the last form's token.
@never_cache
@require_http_methods(["GET", "POST"])
def report_public(request, slug):
    area = get_object_or_404(Area, slug=slug)
    throttled = False
    if request.method == "POST":
        data = request.POST
        throttled = over_rate(request, "resident-report")
        earlier = _sent_before(data)
        if earlier is False:
            # The token of a form sent before, with another report in it: a
            # report of its own (public.token_for), not the old one's page.
            data = data.copy()
            data["submission"] = token_for(
                data["submission"], data.get("description", "")
            )
            earlier = ResidentReport.from_submission(data["submission"])
        if earlier and not throttled:
            return _to_status(earlier)
        form = ResidentReportForm(data, request.FILES, area=area)
        if not throttled:
            if form.is_bot:
                return redirect("meld:thanks", slug=area.slug)
            if form.is_valid():
                return _to_status(_save(request, form))
    else:
        form = ResidentReportForm(area=area)
    return _page(request, area, form, throttled=throttled)


def _sent_before(data) -> "ResidentReport | bool | None":
    """The report this very form made already (sent twice): the report; False
    when its token made another report (a page brought back and filled in anew);
    None when the token is new."""
    earlier = ResidentReport.from_submission(data.get("submission"))
    if earlier is None:
        return None
    same = words(data.get("description", "")) == words(earlier.description)
    return earlier if same else False


@never_cache
def _report_again(request, slug):
    """The report refused by the CSRF check (boligsocial.views.csrf_failure):
    nothing saved, the form again with what the resident typed and why."""
    area = get_object_or_404(Area, slug=slug)
    form = ResidentReportForm(request.POST, area=area)
    return _page(request, area, form, refused=True)


report_public.csrf_failure = _report_again


def _page(request, area, form, *, throttled=False, refused=False):
    context = {
        "area": area,
        "form": form,
        "map_base": map_base(None, area_id=area.pk),
        "streets": area.street_names(),
        "throttled": throttled,
        "refused": refused,
    }
    status = 429 if throttled else 403 if refused else 200
    return render(request, "safety/report_public.html", context, status=status)


def _save(request, form: ResidentReportForm) -> ResidentReport:
    try:
        with transaction.atomic():
            report = form.save_new()
            notify_keepers(report)
            if report.email:
                mail_received(report, request=request)
    except IntegrityError:
        # The same form sent twice at the same moment: the other one was saved.
        earlier = ResidentReport.from_submission(form.cleaned_data.get("submission"))
        if earlier is None:
            raise
        return earlier
    return report


def _to_status(report: ResidentReport):
    """On to the report's status page, which thanks and shows the link to keep."""
    url = report.status_url() + "?tak=1"
    if (language := translation.get_language()) != "da":
        url += f"&lang={language}"
    return redirect(url)


@never_cache
@require_GET
def report_thanks(request, slug):
    """Where a bot is sent: thanks, and nothing saved."""
    area = get_object_or_404(Area, slug=slug)
    return render(request, "safety/report_thanks.html", {"area": area})


@never_cache
@require_GET
def report_status(request, key):
    """The resident's private page: where their report has got to. The link is
    the key. The page shows what was reported and where (the place typed or the
    point), never the resident's e-mail or photo, nor a staff member's name."""
    report = ResidentReport.by_status_key(key)
    if report is None:
        response = render(request, "safety/report_status_gone.html", status=404)
    else:
        context = {
            "report": report,
            "status": report.public_status(),
            "thanks": request.GET.get("tak") == "1",
            "link": request.build_absolute_uri(report.status_url()),
            "title": _("Din melding"),
        }
        response = render(request, "safety/report_status.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response
