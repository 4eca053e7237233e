"""Forms of Tryghedsvandringer: a walk, a finding and a finding's change of status."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boligsocial.clock import LocalDateTimeField
from boligsocial.editing import GuardedModelForm
from boligsocial.forms import DateInput, DateTimeInput, plausible_date
from boligsocial.models import Area, Organisation

from .models import CloseReason, Finding, RoutingRule, Walk
from .photos import validate_photo


class WalkForm(GuardedModelForm):
    class Meta:
        model = Walk
        fields = [
            "area",
            "starts_at",
            "status",
            "route",
            "organisations",
            "residents",
            "clear_stretches",
            "notes",
        ]
        field_classes = {"starts_at": LocalDateTimeField}
        widgets = {
            "starts_at": DateTimeInput(),
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


class FindingForm(GuardedModelForm):
    """A finding as it is seen on the walk, typed on a phone. The responsible
    organisation is suggested from the category and the area when left empty."""

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
        self.fields["responsible"].required = False
        self.fields["responsible"].help_text = _(
            "Tom: den, der plejer at have ansvaret for kategorien i området."
        )
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
            suggested = RoutingRule.suggest(
                category_id=category.pk, area_id=self.area.pk
            )
            if suggested is None:
                self.add_error(
                    "responsible",
                    _("Ingen har fast ansvar for %(category)s her: vælg hvem.")
                    % {"category": category},
                )
            else:
                data["responsible"] = suggested
        return data

    def _post_clean(self) -> None:
        self.instance.area = self.area
        super()._post_clean()


class StatusForm(forms.Form):
    """Move a finding along its lifecycle, with who and why."""

    to = forms.ChoiceField(label=_("Ny status"))
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

    def __init__(self, *args, finding: Finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.finding = finding
        self.fields["to"].choices = [
            (value, Finding.Status(value).label) for value in finding.next_statuses()
        ]
        self.fields["duplicate_of"].queryset = Finding.objects.filter(
            area=finding.area_id
        ).exclude(pk=finding.pk)
        self.initial.setdefault("version", finding.version)

    def clean_recheck_on(self):
        day = self.cleaned_data.get("recheck_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("Datoen ligger i fortiden."))
        return day
