"""The people pages' forms: a person's role and access, the list's filter and
the confirmation buttons. (An invited person chooses a password with Django's
SetPasswordForm.)"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .editing import GuardedModelForm, VersionField
from .models import Area, Invitation, Organisation, Role, User

# The roles of BoligSocialt Hus's own people; a partner belongs to a partner.
INSIDE_ROLES = {Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR, Role.COORDINATOR}


class PersonForm(GuardedModelForm):
    """Who a person is and what they may reach. `by` is the coordinator or admin
    filling it in: a coordinator never gives the admin role, and nobody changes
    their own role."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "organisation", "areas"]
        widgets = {"areas": forms.CheckboxSelectMultiple}

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        for name in ("first_name", "email"):
            self.fields[name].required = True
        self.fields["email"].help_text = _(
            "Invitationen sendes hertil, og det er personens brugernavn."
        )
        self.fields["role"].choices = by.roles_to_give()
        self.fields["organisation"].queryset = Organisation.objects.all()
        self.fields["organisation"].help_text = _(
            "BoligSocialt Hus for egne medarbejdere; partnerens organisation for en "
            "partner."
        )
        self.fields["areas"].queryset = Area.objects.all()
        self.fields["areas"].help_text = _(
            "En partner ser kun disse områder. For medarbejdere er det de områder, "
            "de plejer at arbejde i."
        )
        joined = self.instance.pk is not None and self.instance.has_usable_password()
        if joined and by.role != Role.ADMIN:
            # The e-mail opens the account (password reset, two-factor links):
            # only the admin role moves it once the person has joined.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "Personen logger ind med denne e-mail. Kun administratoren kan "
                "ændre den."
            )
        if self.instance.pk is not None and self.instance.pk == by.pk:
            self.fields["role"].disabled = True
            self.fields["role"].help_text = _("Du kan ikke ændre din egen rolle.")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.exclude(pk=self.instance.pk).filter(
            Q(email__iexact=email) | Q(username__iexact=email)
        )
        if others.exists():
            raise forms.ValidationError(
                _("Der er allerede en person med denne e-mail i portalen."),
                code="taken",
            )
        return email

    def clean(self):
        data = super().clean()
        role, organisation = data.get("role"), data.get("organisation")
        if role and organisation:
            is_house = organisation.kind == Organisation.Kind.BOLIGSOCIALT_HUS
            if role == Role.PARTNER and is_house:
                self.add_error(
                    "organisation",
                    _(
                        "En partner hører til en partnerorganisation, ikke "
                        "BoligSocialt Hus."
                    ),
                )
            if role in INSIDE_ROLES and not is_house:
                self.add_error(
                    "organisation",
                    _("Medarbejdere i denne rolle hører til BoligSocialt Hus."),
                )
        if role == Role.PARTNER and "areas" in data and not data["areas"]:
            self.add_error(
                "areas", _("Vælg mindst ét område: en partner ser kun sine områder.")
            )
        return data


class ConfirmForm(forms.Form):
    """A button on a person (deactivate, reactivate): the version it was shown
    with, so that a colleague's change meanwhile is not overruled."""

    version = VersionField()


class PersonFilter(django_filters.FilterSet):
    ACTIVE, INVITED, INACTIVE = "active", "invited", "inactive"

    q = django_filters.CharFilter(method="filter_text", label=_("Navn eller e-mail"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Rolle"))
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("Organisation")
    )
    state = django_filters.ChoiceFilter(
        choices=[
            (ACTIVE, _("Aktive")),
            (INVITED, _("Inviteret, ikke startet")),
            (INACTIVE, _("Ikke aktive")),
        ],
        method="filter_state",
        label=_("Status"),
    )

    class Meta:
        model = User
        fields = ["q", "role", "organisation", "state"]

    def filter_text(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(username__icontains=word)
            )
        return queryset

    def filter_state(self, queryset, name, value):
        waiting = Invitation.objects.waiting().filter(kind=Invitation.Kind.JOIN)
        invited = Q(is_active=False, pk__in=waiting.values("person"))
        if value == self.ACTIVE:
            return queryset.filter(is_active=True)
        if value == self.INVITED:
            return queryset.filter(invited)
        return queryset.filter(is_active=False).exclude(invited)
