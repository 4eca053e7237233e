"""Forms of the beredskab's incidents: the incident itself, the organisations told
of it, its timeline and its closing evaluation.

Partners read every free text here (title, place, description, the timeline, the
evaluation), so each goes through `CprCheckedForm` for CPR and phone numbers: a
resident's number is stored only once a person has confirmed it is none."""

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from boligsocial.clock import LocalDateTimeField
from boligsocial.editing import GuardedModelForm
from boligsocial.forms import (
    DateTimeInput,
    RoutingFormMixin,
    plausible_date,
    route_anyway_field,
)
from boligsocial.models import Area, Organisation
from boligsocial.sensitive import CprCheckedForm

from .models import Contact, Incident, IncidentEntry


def partner_organisations() -> QuerySet:
    """The organisations an incident can be told to: all but BoligSocialt Hus."""
    return Organisation.objects.exclude(
        kind=Organisation.Kind.BOLIGSOCIALT_HUS
    ).order_by("name")


class OrganisationsField(forms.ModelMultipleChoiceField):
    """The partner organisations to tell, as checkboxes ordered by name."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Hvem skal underrettes"))
        kwargs.setdefault(
            "help_text",
            _(
                "Organisationens kontaktpersoner for området får en e-mail med det "
                "samme."
            ),
        )
        super().__init__(queryset=partner_organisations(), **kwargs)


def check_contacts(form: forms.Form, organisations, area: Area) -> None:
    """Every organisation chosen must have a contact with an e-mail covering the
    area; otherwise the mail could reach nobody. Names those without, by the field."""
    if not organisations or area is None:
        return
    reachable = set(
        Contact.objects.filter(organisation__in=organisations)
        .for_area(area.pk)
        .with_email()
        .values_list("organisation_id", flat=True)
    )
    missing = [o.name for o in organisations if o.pk not in reachable]
    if not missing:
        return
    # format_html keeps the link a link; the names are escaped.
    message = format_html(
        '{} <a href="{}">{}</a>{}',
        ngettext(
            "%(names)s har ingen kontaktperson med e-mail for %(area)s. Tilføj en "
            "under",
            "%(names)s har ingen kontaktpersoner med e-mail for %(area)s. Tilføj "
            "dem under",
            len(missing),
        )
        % {"names": ", ".join(missing), "area": area},
        reverse("safety:contact_list"),
        _("Kontaktlister"),
        _(", eller fjern krydset."),
    )
    form.add_error("organisations", message)


class IncidentForm(CprCheckedForm, GuardedModelForm):
    """What happened, where, when and how serious; who reported it by kind, never
    by name. Editing changes these facts only, not who was told."""

    cpr_checked_fields = ("title", "place", "description")
    phone_checked_fields = ("title", "place", "description")

    class Meta:
        model = Incident
        fields = [
            "title",
            "kind",
            "area",
            "place",
            "occurred_at",
            "severity",
            "reported_by",
            "description",
        ]
        field_classes = {"occurred_at": LocalDateTimeField}
        widgets = {
            "occurred_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "area": {"required": _("Vælg det boligområde, hændelsen skete i.")},
            "severity": {"required": _("Vælg, hvor alvorlig hændelsen er.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.all()
        self.fields["occurred_at"].validators.append(plausible_date)
        if not self.instance.pk and not self.initial.get("occurred_at"):
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial["occurred_at"] = now


class NewIncidentForm(RoutingFormMixin, IncidentForm):
    """A new incident, and the partners to tell of it at once."""

    organisations = OrganisationsField(required=False)
    route_anyway = route_anyway_field()

    def clean(self) -> dict:
        data = super().clean()
        check_contacts(self, data.get("organisations"), data.get("area"))
        self.check_reachable("organisations", data.get("organisations") or [])
        return data


class NotifyForm(RoutingFormMixin, forms.Form):
    """Tell more organisations of an incident; those told already are not offered."""

    route_anyway = route_anyway_field()

    organisations = OrganisationsField(
        error_messages={
            "required": _("Vælg mindst én organisation."),
            "invalid_choice": _(
                "Vælg blandt organisationerne på listen; de underrettede står der ikke."
            ),
        }
    )

    def __init__(self, *args, incident: Incident, told: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.fields["organisations"].queryset = partner_organisations().exclude(
            pk__in=told
        )

    def clean(self) -> dict:
        data = super().clean()
        check_contacts(self, data.get("organisations"), self.incident.area)
        self.check_reachable("organisations", data.get("organisations") or [])
        return data


class EntryForm(CprCheckedForm, GuardedModelForm):
    """A line in the timeline. A message needs its channel and audience, a press
    text who approved it (`IncidentEntry.clean`); the fields that belong to another
    kind are emptied rather than stored beside it."""

    cpr_checked_fields = ("text", "actor", "approved_by")
    phone_checked_fields = ("text", "actor", "approved_by")

    class Meta:
        model = IncidentEntry
        fields = [
            "kind",
            "happened_at",
            "text",
            "actor",
            "channel",
            "audience",
            "approved_by",
        ]
        field_classes = {"happened_at": LocalDateTimeField}
        widgets = {
            "happened_at": DateTimeInput(),
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "channel": _("Kun for beskeder til beboere eller institutioner."),
            "audience": _("Kun for beskeder til beboere eller institutioner."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["happened_at"].validators.append(plausible_date)
        if not self.instance.pk:
            # The model's default has seconds; the input shows minutes.
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial["happened_at"] = now

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != IncidentEntry.Kind.MESSAGE:
            data["channel"] = data["audience"] = ""
        if kind and kind != IncidentEntry.Kind.PRESS:
            data["approved_by"] = ""
        return data


class CloseForm(CprCheckedForm):
    """The short evaluation an incident closes with: how it was handled, what to
    do differently. Partners read it."""

    cpr_checked_fields = ("evaluation",)
    phone_checked_fields = ("evaluation",)
    field_order = ["evaluation", "confirm_cpr"]

    evaluation = forms.CharField(
        label=_("Evaluering"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Hvordan gik håndteringen, og hvad gør vi anderledes næste gang? "
            "Partnerne læser teksten."
        ),
        error_messages={"required": _("Skriv en kort evaluering.")},
    )
