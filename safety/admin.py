from django.contrib import admin

from boligsocial.admin_site import BackboneAdmin

from .models import ConsentText, SignUpTarget, WalkTarget


@admin.register(SignUpTarget)
class SignUpTargetAdmin(BackboneAdmin):
    list_display = ["area", "year", "value", "is_demo"]
    list_filter = ["year", "area"]
    list_select_related = ["area"]


@admin.register(WalkTarget)
class WalkTargetAdmin(BackboneAdmin):
    list_display = ["area", "year", "value", "is_demo"]
    list_filter = ["year", "area"]
    list_select_related = ["area"]


@admin.register(ConsentText)
class ConsentTextAdmin(BackboneAdmin):
    """A new wording is added, never edited: each sign-up points at the exact text
    its resident accepted, and that must stay what it was."""

    list_display = ["__str__", "language", "original", "created_at"]
    list_filter = ["language"]
    readonly_fields = ["created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
