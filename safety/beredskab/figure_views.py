"""The beredskab in figures, for those who read incidents: a period of the
reader's choice, incidents per area and over time, and how fast partners were
told."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from boligsocial.forms import period_end_field, period_start_field
from boligsocial.models import Area

from .access import beredskab_links, require_incident_reader
from .figures import (
    incident_chart,
    incident_figures,
    incident_month_table,
    incident_table,
    months_between,
    notification_time_table,
    open_task_table,
)

# A longer period makes a chart of too many columns to read.
LONGEST_PERIOD_MONTHS = 120


class BeredskabFiguresForm(forms.Form):
    """The period and the areas of the beredskab figures. A field that cannot be
    used is told next to it and falls back to its default, so the page always
    shows figures: this year so far, in every area the user may see."""

    start = period_start_field()
    end = period_end_field()
    areas = forms.ModelMultipleChoiceField(
        label=_("Områder"),
        queryset=Area.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vælg ingen for at se alle dine områder."),
        error_messages={
            "invalid_choice": _(
                "Du kan ikke vælge området %(value)s. Tallene viser alle dine områder."
            )
        },
    )

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # A partner chooses among its own areas; any other is not known to it.
        self.fields["areas"].queryset = Area.objects.visible_to(user)

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # a GET form: no token in the address
        # The areas one under another: inline checkboxes would hide their error
        # (Bootstrap shows .invalid-feedback only after an .is-invalid sibling).
        helper.layout = Layout(
            Row(
                Column("start", css_class="col-6 col-md-3"),
                Column("end", css_class="col-6 col-md-3"),
                Column("areas", css_class="col-12 col-md-6"),
            )
        )
        return helper

    def clean(self) -> dict:
        data = super().clean()
        if self.has_error("start") or self.has_error("end"):
            return data
        start, end = self._dates(data)
        if end < start:
            if data.get("end"):
                self.add_error("end", _("Slutdatoen ligger før startdatoen."))
            else:
                self.add_error("start", _("Startdatoen ligger efter i dag."))
        elif months_between(start, end) > LONGEST_PERIOD_MONTHS:
            self.add_error("start", _("Vælg en periode på højst 10 år."))
        return data

    def _dates(self, data: dict) -> tuple[datetime.date, datetime.date]:
        """No end: today. No start: the first of January of the end's year."""
        end = data.get("end") or self.today
        return data.get("start") or datetime.date(end.year, 1, 1), end

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for, or this year so far when it cannot be used."""
        if self.has_error("start") or self.has_error("end"):
            return self._dates({})
        return self._dates(self.cleaned_data)

    def chosen_areas(self):
        """The areas asked for; none, or one the user may not see: all theirs."""
        chosen = None if self.has_error("areas") else self.cleaned_data.get("areas")
        return chosen if chosen else self.fields["areas"].queryset


@login_required
@require_GET
def beredskab_figures(request):
    """Incidents per area and severity, the time to the first partner told, and
    the network's open tasks. Counts and times only, so a partner sees them for
    every incident in its areas, told of it or not."""
    user = request.user
    require_incident_reader(user)
    today = timezone.localdate()
    # Always bound: an empty query is valid and means this year so far.
    form = BeredskabFiguresForm(request.GET, user=user, today=today)
    form.is_valid()  # a field in error is told, and its default is used
    start, end = form.period()
    figures = incident_figures(
        areas=form.chosen_areas(), start=start, end=end, today=today
    )
    context = {
        "form": form,
        "figures": figures,
        "chart": incident_chart(figures),
        "tables": [
            incident_month_table(figures),
            incident_table(figures),
            notification_time_table(figures),
            open_task_table(figures),
        ],
        "links": beredskab_links(user),
    }
    return render(request, "safety/beredskab_figures.html", context)
