"""The dashboard's choice of period and areas, and the report request form."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import PlanPeriod
from boligsocial.forms import period_end_field, period_start_field
from boligsocial.models import Area, User
from boligsocial.periods import CUSTOM, QUARTER, YEAR, Period

from .models import ReportRun, ReportSchedule

# The first plan began in 2017; the advice work a little earlier.
FIRST_YEAR = 2015
# A longer custom period is more than anyone reads on one page.
LONGEST_PERIOD_DAYS = 366 * 10


class AreaChoiceMixin:
    """The areas field of both forms: a person chooses among the areas they may
    see, and an area they may not see is refused by name, as unknown."""

    def limit_areas(self, user) -> None:
        self.fields["areas"].queryset = Area.objects.visible_to(user)

    def chosen_areas(self) -> list[Area]:
        """The areas asked for, or, when none is ticked, every area the person may
        see."""
        chosen = self.cleaned_data.get("areas")
        return list(chosen) if chosen else list(self.fields["areas"].queryset)


def areas_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Områder"),
        queryset=Area.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vælg ingen for at se alle dine områder."),
        error_messages={
            "invalid_choice": _("Du kan ikke vælge området %(value)s."),
        },
    )


class DashboardForm(AreaChoiceMixin, forms.Form):
    """A year, a quarter, or from and to dates; and the areas. An empty query
    means this year in every area the person may see."""

    period = forms.ChoiceField(
        label=_("Periode"),
        choices=[(YEAR, _("År")), (QUARTER, _("Kvartal")), (CUSTOM, _("Valgfri"))],
        required=False,
        error_messages={"invalid_choice": _("Vælg år, kvartal eller valgfri.")},
    )
    year = forms.TypedChoiceField(
        label=_("År"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Vælg et år fra listen.")},
    )
    quarter = forms.TypedChoiceField(
        label=_("Kvartal"),
        coerce=int,
        choices=[
            ("", "–"),
            *[(n, _("%(n)d. kvartal") % {"n": n}) for n in range(1, 5)],
        ],
        required=False,
        error_messages={"invalid_choice": _("Vælg et kvartal fra listen.")},
    )
    start = period_start_field()
    end = period_end_field()
    areas = areas_field()

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["year"].choices = [
            (year, year) for year in range(today.year, FIRST_YEAR - 1, -1)
        ]
        self.limit_areas(user)

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("period") or YEAR
        if (
            kind == QUARTER
            and not data.get("quarter")
            and not self.has_error("quarter")
        ):
            self.add_error("quarter", _("Vælg et kvartal."))
        if kind == CUSTOM:
            self._clean_custom(data)
        return data

    def _clean_custom(self, data: dict) -> None:
        start, end = data.get("start"), data.get("end")
        if not start and not self.has_error("start"):
            self.add_error("start", _("Skriv en startdato."))
        if not end and not self.has_error("end"):
            self.add_error("end", _("Skriv en slutdato."))
        if start and end and end < start:
            self.add_error("end", _("Slutdatoen ligger før startdatoen."))
        elif start and end and (end - start).days >= LONGEST_PERIOD_DAYS:
            self.add_error("start", _("Vælg en periode på højst 10 år."))

    def chosen_period(self) -> Period:
        data = self.cleaned_data
        kind = data.get("period") or YEAR
        year = data.get("year") or self.today.year
        if kind == QUARTER:
            return Period.quarter(year, data["quarter"])
        if kind == CUSTOM:
            return Period(data["start"], data["end"], CUSTOM)
        return Period.year(year)


class ReportRequestForm(DashboardForm):
    """What a coordinator asks for: the LBF report for a plan and one of its
    years, or the municipality's report for a period (as on the dashboard) and
    areas."""

    kind = forms.ChoiceField(
        label=_("Rapport"),
        choices=ReportRun.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Vælg en af rapporterne.")},
    )
    plan_period = forms.ModelChoiceField(
        label=_("Helhedsplan"),
        queryset=PlanPeriod.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Vælg en helhedsplan fra listen.")},
    )
    field_order = ["kind", "plan_period", "period", "year", "quarter", "start", "end"]

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, user=user, today=today, **kwargs)
        # A plan's last years lie ahead: their reports may be prepared early.
        last = max(
            [today.year, *PlanPeriod.objects.values_list("end__year", flat=True)]
        )
        self.fields["year"].choices = [
            (year, year) for year in range(last, FIRST_YEAR - 1, -1)
        ]
        # The list starts with the plan's last year; this year is the one meant.
        self.fields["year"].initial = today.year

    def clean(self) -> dict:
        if self.cleaned_data.get("kind") != ReportRun.Kind.LBF:
            return super().clean()
        data = self.cleaned_data
        plan, year = data.get("plan_period"), data.get("year")
        if not plan and not self.has_error("plan_period"):
            self.add_error("plan_period", _("Vælg helhedsplanen."))
        if not year and not self.has_error("year"):
            self.add_error("year", _("Vælg året, rapporten gælder."))
        if plan and year and year not in plan.years:
            self.add_error(
                "year",
                _("%(year)s ligger uden for %(plan)s (%(first)s–%(last)s).")
                % {
                    "year": year,
                    "plan": plan,
                    "first": plan.years[0],
                    "last": plan.years[-1],
                },
            )
        return data

    def chosen_period(self) -> Period:
        if self.cleaned_data["kind"] == ReportRun.Kind.LBF:
            return Period.year(self.cleaned_data["year"])
        return super().chosen_period()


class ScheduleForm(forms.ModelForm):
    """A report asked for by itself after every quarter or year, mailed to the
    person named (a coordinator or admin; the one setting it up by default)."""

    class Meta:
        model = ReportSchedule
        fields = ["kind", "frequency", "plan_period", "areas", "owner"]
        widgets = {
            "kind": forms.RadioSelect,
            "frequency": forms.RadioSelect,
            "areas": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "kind": {"invalid_choice": _("Vælg en af rapporterne.")},
            "frequency": {"invalid_choice": _("Vælg hvert kvartal eller hvert år.")},
            "plan_period": {
                "invalid_choice": _("Vælg en helhedsplan fra listen."),
            },
            "areas": {"invalid_choice": _("Vælg områder fra listen.")},
            "owner": {
                "invalid_choice": _("Vælg en koordinator eller administrator."),
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=[User.Role.COORDINATOR, User.Role.ADMIN]
        ).order_by("first_name", "username")
        self.fields["owner"].initial = user.pk
        self.fields["areas"].queryset = Area.objects.order_by("name")
        self.fields["kind"].choices = ReportRun.Kind.choices
        self.fields["frequency"].choices = ReportSchedule.Frequency.choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == ReportRun.Kind.LBF and data.get("areas"):
            self.add_error(
                "areas",
                _("Rapporten til Landsbyggefonden gælder alle planens områder."),
            )
        return data
