"""Udsættelsesnetværket: the housing organisations and Odense Kommune meet once or
twice a year on evictions and reminder letters. Each housing organisation enters
its own yearly figures; the meeting sees them all side by side."""

from dataclasses import dataclass

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from boligsocial import spreadsheets
from boligsocial.forms import year_from_query
from boligsocial.models import HousingOrganisation, Organisation

from .access import FIRST_NETWORK_YEAR as FIRST_YEAR
from .access import advice_links, get_report_for_user, require_network_reader
from .models import EvictionReport
from .network_forms import COUNT_FIELDS, EvictionReportForm


@dataclass
class NetworkYear:
    year: int
    rows: list[tuple[Organisation, EvictionReport | None]]

    @property
    def totals(self) -> dict[str, int]:
        """Only the organisations that reported: a missing report is not a 0."""
        reports = [report for _org, report in self.rows if report]
        return {name: sum(getattr(r, name) for r in reports) for name in COUNT_FIELDS}

    @property
    def reported(self) -> int:
        return sum(1 for _org, report in self.rows if report)


@login_required
@require_GET
def network(request):
    """The chosen year beside the year before, every housing organisation in both."""
    user = request.user
    require_network_reader(user)
    today = timezone.localdate()
    year = year_from_query(request.GET.get("year"), today.year, first=FIRST_YEAR)
    context = {
        "year": year,
        "years": range(today.year, FIRST_YEAR - 1, -1),
        "network_years": network_years(year),
        "own_organisation": user.organisation if user.can_report_evictions else None,
        "links": advice_links(user),
    }
    return render(request, "advice/network.html", context)


def network_years(year: int) -> list[NetworkYear]:
    """The year and the year before, every housing organisation in both."""
    organisations = list(HousingOrganisation.objects.all())
    reports = {
        (report.organisation_id, report.year): report
        for report in EvictionReport.objects.filter(
            year__in=[year, year - 1]
        ).select_related("updated_by")
    }
    return [
        NetworkYear(
            year=shown,
            rows=[(org, reports.get((org.pk, shown))) for org in organisations],
        )
        for shown in (year, year - 1)
    ]


@login_required
@require_GET
def network_export(request, fmt):
    """The page's figures (the year and the year before) as CSV or Excel."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    require_network_reader(request.user)
    today = timezone.localdate()
    year = year_from_query(request.GET.get("year"), today.year, first=FIRST_YEAR)
    data = network_dataset(network_years(year))
    return spreadsheets.download(data, fmt, f"udsaettelsesnetvaerket-{year}")


def network_dataset(years: list[NetworkYear]) -> tablib.Dataset:
    """One line per organisation and year; one not reported has no figures (a
    missing report is not a 0)."""
    headers = [
        _("År"),
        _("Boligorganisation"),
        # As the page's columns, in the order of COUNT_FIELDS.
        _("Rykkerskrivelser sendt"),
        _("Betalt eller aftalt"),
        _("Sager i fogedretten"),
        _("Udsættelser"),
        _("Bemærkning"),
        _("Indberettet"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Udsættelsesnetværket"))
    for shown in years:
        for organisation, report in shown.rows:
            if report is None:
                empty = [None] * len(COUNT_FIELDS)
                missing = _("Ikke indberettet")
                data.append([shown.year, organisation.name, *empty, missing, None])
                continue
            data.append(
                [
                    shown.year,
                    organisation.name,
                    *[getattr(report, name) for name in COUNT_FIELDS],
                    report.note,
                    timezone.localdate(report.updated_at),
                ]
            )
    return data


@login_required
@require_http_methods(["GET", "POST"])
def network_report(request, year):
    user = request.user
    report = get_report_for_user(user, year)
    if request.method == "POST":
        form = EvictionReportForm(request.POST, instance=report)
        if form.is_valid():
            _save_report(form, user)
            messages.success(
                request,
                _("Tallene for %(organisation)s %(year)s er gemt.")
                % {"organisation": user.organisation, "year": year},
            )
            return redirect(reverse("advice:network") + f"?year={year}")
    else:
        form = EvictionReportForm(instance=report)
    context = {"form": form, "report": report, "year": year}
    return render(request, "advice/network_form.html", context)


def _save_report(form: EvictionReportForm, user) -> EvictionReport:
    """Create or update the row in one statement: two colleagues saving the
    year's first figures at once end with one row (the later figures)."""
    report, _created = EvictionReport.objects.update_or_create(
        organisation=user.organisation,
        year=form.instance.year,
        defaults={
            **{name: form.cleaned_data[name] for name in COUNT_FIELDS},
            "note": form.cleaned_data["note"],
            "updated_by": user,
        },
    )
    return report
