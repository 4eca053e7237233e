"""Forms of the advice app's case pages: the household, the case, an outcome,
closing a case and joining a colleague's case."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boligsocial.editing import GuardedModelForm
from boligsocial.forms import DanishPhoneField, DateInput
from boligsocial.models import HousingDepartment
from boligsocial.sensitive import CprCheckedForm

from .models import ISSUE_FIELDS, Case, CaseOutcome, Household, OutcomeKind

HOUSEHOLD_FIELDS = [
    "department",
    "name",
    "street",
    "number",
    "floor_door",
    "phone",
    "composition",
]
CASE_FIELDS = [
    "opened_on",
    "source",
    *ISSUE_FIELDS,
    "eviction_risk",
    "bailiff_date",
    "arrears_at_start",
    "arrears_now",
    "note",
    "colleagues_may_know",
]

AMOUNT_ERRORS = {
    "min_value": _("Beløbet kan ikke være negativt."),
    # MAX_AMOUNT in words: no household owes or gains more in one case.
    "max_value": _("Beløbet er urimeligt stort: højst 2.000.000 kr."),
}


def amount_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})


class HouseholdForm(forms.ModelForm):
    """Who the case is about: a contact person, an address in a department, a
    phone and the household's composition in broad terms. No CPR number."""

    phone = DanishPhoneField()

    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "street", "number"):
            self.fields[name].required = True
        self.fields["department"].queryset = HousingDepartment.objects.select_related(
            "area"
        )
        self.fields["department"].label_from_instance = lambda d: f"{d.area.name} · {d}"

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            Fieldset(
                _("Husstanden"),
                "name",
                "department",
                Row(
                    Column("street", css_class="col-md-6"),
                    Column("number", css_class="col-6 col-md-3"),
                    Column("floor_door", css_class="col-6 col-md-3"),
                ),
                Row(
                    Column("phone", css_class="col-md-6"),
                    Column("composition", css_class="col-md-6"),
                ),
            )
        )
        return helper

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_street(self) -> str:
        return " ".join(self.cleaned_data["street"].split())

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()


class CaseForm(CprCheckedForm, GuardedModelForm):
    """How the case came in, what it is about, the risk and the arrears. Editing
    carries the version the person started from (boligsocial.editing)."""

    cpr_checked_fields = ("note",)

    class Meta:
        model = Case
        fields = CASE_FIELDS
        widgets = {
            "opened_on": DateInput(),
            "bailiff_date": DateInput(),
            "arrears_at_start": amount_widget(),
            "arrears_now": amount_widget(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "arrears_at_start": AMOUNT_ERRORS,
            "arrears_now": AMOUNT_ERRORS,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and self.initial.get("opened_on") is None:
            self.initial["opened_on"] = timezone.localdate()

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            Fieldset(
                _("Sagen"),
                Row(
                    Column("opened_on", css_class="col-md-6"),
                    Column("source", css_class="col-md-6"),
                ),
                Fieldset(_("Hvad drejer sagen sig om?"), *ISSUE_FIELDS),
                Row(
                    Column("eviction_risk", css_class="col-md-6"),
                    Column("bailiff_date", css_class="col-md-6"),
                ),
                Row(
                    Column("arrears_at_start", css_class="col-md-6"),
                    Column("arrears_now", css_class="col-md-6"),
                ),
                "note",
                "confirm_cpr",
                "colleagues_may_know",
            ),
            *[name for name in ("version", "submission") if name in self.fields],
        )
        return helper


class OutcomeForm(CprCheckedForm, GuardedModelForm):
    """An outcome from the admin's list, with an amount where the kind has one."""

    cpr_checked_fields = ("note",)

    class Meta:
        model = CaseOutcome
        fields = ["kind", "amount", "achieved_on", "note"]
        widgets = {
            "achieved_on": DateInput(),
            "amount": amount_widget(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"amount": AMOUNT_ERRORS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = OutcomeKind.objects.filter(is_active=True)
        self.fields["kind"].label_from_instance = _kind_label
        self.fields["amount"].help_text = _(
            "Kun for resultater med beløb: den økonomiske gevinst eller den "
            "afviklede gæld."
        )
        if self.initial.get("achieved_on") is None:
            self.initial["achieved_on"] = timezone.localdate()


def _kind_label(kind: OutcomeKind) -> str:
    if kind.amount_required:
        return _("%(name)s (beløb: %(what)s)") % {
            "name": kind.name,
            "what": kind.get_amount_kind_display().lower(),
        }
    if kind.amount_kind != OutcomeKind.AmountKind.NONE:
        return _("%(name)s (evt. beløb: %(what)s)") % {
            "name": kind.name,
            "what": kind.get_amount_kind_display().lower(),
        }
    return kind.name


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Lukket den"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("closed_on", timezone.localdate())
        self.initial.setdefault("version", case.version)


class JoinForm(CprCheckedForm):
    """Why an advisor joins a colleague's case: written to the access log."""

    cpr_checked_fields = ("reason",)

    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=200,
        help_text=_(
            "Fx »Dækker for Anna under hendes ferie«. Skrives i adgangsloggen."
        ),
        error_messages={"required": _("Skriv, hvorfor du går ind i sagen.")},
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Skriv, hvorfor du går ind i sagen."))
        return reason


class CaseListFilter(forms.Form):
    """Which of my cases the list shows; anything unknown shows the open ones."""

    STATUSES = [
        ("open", _("Åbne")),
        ("closed", _("Lukkede")),
        ("all", _("Alle")),
    ]

    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)

    def status_value(self) -> str:
        if self.is_valid() and self.cleaned_data["status"]:
            return self.cleaned_data["status"]
        return "open"
