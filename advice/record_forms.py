"""Forms of a household's records: erasure on request, the access log's filter and
colleagues' look-up of an address."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from boligsocial.forms import DateInput
from boligsocial.models import User
from boligsocial.sensitive import CprCheckedForm

from .models import CaseAccess


class EraseForm(CprCheckedForm):
    """Erasure is the resident's request, not the advisor's idea: the advisor says
    so and why; the reason goes to the access log with each erased case."""

    cpr_checked_fields = ("reason",)
    field_order = ["requested", "reason", "confirm_cpr"]

    requested = forms.BooleanField(
        label=_("Beboeren har bedt om at få husstandens data slettet"),
        error_messages={
            "required": _(
                "Sæt kryds: husstandens data slettes kun, når beboeren har bedt om det."
            )
        },
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=CaseAccess._meta.get_field("reason").max_length,
        help_text=_(
            "Kort: hvornår og hvordan beboeren bad om det. Den står i adgangsloggen; "
            "skriv ingen navne."
        ),
    )


class CaseNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class AccessLogFilter(django_filters.FilterSet):
    """A value the form refuses (a malformed date, say) is left out of the
    filtering and shown as an error by its field."""

    case_number = CaseNumberFilter(label=_("Sagsnummer"), min_value=1)
    user = django_filters.ModelChoiceFilter(
        # Those with a row in the log: a look-up per person (the index
        # caseaccess_entry_order begins with the person), not a join over the log.
        queryset=User.objects.filter(
            Exists(CaseAccess.objects.filter(user=OuterRef("pk")))
        ).order_by("first_name", "last_name", "username"),
        label=_("Bruger"),
    )
    at_from = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", widget=DateInput(), label=_("Fra")
    )
    at_to = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", widget=DateInput(), label=_("Til")
    )

    class Meta:
        model = CaseAccess
        fields = ["case_number", "user", "at_from", "at_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["user"].label_from_instance = who


def who(user: User) -> str:
    """A person as the access log names them: name and username."""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class LookupForm(forms.Form):
    """An address as colleagues know it; case and spaces do not matter."""

    street = forms.CharField(label=_("Vej"), max_length=150)
    number = forms.CharField(label=_("Husnummer"), max_length=10)
