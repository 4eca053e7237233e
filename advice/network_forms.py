"""Udsættelsesnetværket's form: a housing organisation's figures for a year."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from boligsocial.sensitive import CprCheckedForm

from .models import EvictionReport

MAX_COUNT = 100000
COUNT_FIELDS = ["reminder_letters", "reminders_settled", "bailiff_cases", "evictions"]


class EvictionReportForm(CprCheckedForm, forms.ModelForm):
    """The organisation and the year come from the person and the address, never
    from the form: a partner reports for their own organisation only. The note
    might name a tenant, so it is checked for CPR numbers."""

    cpr_checked_fields = ("note",)

    class Meta:
        model = EvictionReport
        fields = [*COUNT_FIELDS, "note"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "note": _(
                "Fx om tallene er foreløbige. Skriv ikke navne eller CPR-numre på "
                "lejere."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        messages = {
            "min_value": _("Tallet kan ikke være negativt."),
            "max_value": _("Tallet kan højst være %(limit_value)s."),
            "required": _("Skriv et tal (0, hvis der ingen var)."),
            "invalid": _("Skriv et helt tal."),
        }
        for name in COUNT_FIELDS:
            field = self.fields[name]
            # The form says the model's limit in its own words, by the field.
            field.max_value = MAX_COUNT
            field.validators.append(MaxValueValidator(MAX_COUNT))
            field.widget.attrs.update(max=MAX_COUNT, inputmode="numeric")
            field.error_messages.update(messages)
