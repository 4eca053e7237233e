"""The unit values of the gains (enhedsværdier), kept by coordinators in the
admin with their history. Report schedules are created, paused and deleted on
the report pages (reports/schedule_views.py)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Indicator
from boligsocial.admin_site import BackboneAdmin, RoleGatedAdmin
from boligsocial.editing import VersionField, stale_message

from .models import PARTICIPANTS, GainBasis, UnitValue, UnitValueVersion


class UnitValueForm(forms.ModelForm):
    # The edit guard (boligsocial.editing): the version the form was shown with
    # (named apart from the model's own `version`, which no form edits).
    seen_version = VersionField()

    class Meta:
        model = UnitValue
        fields = [
            "name",
            "description",
            "basis",
            "outcome_kind",
            "indicators",
            "activities",
            "low",
            "high",
            "price_year",
            "source_title",
            "source_publisher",
            "source_year",
            "source_page",
            "source_url",
            "needs_review",
            "is_active",
            "order",
        ]
        error_messages = {
            "source_title": {"required": _("Skriv kildens titel.")},
            "source_publisher": {"required": _("Skriv, hvem der har udgivet kilden.")},
            "source_year": {"required": _("Skriv det år, kilden er udgivet.")},
            "price_year": {"required": _("Skriv det år, beløbet er i priser fra.")},
            "low": {"required": _("Skriv det lave skøn i kr.")},
            "high": {"required": _("Skriv det høje skøn i kr.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version
        # A retired outcome stays on the list, said to be retired: choosing it
        # gets its own message (UnitValue.clean), not "not a valid choice".
        self.fields["outcome_kind"].label_from_instance = lambda kind: (
            kind.name
            if kind.is_active
            else _("%(name)s (ikke i brug)") % {"name": kind.name}
        )

    def clean(self):
        """A value someone saved since this form was shown is refused (its row
        locked until this save is done); only the part of what it multiplies
        that its basis uses is kept (a value whose basis was changed drops the
        indicators or activities it had); and the model's rules of what it
        multiplies (`UnitValue.counted_errors`)."""
        data = super().clean()
        if self.instance.pk:
            current = (
                UnitValue.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != data.get("seen_version"):
                raise ValidationError(stale_message())
        # What its gains depend on before this save, to tell whether it is a new
        # version: the value as loaded is the row as locked (the same version).
        self.previous = self.instance.snapshot() if self.instance.pk else None
        basis = data.get("basis")
        if basis != GainBasis.INDICATOR:
            data["indicators"] = Indicator.objects.none()
        if basis not in PARTICIPANTS:
            data["activities"] = Activity.objects.none()
        if basis and "indicators" in data and "activities" in data:
            as_posted = UnitValue(
                pk=self.instance.pk,
                basis=basis,
                outcome_kind=data.get("outcome_kind"),
                is_active=data.get("is_active", False),
            )
            errors = as_posted.counted_errors(
                indicators=list(data["indicators"]),
                activities=list(data["activities"]),
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data


class UnitValueVersionInline(RoleGatedAdmin, admin.TabularInline):
    """The history: every version as it was, read only."""

    model = UnitValueVersion
    extra = 0
    can_delete = False
    fields = [
        "revision",
        "changed_at",
        "changed_by",
        "low",
        "high",
        "price_year",
        "counted",
        "source",
    ]
    readonly_fields = fields
    verbose_name_plural = _("historik")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UnitValue)
class UnitValueAdmin(BackboneAdmin):
    """A unit value is retired (not in use), never deleted: the reports that used
    it name it, and its history stays."""

    form = UnitValueForm
    list_display = [
        "name",
        "basis",
        "low",
        "high",
        "price_year",
        "source_year",
        "revision",
        "needs_review",
        "is_active",
    ]
    list_filter = ["basis", "needs_review", "is_active"]
    search_fields = ["name", "source_title"]
    filter_horizontal = ["indicators", "activities"]
    readonly_fields = ["revision", "changed_at"]
    inlines = [UnitValueVersionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "description",
                    "needs_review",
                    "is_active",
                    "order",
                    "seen_version",  # hidden: the edit guard
                ]
            },
        ),
        (
            _("Hvad værdien ganges med"),
            {"fields": ["basis", "outcome_kind", "indicators", "activities"]},
        ),
        (_("Beløb pr. enhed"), {"fields": ["low", "high", "price_year"]}),
        (
            _("Kilde"),
            {
                "fields": [
                    "source_title",
                    "source_publisher",
                    "source_year",
                    "source_page",
                    "source_url",
                ]
            },
        ),
        (_("Version"), {"fields": ["revision", "changed_at"]}),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).prefetch_related("indicators", "activities")
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "indicators":
            kwargs["queryset"] = Indicator.objects.select_related("activity")
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "indicators":
            # Several activities count an indicator of the same name.
            field.label_from_instance = lambda i: f"{i.activity.name}: {i.name}"
        return field

    def save_model(self, request, obj, form, change) -> None:
        # The edit guard's claim of the version shown (the form's clean locked
        # the row and found it still at that version).
        if change:
            obj.claim(form.cleaned_data["seen_version"])
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        # Its indicators and activities are saved here, after the value itself:
        # only now is the whole of it known. The admin's transaction holds both.
        super().save_related(request, form, formsets, change)
        form.instance.record_change(by=request.user, previous=form.previous)
