from django.contrib import admin

from boligsocial.admin_site import BackboneAdmin

from .models import DropIn, OutcomeKind


@admin.register(OutcomeKind)
class OutcomeKindAdmin(BackboneAdmin):
    """The fixed list of outcomes. An outcome in use is retired (not in use),
    never deleted: its cases still count it."""

    list_display = ["name", "code", "amount_kind", "amount_required", "is_active"]
    list_editable = ["is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # Figures find outcomes by code: it never changes once it exists.
        return ["code"] if obj else []


@admin.register(DropIn)
class DropInAdmin(BackboneAdmin):
    list_display = ["name", "area", "weekday", "starts_at", "ends_at", "is_active"]
    list_filter = ["area", "is_active"]
    list_select_related = ["area"]
