from django.contrib import admin

from boligsocial.admin_site import BackboneAdmin, RoleGatedAdmin

from .models import CaseAccess, DropIn, OutcomeKind


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


@admin.register(CaseAccess)
class CaseAccessAdmin(RoleGatedAdmin, admin.ModelAdmin):
    """The access log, read only: the readers of the access log (coordinators) see
    it here as on its own page; nobody, the admin role included, adds, changes or
    deletes an entry (the model and the database refuse it too)."""

    list_display = ["case_number", "user", "at", "action", "purpose", "reason"]
    list_filter = ["action", "purpose"]
    list_select_related = ["user"]
    fields = ["case_number", "user", "at", "action", "purpose", "reason"]

    def allows(self, user) -> bool:
        return user.can_read_access_log

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
