from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """Django admin for coordinators and admins, decided by role, not is_staff."""

    site_header = _("BoligSocialt Hus – administration")
    site_title = _("BoligSocialt Hus")
    index_title = _("Grunddata og helhedsplan")

    def has_permission(self, request) -> bool:
        return request.user.is_authenticated and request.user.can_keep_backbone

    def login(self, request, extra_context=None):
        """One login page for the whole portal, with its lockout and language.

        A signed-in person without the role gets 403 here: sending them to the
        login page would bounce them straight back.
        """
        index = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return redirect(index)
        if request.user.is_authenticated:
            raise PermissionDenied
        # LoginView checks `next` is a safe, local address before it follows it.
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or index)


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
