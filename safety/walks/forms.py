"""Forms of Tryghedsvandringer: a walk, a finding and a finding's change of status."""

import datetime
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boligsocial.clock import LocalDateTimeField
from boligsocial.editing import GuardedModelForm
from boligsocial.forms import (
    DateInput,
    DateTimeInput,
    RoutingFormMixin,
    plausible_date,
    route_anyway_field,
)
from boligsocial.models import Area, Organisation
from boligsocial.places import RouteField

from .models import CloseReason, Finding, FindingStatus, RoutingRule, Walk
from .photos import validate_photo


class WalkForm(GuardedModelForm):
    class Meta:
        model = Walk
        fields = [
            "area",
            "starts_at",
            "status",
            "route",
            "route_line",
            "organisations",
            "residents",
            "clear_stretches",
            "notes",
        ]
        field_classes = {"starts_at": LocalDateTimeField, "route_line": RouteField}
        widgets = {
            "starts_at": DateTimeInput(),
            "route_line": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            "organisations": forms.CheckboxSelectMultiple,
            "route": forms.Textarea(attrs={"rows": 2}),
            "clear_stretches": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.all()
        self.fields["starts_at"].validators.append(plausible_date)

    def clean(self) -> dict:
        data = super().clean()
        starts_at = data.get("starts_at")
        if (
            starts_at
            and data.get("status") == Walk.Status.HELD
            and starts_at > timezone.now()
        ):
            self.add_error(
                "status", _("En vandring i fremtiden kan ikke være gennemført.")
            )
        return data


class FindingForm(RoutingFormMixin, GuardedModelForm):
    """A finding as it is seen on the walk, typed on a phone. The responsible
    organisation is filled in from the category and the area (by the page's
    script as the category is chosen, or else on the first save, which then
    asks to save again): the person always sees who it goes to before it goes."""

    route_anyway = route_anyway_field()

    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*", "capture": "environment"}
        ),
    )

    class Meta:
        model = Finding
        fields = [
            "category",
            "description",
            "place",
            "latitude",
            "longitude",
            "severity",
            "responsible",
            "due_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_date": DateInput(),
            "latitude": forms.NumberInput(
                attrs={"step": "any", "inputmode": "decimal"}
            ),
            "longitude": forms.NumberInput(
                attrs={"step": "any", "inputmode": "decimal"}
            ),
        }

    def __init__(self, *args, area: Area, **kwargs):
        self.area = area
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()  # a suggestion is filled in below
        responsible = self.fields["responsible"]
        responsible.required = False
        responsible.help_text = _(
            "Tom: den, der plejer at have ansvaret for kategorien i området."
        )
        # The page's script fills the organisation in as the category is chosen;
        # clean() does when it did not.
        self.routing = RoutingRule.for_area(area.pk)
        responsible.widget.attrs["data-routing"] = json.dumps(self.routing)
        if not self.instance.pk and not self.initial.get("due_date"):
            self.initial["due_date"] = timezone.localdate() + datetime.timedelta(
                days=14
            )
        if self.instance.pk:
            del self.fields["photo"]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            validate_photo(upload)
        return upload

    def clean(self) -> dict:
        data = super().clean()
        category = data.get("category")
        if category and not data.get("responsible"):
            suggested = Organisation.objects.filter(
                pk=self.routing.get(str(category.pk))
            ).first()
            if suggested is None:
                self.add_error(
                    "responsible",
                    _("Ingen har fast ansvar for %(category)s her: vælg hvem.")
                    % {"category": category},
                )
            else:
                # Named before it is sent: shown chosen, to be saved again.
                self.data[self.add_prefix("responsible")] = suggested.pk
                self.add_error(
                    "responsible",
                    _(
                        "Fundet sendes til %(organisation)s, der plejer at have "
                        "ansvaret. Tjek det, og gem igen."
                    )
                    % {"organisation": suggested},
                )
        if responsible := data.get("responsible"):
            self.check_reachable("responsible", [responsible])
        return data

    def _post_clean(self) -> None:
        self.instance.area = self.area
        super()._post_clean()


# The statuses that end the work on a finding: asked once to confirm.
FINAL = (FindingStatus.FIXED, FindingStatus.CLOSED)


class StatusForm(forms.Form):
    """Move a finding along its lifecycle, with who and why. Nothing is chosen
    beforehand; the fields of a fixing or a closing show when it is chosen (the
    page's CSS), and either is confirmed once before it is saved."""

    to = forms.ChoiceField(
        label=_("Ny status"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg den nye status.")},
    )
    note = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.ChoiceField(
        label=_("Hvorfor lukkes det uden udbedring?"),
        required=False,
        choices=[("", "---------"), *CloseReason.choices],
    )
    passed_to = forms.CharField(label=_("Givet videre til"), required=False)
    duplicate_of = forms.ModelChoiceField(
        label=_("Dublet af"), queryset=Finding.objects.none(), required=False
    )
    recheck_on = forms.DateField(
        label=_("Tjekkes igen på vandring"), required=False, widget=DateInput()
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, finding: Finding, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.finding = finding
        self.fields["to"].choices = [
            (value, Finding.Status(value).label) for value in finding.next_statuses()
        ]
        # Only findings the person may open: a partner is never shown the title
        # of another organisation's finding.
        self.fields["duplicate_of"].queryset = (
            Finding.objects.visible_to(user)
            .filter(area=finding.area_id)
            .exclude(pk=finding.pk)
        )
        self.initial.setdefault("version", finding.version)

    def clean_recheck_on(self):
        day = self.cleaned_data.get("recheck_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("Datoen ligger i fortiden."))
        return day

    def clean(self) -> dict:
        """The finding's own rules, before the change is confirmed."""
        data = super().clean()
        if "to" in data and not self.errors:
            try:
                self.finding.status_changes(
                    to=data["to"],
                    reason=data["reason"],
                    passed_to=data["passed_to"],
                    duplicate_of=data["duplicate_of"],
                    recheck_on=data["recheck_on"],
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

    @property
    def needs_confirmation(self) -> bool:
        """A valid fixing or closing that has not been confirmed yet."""
        data = self.cleaned_data
        return data["to"] in FINAL and not data["confirmed"]

    def summary(self) -> dict:
        """What the confirmation says will be saved."""
        data = self.cleaned_data
        reason = data["reason"] if data["to"] == FindingStatus.CLOSED else ""
        detail = {
            CloseReason.NOT_OURS: data["passed_to"],
            CloseReason.DUPLICATE: data["duplicate_of"],
        }.get(reason, "")
        return {
            "status": FindingStatus(data["to"]).label,
            "reason": CloseReason(reason).label if reason else "",
            "detail": detail or "",
        }
