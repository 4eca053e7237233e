from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext as _

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

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.original_id is None:
            # The residents' pages in other languages show it in Danish until
            # it is translated (ConsentText.current).
            others = ", ".join(
                str(name) for code, name in settings.LANGUAGES if code != obj.language
            )
            messages.warning(
                request,
                _(
                    "Den nye formulering vises på dansk på siderne på de andre sprog "
                    "(%(languages)s), til den er oversat: tilføj en oversættelse af "
                    "den for hvert sprog."
                )
                % {"languages": others},
            )
