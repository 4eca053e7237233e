"""Forms of the beredskab's contact lists and of the crime-prevention network's
meetings and follow-up tasks.

The rules live on the models (`Contact.clean`: a phone or an e-mail, a stand-in
from the same organisation); a ModelForm reports them next to their field. The
meetings' free text is read by the partners who took part: it is checked for CPR
numbers (`CprCheckedForm`)."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from boligsocial.editing import GuardedModelForm
from boligsocial.forms import (
    DanishPhoneField,
    DateInput,
    RoutingFormMixin,
    route_anyway_field,
)
from boligsocial.models import Area, Organisation
from boligsocial.sensitive import CprCheckedForm

from .models import Contact, FollowUpTask, NetworkMeeting


class ContactForm(GuardedModelForm):
    phone = DanishPhoneField(example="66 14 14 48")

    class Meta:
        model = Contact
        fields = [
            "organisation",
            "area",
            "name",
            "role",
            "phone",
            "email",
            "stand_in",
            "rank",
            "note",
        ]
        widgets = {
            "rank": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        error_messages = {
            "organisation": {"required": _("Vælg organisationen.")},
            "email": {"invalid": _("Skriv en gyldig e-mailadresse, fx navn@mail.dk.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].empty_label = _("Alle områder")
        # Every contact, named with its organisation; one of another organisation
        # is refused by Contact.clean next to the field.
        stand_ins = Contact.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        )
        if self.instance.pk:
            stand_ins = stand_ins.exclude(pk=self.instance.pk)
        self.fields["stand_in"].queryset = stand_ins
        self.fields["stand_in"].label_from_instance = lambda contact: (
            f"{contact.organisation.name} · {contact.name}"
        )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def _post_clean(self) -> None:
        malformed_phone = self.has_error("phone")
        super()._post_clean()
        if malformed_phone:
            # Contact.clean's "a phone or an e-mail" would only repeat that the
            # number typed is not one.
            del self._errors["phone"][1:]


class MeetingForm(CprCheckedForm, GuardedModelForm):
    """A meeting of the network: the partners who took part read it."""

    cpr_checked_fields = ("participants", "agenda", "decisions")

    class Meta:
        model = NetworkMeeting
        fields = [
            "held_on",
            "forum",
            "areas",
            "organisations",
            "participants",
            "agenda",
            "decisions",
        ]
        widgets = {
            "held_on": DateInput(),
            "areas": forms.CheckboxSelectMultiple,
            "organisations": forms.CheckboxSelectMultiple,
            "participants": forms.Textarea(attrs={"rows": 4}),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "organisations": _(
                "Partnerne fra de valgte organisationer kan læse mødet og melde "
                "deres egne opgaver udført."
            ),
        }
        error_messages = {
            "held_on": {"required": _("Skriv mødets dato.")},
            "organisations": {
                "required": _("Vælg de organisationer, der deltog i mødet.")
            },
            "agenda": {"required": _("Skriv mødets dagsorden.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.all()
        self.fields["organisations"].queryset = Organisation.objects.all()


class TaskForm(RoutingFormMixin, CprCheckedForm, GuardedModelForm):
    """A follow-up task of a meeting. The organisations that took part in the
    meeting are offered first; any organisation may own a task."""

    route_anyway = route_anyway_field()

    cpr_checked_fields = ("description",)

    class Meta:
        model = FollowUpTask
        fields = ["description", "owner", "owner_name", "due_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "due_on": DateInput(),
        }
        error_messages = {
            "description": {"required": _("Beskriv opgaven.")},
            "owner": {
                "required": _("Vælg den organisation, der har ansvaret."),
                "invalid_choice": _("Vælg den organisation, der har ansvaret."),
            },
            "due_on": {"required": _("Sæt en frist for opgaven.")},
        }

    def __init__(self, *args, meeting: NetworkMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        took_part = NetworkMeeting.organisations.through.objects.filter(
            networkmeeting_id=meeting.pk, organisation_id=OuterRef("pk")
        )
        organisations = Organisation.objects.annotate(took_part=Exists(took_part))
        owner = self.fields["owner"]
        owner.queryset = organisations
        # One query for both groups; the field still validates against the queryset.
        present, others = [], []
        for organisation in organisations.order_by("name"):
            choice = (organisation.pk, organisation.name)
            (present if organisation.took_part else others).append(choice)
        owner.choices = [
            ("", "---------"),
            *([(_("Deltog i mødet"), present)] if present else []),
            *([(_("Andre organisationer"), others)] if others else []),
        ]

    def clean_description(self) -> str:
        return " ".join(self.cleaned_data["description"].split())

    def clean(self) -> dict:
        data = super().clean()
        if owner := data.get("owner"):
            self.check_reachable("owner", [owner])
        return data

    def _post_clean(self) -> None:
        self.instance.meeting = self.meeting
        super()._post_clean()
