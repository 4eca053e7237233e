"""Forms for meetings, quick drop-in visits and onward referrals.

Notes are free text and may catch a CPR number copied from a letter: every note
goes through `CprCheckedForm` (warned, stored only once a person confirms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from boligsocial.editing import GuardedModelForm
from boligsocial.forms import DateInput
from boligsocial.sensitive import CprCheckedForm

from .models import Case, DropIn, Meeting, Referral, ReferralStatus


class MeetingForm(CprCheckedForm, GuardedModelForm):
    """A meeting on a case: the dates it may have are the case's rule
    (`Meeting.clean`), which the form reports next to the field."""

    cpr_checked_fields = ("note",)

    class Meta:
        model = Meeting
        fields = ["held_on", "place", "drop_in", "duration_minutes", "note"]
        widgets = {
            "held_on": DateInput(),
            "duration_minutes": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "note": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "drop_in": _("Kun når mødet var til åben rådgivning."),
            "duration_minutes": _("Fra 5 minutter til 8 timer (480 minutter)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Drop-in hours no longer held stay on the meetings already held there.
        active = DropIn.objects.filter(is_active=True)
        if self.instance.drop_in_id:
            active = active | DropIn.objects.filter(pk=self.instance.drop_in_id)
        self.fields["drop_in"].queryset = active


class DropInVisitForm(CprCheckedForm, GuardedModelForm):
    """A resident's visit at a drop-in, logged in a few seconds: which of my open
    cases, how long, and an optional note. Place, drop-in, day and advisor are
    given by where and when it is logged (the day is shown, not posted).

    The cases are read once for the whole page (a list, not a queryset), so a
    page with many drop-ins, each with its own form, costs no extra queries."""

    cpr_checked_fields = ("note",)

    case = forms.TypedChoiceField(
        label=_("Sag"),
        coerce=int,
        error_messages={
            "invalid_choice": _("Vælg en af dine egne åbne sager."),
            "required": _("Vælg sagen, besøget hører til."),
        },
    )

    class Meta:
        model = Meeting
        fields = ["case", "held_on", "duration_minutes", "note"]
        widgets = {
            "held_on": DateInput(),
            "duration_minutes": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, cases: list[Case], **kwargs):
        super().__init__(*args, **kwargs)
        # Shown, not chosen: a visit is logged the day it happens.
        self.fields["held_on"].disabled = True
        self.cases = {case.pk: case for case in cases}
        self.fields["case"].choices = [
            ("", "---------"),
            *((case.pk, f"{case.number} · {case.household.name}") for case in cases),
        ]

    def clean_case(self) -> Case:
        # Only my own open cases are choices: a forged id is refused above.
        case = self.cases[self.cleaned_data["case"]]
        self.instance.case = case
        return case


class ReferralForm(CprCheckedForm, GuardedModelForm):
    """A new referral: proposed to the resident, nothing sent yet."""

    cpr_checked_fields = ("note",)

    class Meta:
        model = Referral
        fields = ["to", "recipient", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class ReferralMoveForm(CprCheckedForm, forms.Form):
    """The referral's next step. The select offers the steps it can take now; a
    step it cannot take is refused by `Referral.move` with its reason (the rule
    lives there), a value that is no status at all here."""

    cpr_checked_fields = ("consent_note",)

    to = forms.CharField(label=_("Næste skridt"), widget=forms.Select)
    consent_note = forms.CharField(
        label=_("Sådan blev samtykket givet"),
        max_length=200,
        required=False,
        help_text=_(
            "Kun ved samtykke: fx »mundtligt i hjemmet 4.5.« eller »underskrevet "
            "samtykkeerklæring«."
        ),
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["to"].widget.choices = [
            (step.value, step.label) for step in referral.next_steps
        ]

    def clean_to(self) -> str:
        to = self.cleaned_data["to"]
        if to not in ReferralStatus.values:
            raise forms.ValidationError(_("Vælg et af de mulige næste skridt."))
        if to == ReferralStatus.SENT and not self.referral.consented_at:
            # The rule is Referral.move's; this says it in the resident's terms.
            raise forms.ValidationError(
                _(
                    "Ingen henvisning sendes uden samtykke: registrér først, "
                    "hvordan beboeren gav samtykke."
                )
            )
        return to
