"""Form fields the apps share, and reading a number or a date someone typed."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField


class KnownChoiceField(forms.ModelChoiceField):
    """Django's ModelChoiceField; but given `known` (pk text → object: the rows of
    its queryset, loaded once), a choice is looked up there instead of with a
    query. An import checks thousands of rows with a form each this way."""

    known: dict[str, object] | None = None

    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.known[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class DanishPhoneField(PhoneNumberField):
    """A phone number as people write it in Denmark (eight digits, +45 optional),
    stored in international form; the message shows a number like `example`."""

    def __init__(
        self, *, example: str = "20 12 34 56", autocomplete: str = "off", **kwargs
    ):
        kwargs.setdefault("label", _("Telefon"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete}),
        )
        # Forms are made when their module is imported: the message is looked
        # up in the language of the request that shows it.
        kwargs.setdefault("error_messages", {"invalid": invalid_phone(example)})
        super().__init__(region="DK", **kwargs)


# No date the portal keeps or shows lies outside these: one outside is a typing
# error, and at the ends of the calendar (year 1, year 9999) a day more or less
# does not exist, so the figures' and the calendar's arithmetic would fail.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)


def plausible_date(value: datetime.date) -> None:
    """A validator for a date, or a moment, typed into a form."""
    if isinstance(value, datetime.datetime):
        day = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    else:
        day = value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("Datoen skal ligge mellem %(first)s og %(last)s."),
            code="implausible_date",
            params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )


def whole_number(value) -> int | None:
    """A whole number as posted or put in an address (?year=2025), or None.

    ASCII digits only, at most nine: str.isdigit() also passes "²", which int()
    refuses, and int() refuses a number of thousands of digits; a larger number
    is no id, year or version of ours anyway.
    """
    text = str(value) if value is not None else ""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def year_from_query(value: str | None, default: int, *, first: int = 2000) -> int:
    """A year from the query string, from `first` to `default`; anything else
    shows the default."""
    year = whole_number(value)
    if year and first <= year <= default:
        return year
    return default


def _invalid_phone(example: str) -> str:
    return gettext("Skriv et gyldigt telefonnummer, fx %(example)s.") % {
        "example": example
    }


invalid_phone = lazy(_invalid_phone, str)


# --- Widgets and fields every app's forms share ----------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def period_start_field() -> forms.DateField:
    """The optional "from" date of a figures page's period."""
    return forms.DateField(
        label=_("Fra"),
        required=False,
        widget=DateInput(),
        validators=[plausible_date],
        error_messages={"invalid": _("Skriv en dato, fx 2026-01-01.")},
    )


def period_end_field() -> forms.DateField:
    """The optional "to" date of a figures page's period."""
    return forms.DateField(
        label=_("Til"),
        required=False,
        widget=DateInput(),
        validators=[plausible_date],
        error_messages={"invalid": _("Skriv en dato, fx 2026-12-31.")},
    )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RoutingFormMixin:
    """A form that hands work to organisations (a finding, an incident told, a
    network task) warns before saving when one of them has nobody in the portal
    who could open it; the person then chooses another or sends it anyway.

    The form declares `route_anyway = route_anyway_field()` and calls
    `self.check_reachable(field, organisations)` from its clean().
    """

    def check_reachable(self, field: str, organisations) -> None:
        from .models import Organisation

        ids = [organisation.pk for organisation in organisations]
        unreachable = Organisation.objects.filter(pk__in=ids).without_people()
        if not unreachable or self.cleaned_data.get("route_anyway"):
            return
        self.fields["route_anyway"].widget = forms.CheckboxInput()
        self.add_error(
            field,
            _(
                "%(names)s har ingen aktiv bruger i portalen, der kan se det. "
                "Vælg en anden, eller sæt flueben i »Send alligevel«."
            )
            % {"names": ", ".join(o.name for o in unreachable)},
        )


def route_anyway_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Send alligevel"), required=False, widget=forms.HiddenInput
    )
