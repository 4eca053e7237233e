"""Free text that may hold what must not be stored: CPR and phone numbers.

Staff write notes in a hurry; a CPR number (DDMMYY-SSSS) copied from a letter is
the most common slip, and in texts partners read (an incident's timeline) a
resident's phone number is another. A text that looks like one is refused with a
warning the writer can override (a case reference can look like a CPR number, a
police switchboard like a phone number), so nothing is stored unless a person has
looked at it.
"""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

# Six digits, an optional dash or space, four digits, not inside a longer number.
CPR_PATTERN = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[- ]?\d{4}(?!\d)")


# A Danish number: eight digits, the first 2-9, written together, in pairs or in
# fours, perhaps after +45 or 0045; not inside a longer number.
PHONE_PATTERN = re.compile(
    r"(?<![\d+])(?:(?:\+|00)45[ -]?)?[2-9]\d[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}(?!\d)"
)


def looks_like_phone(text: str) -> bool:
    """True when the text holds what looks like a Danish phone number."""
    return PHONE_PATTERN.search(text or "") is not None


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
    """A form whose free-text fields are checked for CPR (and phone) numbers.

    Subclasses (or ModelForms mixing it in first) name the fields in
    `cpr_checked_fields`, and those that partners read in `phone_checked_fields`.
    When one looks like such a number the form is invalid, the field says so, and
    a checkbox appears to store the text anyway.
    """

    cpr_checked_fields: tuple[str, ...] = ()
    phone_checked_fields: tuple[str, ...] = ()

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
        cpr = [
            name
            for name in self.cpr_checked_fields
            if looks_like_cpr(str(cleaned.get(name) or ""))
        ]
        for name in cpr:
            self.add_error(
                name,
                _(
                    "Teksten ser ud til at indeholde et CPR-nummer. CPR-numre må "
                    "ikke gemmes her: fjern det, eller bekræft nedenfor, at det "
                    "ikke er et CPR-nummer."
                ),
            )
        phone = [
            name
            for name in self.phone_checked_fields
            if name not in cpr and looks_like_phone(str(cleaned.get(name) or ""))
        ]
        for name in phone:
            self.add_error(
                name,
                _(
                    "Teksten ser ud til at indeholde et telefonnummer. Beboeres "
                    "telefonnumre må ikke stå her: fjern det, eller bekræft "
                    "nedenfor, at det ikke er en beboers nummer."
                ),
            )
        if phone:
            self.fields["confirm_cpr"].label = _(
                "Teksten indeholder ikke en beboers CPR- eller telefonnummer – gem "
                "den alligevel"
            )
        if cpr or phone:
            self.fields["confirm_cpr"].widget = forms.CheckboxInput()
        return cleaned
