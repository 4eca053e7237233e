"""Free text that may hold what must not be stored: CPR numbers.

Staff write notes in a hurry; a CPR number (DDMMYY-SSSS) copied from a letter is
the most common slip. A text that looks like one is refused with a warning the
writer can override (a case reference can look like one too), so nothing is
stored unless a person has looked at it.
"""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

# Six digits, an optional dash or space, four digits, not inside a longer number.
CPR_PATTERN = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[- ]?\d{4}(?!\d)")


def looks_like_cpr(text: str) -> bool:
    """True when the text holds ten digits whose first six are a real date."""
    for match in CPR_PATTERN.finditer(text or ""):
        day, month, year = (int(part) for part in match.groups())
        try:
            datetime.date(2000 + year, month, day)
        except ValueError:
            continue
        return True
    return False


class CprCheckedForm(forms.Form):
    """A form whose free-text fields are checked for CPR numbers.

    Subclasses (or ModelForms mixing it in first) name the fields in
    `cpr_checked_fields`. When one looks like a CPR number the form is invalid,
    the field says so, and a checkbox appears to store the text anyway.
    """

    cpr_checked_fields: tuple[str, ...] = ()

    confirm_cpr = forms.BooleanField(
        label=_("Teksten indeholder ikke et CPR-nummer – gem den alligevel"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The override is offered only once a warning has been given.
        self.fields["confirm_cpr"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirm_cpr"):
            return cleaned
        flagged = [
            name
            for name in self.cpr_checked_fields
            if looks_like_cpr(str(cleaned.get(name) or ""))
        ]
        for name in flagged:
            self.add_error(
                name,
                _(
                    "Teksten ser ud til at indeholde et CPR-nummer. CPR-numre må "
                    "ikke gemmes her: fjern det, eller bekræft nedenfor, at det "
                    "ikke er et CPR-nummer."
                ),
            )
        if flagged:
            self.fields["confirm_cpr"].widget = forms.CheckboxInput()
        return cleaned
