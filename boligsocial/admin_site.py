from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """Django admin for coordinators and admins, decided by role, not is_staff."""

    site_header = _("BoligSocialt Hus – administration")
    site_title = _("BoligSocialt Hus")
    index_title = _("Grunddata og helhedsplan")

    def has_permission(self, request) -> bool:
        return request.user.is_authenticated and request.user.can_keep_backbone

    def login(self, request, extra_context=None):
        # One login page for the whole portal, with its lockout and language.
        return redirect_to_login(request.get_full_path())


class RoleGatedAdmin:
    """Admin permissions decided by the user's role; mixed into a ModelAdmin."""

    def allows(self, user) -> bool:
        return user.can_keep_backbone

    def has_module_permission(self, request) -> bool:
        return self.allows(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.allows(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return self.allows(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.allows(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.allows(request.user)


class BackboneAdmin(RoleGatedAdmin, admin.ModelAdmin):
    """Coordinators and admins keep the backbone data; no one else reaches it."""
