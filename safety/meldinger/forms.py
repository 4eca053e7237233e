"""Forms of "Meld et problem": the resident's report, and its decline by staff."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from boligsocial.editing import GuardedModelForm
from boligsocial.models import Area, HousingDepartment, street_key
from boligsocial.places import in_outline
from safety.walks.models import FindingCategory
from safety.walks.photos import NOT_AN_IMAGE, encoded_photo

from .models import DeclineReason, ResidentReport

# The categories the portal starts with (safety migration 0004), in the residents'
# languages; one a coordinator adds is shown as it is named.
SEEDED_CATEGORIES = [
    gettext_noop("Hærværk"),
    gettext_noop("Belysning"),
    gettext_noop("Stier og adgangsforhold"),
    gettext_noop("Grønne arealer"),
    gettext_noop("Affald"),
    gettext_noop("Utryg adfærd"),
    gettext_noop("Andet"),
]

# "Bøgeparken 12", "Rising Allé 3, st. tv.": a street and a house number.
ADDRESS = re.compile(r"^\s*(?P<street>[^\d,]+?)\s+\d+")


class ResidentReportForm(GuardedModelForm):
    """A resident reports a problem on their area's page, often on a phone: what
    kind, where (a point on the map, the phone's position, or an address), what,
    and, if they like, a photo and an e-mail for updates."""

    photo = forms.FileField(
        label=_("Billede (hvis du vil)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("JPEG, PNG eller WebP, højst 10 MB. Undgå at fotografere folk."),
    )
    # A field people never see (hidden by CSS and from screen readers); bots that
    # fill every field fill it too.
    website = forms.CharField(
        required=False,
        label=_("Lad dette felt være tomt"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    encoded = None  # the photo re-encoded (clean_photo)

    class Meta:
        model = ResidentReport
        fields = ["category", "description", "place", "latitude", "longitude", "email"]
        labels = {
            "category": _("Hvad drejer det sig om?"),
            "description": _("Beskriv problemet"),
            "place": _("Adresse eller sted"),
            "email": _("Din e-mail (hvis du vil have besked)"),
        }
        help_texts = {
            "place": _("Fx »Bøgeparken 12« eller »stien bag legepladsen«."),
            "email": _(
                "Vi skriver, når der sker noget med din melding, og sletter din "
                "e-mail en måned efter, at sagen er afsluttet."
            ),
        }
        widgets = {
            "category": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "category": {"required": _("Vælg, hvad det drejer sig om.")},
            "description": {"required": _("Beskriv kort, hvad der er galt.")},
            "email": {"invalid": _("Skriv en gyldig e-mailadresse, fx navn@mail.dk.")},
        }

    def __init__(self, *args, area: Area, **kwargs):
        self.area = area
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.queryset = FindingCategory.objects.all()
        category.empty_label = None
        category.label_from_instance = lambda c: gettext(c.name)
        self.fields["place"].widget.attrs["list"] = "streets"

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if not text:
            raise ValidationError(_("Beskriv kort, hvad der er galt."))
        return text

    def clean_place(self) -> str:
        return " ".join(self.cleaned_data["place"].split())

    def clean_photo(self):
        """Checked and re-encoded once, here: anything Pillow cannot turn into a
        JPEG is refused by the field, never a server error after it."""
        upload = self.cleaned_data.get("photo")
        self.encoded = None
        if upload:
            try:
                self.encoded = encoded_photo(upload)
            except ValidationError:
                raise
            except Exception as error:
                raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
        return upload

    def clean(self) -> dict:
        data = super().clean()
        place = data.get("place")
        lat, lon = data.get("latitude"), data.get("longitude")
        if lat is not None and lon is not None:
            if not in_outline(self.area.outline, float(lat), float(lon)):
                self.add_error(
                    "place",
                    _(
                        "Punktet på kortet ligger uden for %(area)s. Flyt det, "
                        "eller skriv adressen."
                    )
                    % {"area": self.area},
                )
        elif not place and not self.has_error("place"):
            self.add_error(
                "place",
                _(
                    "Vis stedet på kortet, brug din position, eller skriv "
                    "adressen eller stedet."
                ),
            )
        if place and (elsewhere := self._address_elsewhere(place)):
            self.add_error(
                "place",
                _(
                    "%(place)s ligger i %(other)s, ikke i %(area)s. Meld det på "
                    "siden for %(other)s."
                )
                % {"place": place, "other": elsewhere, "area": self.area},
            )
        if self.errors and self.files.get("photo"):
            # A browser never fills a file field in again. (The bound field
            # has taken its help text already.)
            self["photo"].help_text = _(
                "Vælg billedet igen, når du har rettet det andet."
            )
        return data

    def _address_elsewhere(self, place: str) -> Area | None:
        """The other area an address lies in, when its street is in none of this
        area's departments but in another area's (a resident on the wrong area's
        page). A place that is not an address is taken as written."""
        match = ADDRESS.match(place)
        if not match or self.area.departments_on(match["street"]):
            return None
        key = street_key(match["street"])
        for department in HousingDepartment.objects.exclude(
            area=self.area
        ).select_related("area"):
            if key in {street_key(line) for line in department.street_list}:
                return department.area
        return None

    def _post_clean(self) -> None:
        self.instance.area = self.area
        super()._post_clean()

    @transaction.atomic
    def save_new(self) -> ResidentReport:
        """The report, with its photo re-encoded without metadata, in the page's
        language (its mails and status page speak it)."""
        report = self.save(commit=False)
        report.language = translation.get_language()
        if self.encoded:
            photo, thumbnail, width, height = self.encoded
            report.image.save("photo.jpg", ContentFile(photo), save=False)
            report.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
            report.photo_width, report.photo_height = width, height
        try:
            report.save()
        except Exception:
            for field in (report.image, report.thumbnail):
                if field:
                    field.delete(save=False)
            raise
        return report


class DeclineForm(forms.Form):
    """Decline a report: the reason and a word to the resident, who reads both."""

    reason = forms.ChoiceField(
        label=_("Hvorfor afvises meldingen?"),
        choices=[("", "---------"), *DeclineReason.choices],
        error_messages={"required": _("Vælg en begrundelse.")},
    )
    note = forms.CharField(
        label=_("Svar til beboeren"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Beboeren kan læse det på sin statusside. Skriv ingen navne."),
        error_messages={"required": _("Skriv et par ord til beboeren.")},
    )
