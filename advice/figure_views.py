"""Økonomisk rådgivning in figures: every signed-in user sees them for the areas
they may see. Outside the advice team small counts are suppressed (`figures.py`);
no household is ever named here."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from boligsocial import spreadsheets
from boligsocial.forms import period_end_field, period_start_field
from boligsocial.models import Area

from .access import advice_links
from .figures import advice_table, case_figures, source_table

# The advice work began before the 2017–2021 plan; no figures are older.
FIRST_YEAR = 2015


class PeriodForm(forms.Form):
    """A calendar year, or from and to dates (which then win over the year)."""

    year = forms.TypedChoiceField(
        label=_("År"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Vælg et år fra listen.")},
    )
    start = period_start_field()
    end = period_end_field()

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["year"].choices = [
            (year, year) for year in range(today.year, FIRST_YEAR - 1, -1)
        ]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and not end and not self.has_error("end"):
            self.add_error("end", _("Skriv også en slutdato."))
        if end and not start and not self.has_error("start"):
            self.add_error("start", _("Skriv også en startdato."))
        if start and end and end < start:
            self.add_error("end", _("Slutdatoen ligger før startdatoen."))
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return data["start"], data["end"]
        year = data.get("year") or self.today.year
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


@login_required
@require_GET
def advice_figures(request):
    form, figures, tables = _figures(request)
    context = {
        "form": form,
        "figures": figures,
        "tables": tables,
        "query": request.GET.urlencode(),
        "links": advice_links(request.user),
    }
    return render(request, "advice/figures.html", context)


@login_required
@require_GET
def advice_figures_export(request, slug: str, fmt: str):
    """One of the page's tables, for the same period, as CSV or Excel."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    form, figures, tables = _figures(request)
    if figures is None:
        # The page tells what is wrong with the period, next to the field.
        return redirect(f"{reverse('advice:advice_figures')}?{request.GET.urlencode()}")
    table = next((table for table in tables if table.slug == slug), None)
    if table is None:
        raise Http404
    filename = f"{slug}-{figures.start}-{figures.end}"
    return spreadsheets.download(table.dataset(), fmt, filename)


def _figures(request):
    """The period form, and (when it is valid) the figures and their tables."""
    user = request.user
    # Always bound: no choice at all is valid and means this year.
    form = PeriodForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return form, None, []
    start, end = form.period()
    figures = case_figures(
        areas=Area.objects.visible_to(user),
        start=start,
        end=end,
        # Only the advice team sees the exact small numbers.
        suppress=not user.is_advisor,
    )
    return form, figures, [advice_table(figures), source_table(figures)]
