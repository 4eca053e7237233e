"""Forms of Nabohjælp: sign-ups (by staff and by residents) and the sign-up list's
filter."""

import re

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from boligsocial.editing import GuardedModelForm
from boligsocial.forms import DanishPhoneField, DateInput, KnownChoiceField
from boligsocial.models import Area, HousingDepartment

from .models import Channel, ConsentText, SignUp, Status

PERSON_FIELDS = ["name", "street", "number", "floor_door", "phone", "email"]


class SignUpFormBase(GuardedModelForm):
    """What both sign-up forms ask and check: the person, the address within an
    area, a way to reach them; and (GuardedModelForm) a token that makes a
    resubmission harmless, or the version an edit was made from."""

    phone = DanishPhoneField(autocomplete="tel")
    department = KnownChoiceField(
        queryset=HousingDepartment.objects.none(),
        required=False,
        label=_("Boligafdeling"),
        help_text=_("Findes ud fra vejen, hvis den ikke vælges."),
    )

    class Meta:
        model = SignUp
        fields = ["name", "street", "number", "floor_door", "phone", "email"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "number": forms.TextInput(attrs={"inputmode": "text"}),
        }
        error_messages = {
            "email": {"invalid": _("Skriv en gyldig e-mailadresse, fx navn@mail.dk.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "street", "number"):
            self.fields[name].required = True

    def area_for_address(self) -> Area | None:
        raise NotImplementedError

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_street(self) -> str:
        return " ".join(self.cleaned_data["street"].split())

    def clean(self) -> dict:
        data = super().clean()
        # The database insists on one of them too; the form says it by the field,
        # unless the field already says it is malformed.
        contact_errors = self.has_error("phone") or self.has_error("email")
        if not (data.get("phone") or data.get("email") or contact_errors):
            self.add_error("phone", _("Skriv et telefonnummer eller en e-mailadresse."))
        area = self.area_for_address()
        street = data.get("street")
        if area and street and not data.get("department"):
            self._find_department(area, street, data)
        return data

    def _find_department(self, area: Area, street: str, data: dict) -> None:
        found = area.departments_on(street, data.get("number", ""))
        if len(found) == 1:
            data["department"] = found[0]
        elif found:
            self.add_error(
                "department",
                _("Vejen findes i flere afdelinger. Vælg afdelingen."),
            )
        else:
            self.add_error(
                "street",
                _(
                    "Adressen ligger ikke i en boligafdeling i %(area)s. Tjek "
                    "vejnavnet, eller vælg afdelingen."
                )
                % {"area": area},
            )

    def _post_clean(self) -> None:
        if "department" in self.cleaned_data:
            self.instance.department = self.cleaned_data["department"]
        area = self.area_for_address()
        if area:
            self.instance.area = area
        super()._post_clean()

    def save_new(
        self, *, status: str, channel: str | None = None, by=None, language="da"
    ):
        """Save a new sign-up with the consent given now to the wording in use, in
        the language it was shown in."""
        signup = self.instance
        signup.status = status
        signup.consent_text = ConsentText.current(language)
        signup.consented_at = timezone.now()
        signup.submission = self.cleaned_data.get("submission")
        signup.created_by = by
        signup.signed_up_on = signup.signed_up_on or timezone.localdate()
        if channel:
            signup.channel = channel
        signup.save()
        return signup


class SignUpForm(SignUpFormBase):
    """Staff register a sign-up (or correct one)."""

    area = KnownChoiceField(queryset=Area.objects.all(), label=_("Boligområde"))
    consent = forms.BooleanField(
        label=_("Beboeren har læst og accepteret samtykketeksten"),
        error_messages={"required": _("Beboeren skal give samtykke.")},
    )
    save_anyway = forms.BooleanField(
        label=_("Gem alligevel: det er ikke den samme person"), required=False
    )

    class Meta(SignUpFormBase.Meta):
        fields = [
            "area",
            "department",
            *PERSON_FIELDS,
            "channel",
            "signed_up_on",
            "is_ambassador",
            "note",
        ]
        widgets = {
            **SignUpFormBase.Meta.widgets,
            "signed_up_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, known=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates: list[SignUp] = []
        # An import's catalogue (its areas with their departments, and the
        # sign-ups its rows may repeat, loaded once for a thousand rows) answers
        # the choices and the same-person rule without a query per row.
        self.known = known
        if known is not None:
            self.fields["area"].known = known.area_objects
            self.fields["department"].known = known.all_departments
        # Every department, named with its area: the form works without scripts.
        self.fields["department"].queryset = HousingDepartment.objects.select_related(
            "area"
        )
        self.fields["department"].label_from_instance = lambda d: f"{d.area.name} · {d}"
        if self.instance.pk:
            # Consent was given when the sign-up was made; it is not given again.
            del self.fields["consent"]
        elif known is None:
            # Read when the form is shown, not for every row an import validates.
            # Escaped: a help text is shown as HTML, and the wording is typed in
            # the admin.
            self.fields["consent"].help_text = lazy(
                lambda: escape(ConsentText.current().text), str
            )()
            self.initial["signed_up_on"] = (
                self.initial.get("signed_up_on") or timezone.localdate()
            )
        self.fields["channel"].choices = [
            (value, label)
            for value, label in Channel.choices
            if value != Channel.PUBLIC_PAGE or self.instance.channel == value
        ]

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            Fieldset(
                _("Beboeren"),
                "name",
                Row(
                    Column("phone", css_class="col-md-6"),
                    Column("email", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Adresse"),
                Row(
                    Column("area", css_class="col-md-6"),
                    Column("department", css_class="col-md-6"),
                ),
                Row(
                    Column("street", css_class="col-md-6"),
                    Column("number", css_class="col-6 col-md-3"),
                    Column("floor_door", css_class="col-6 col-md-3"),
                ),
            ),
            Fieldset(
                _("Tilmeldingen"),
                Row(
                    Column("channel", css_class="col-md-6"),
                    Column("signed_up_on", css_class="col-md-6"),
                ),
                "is_ambassador",
                "note",
                *(["consent"] if "consent" in self.fields else []),
                *(["save_anyway"] if self.duplicates else []),
            ),
            *[name for name in ("version", "submission") if name in self.fields],
        )
        return helper

    def area_for_address(self) -> Area | None:
        return self.cleaned_data.get("area")

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.known is not None:
            # The area and department were loaded by the import a moment ago, and
            # the channel is one of the form's choices: the model's checks of
            # them would each cost a query a row (the database still has them).
            exclude |= {"area", "department", "channel"}
        return exclude

    def clean_signed_up_on(self):
        day = self.cleaned_data["signed_up_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Datoen ligger i fremtiden."))
        return day

    def clean(self) -> dict:
        data = super().clean()
        if self.errors or data.get("save_anyway"):
            return data
        person = {
            "name": data["name"],
            "department": data["department"],
            "street": data["street"],
            "number": data["number"],
            "floor_door": data.get("floor_door", ""),
        }
        if self.known is not None:
            self.duplicates = self.known.same_person(**person)
        else:
            self.duplicates = list(
                SignUp.objects.same_person(**person)
                .exclude(pk=self.instance.pk)
                .select_related("area")
            )
        if self.duplicates:
            raise forms.ValidationError(
                _(
                    "Måske er personen allerede tilmeldt på samme adresse. Se "
                    "tilmeldingen nedenfor, eller sæt kryds i »Gem alligevel«."
                ),
                code="possible_duplicate",
            )
        return data


class PublicSignUpForm(SignUpFormBase):
    """A resident signs up on their area's public page."""

    consent = forms.BooleanField(
        label=_("Jeg har læst teksten om samtykke og siger ja til den"),
        error_messages={
            "required": _("Du skal sige ja til samtykket for at blive tilmeldt.")
        },
    )
    # A field people never see (hidden by CSS and from screen readers); bots that
    # fill every field fill it too.
    website = forms.CharField(
        required=False,
        label=_("Lad dette felt være tomt"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta(SignUpFormBase.Meta):
        fields = [*PERSON_FIELDS, "department", "is_ambassador"]
        labels = {
            "name": _("Dit navn"),
            "street": _("Vej"),
            "is_ambassador": _("Jeg vil gerne hjælpe som ambassadør"),
        }
        help_texts = {
            "is_ambassador": _(
                "En ambassadør fortæller naboerne om Nabohjælp og hjælper dem med "
                "at komme med."
            ),
        }

    def __init__(self, *args, area: Area, **kwargs):
        self.area = area
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = area.departments.all()
        self.fields["street"].widget.attrs["list"] = "streets"
        self.fields["department"].label = _("Boligafdeling (hvis du kender den)")
        self.fields["department"].help_text = ""
        self.fields["department"].error_messages["invalid_choice"] = _(
            "Vælg en af afdelingerne i %(area)s."
        ) % {"area": area}

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            "name",
            Row(
                Column("phone", css_class="col-sm-6"),
                Column("email", css_class="col-sm-6"),
            ),
            Row(
                Column("street", css_class="col-sm-6"),
                Column("number", css_class="col-6 col-sm-3"),
                Column("floor_door", css_class="col-6 col-sm-3"),
            ),
            "department",
            "is_ambassador",
            *[name for name in ("submission",) if name in self.fields],
        )
        return helper

    def area_for_address(self) -> Area:
        return self.area

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class SignUpFilter(django_filters.FilterSet):
    """The sign-up list's filters; the same filter drives the CSV and Excel export."""

    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(), label=_("Område")
    )
    department = django_filters.ModelChoiceFilter(
        queryset=HousingDepartment.objects.all(), label=_("Afdeling")
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Kanal"))
    is_ambassador = django_filters.BooleanFilter(label=_("Ambassadør"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Navn"))

    class Meta:
        model = SignUp
        fields = ["area", "department", "status", "channel", "is_ambassador", "name"]


# --- Tryghedsvandringer -------------------------------------------------------------


class WithdrawalContactForm(forms.Form):
    """The public "Afmeld" page: the e-mail or the phone number the resident
    signed up with."""

    contact = forms.CharField(
        label=_("Din e-mail eller dit telefonnummer"),
        max_length=254,
        help_text=_("Det, du skrev, da du tilmeldte dig."),
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Skriv din e-mail eller dit telefonnummer.")},
    )

    def clean_contact(self) -> tuple[str, str]:
        """("email", the address) or ("sms", the number in international form)."""
        text = self.cleaned_data["contact"].strip()
        if "@" in text:
            try:
                validate_email(text)
            except ValidationError:
                raise ValidationError(
                    _("Skriv en gyldig e-mailadresse, fx navn@mail.dk.")
                ) from None
            return ("email", text)
        try:
            number = DanishPhoneField(example="20 12 34 56").clean(text)
        except ValidationError:
            raise ValidationError(
                _("Skriv en e-mailadresse eller et telefonnummer, fx 20 12 34 56.")
            ) from None
        return ("sms", str(number))


class WithdrawalCodeForm(WithdrawalContactForm):
    """The code; and, when the session no longer knows whom it is for (a text
    message can take a day), the e-mail or phone number again."""

    code = forms.CharField(
        label=_("Koden"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
        error_messages={"required": _("Skriv koden.")},
    )

    def __init__(self, *args, known: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if known:
            del self.fields["contact"]

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("Koden er seks cifre."))
        return code
