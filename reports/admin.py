"""The unit values of the gains (enhedsværdier), kept by coordinators in the
admin with their history. Report schedules are created, paused and deleted on
the report pages (reports/schedule_views.py)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Indicator
from boligsocial.admin_site import BackboneAdmin, RoleGatedAdmin

from .models import GainBasis, UnitValue, UnitValueVersion


class UnitValueForm(forms.ModelForm):
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

    def clean(self):
        """Only the part of what it multiplies that its basis uses is kept: a
        value whose basis was changed drops the indicators or activities it had."""
        data = super().clean()
        basis = data.get("basis")
        if basis != GainBasis.INDICATOR:
            data["indicators"] = Indicator.objects.none()
        if basis not in (GainBasis.PARTICIPANTS, GainBasis.NEW_PARTICIPANTS):
            data["activities"] = Activity.objects.none()
        return data

    def _post_clean(self):
        # The value as posted is known only once Django's form has put the
        # fields on it (here); then the model's rules of what it multiplies.
        super()._post_clean()
        if self.errors:
            return
        errors = self.instance.counted_errors(
            indicators=list(self.cleaned_data["indicators"]),
            activities=list(self.cleaned_data["activities"]),
        )
        for field, message in errors.items():
            self.add_error(field, message)


class UnitValueVersionInline(RoleGatedAdmin, admin.TabularInline):
    """The history: every version as it was, read only."""

    model = UnitValueVersion
    extra = 0
    can_delete = False
    fields = [
        "version",
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
        "version",
        "needs_review",
        "is_active",
    ]
    list_filter = ["basis", "needs_review", "is_active"]
    search_fields = ["name", "source_title"]
    filter_horizontal = ["indicators", "activities"]
    readonly_fields = ["version", "changed_at"]
    inlines = [UnitValueVersionInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "description", "needs_review", "is_active", "order"]},
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
        (_("Version"), {"fields": ["version", "changed_at"]}),
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
        # What its gains depended on before this save, to tell whether it is a
        # new version (the form has already changed `obj`).
        form.previous = (
            UnitValue.objects.get(pk=obj.pk).snapshot() if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        # Its indicators and activities are saved here, after the value itself:
        # only now is the whole of it known. The admin's transaction holds both.
        super().save_related(request, form, formsets, change)
        form.instance.record_change(by=request.user, previous=form.previous)
