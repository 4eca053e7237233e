from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_site import BackboneAdmin, RoleGatedAdmin
from .models import Area, HousingDepartment, Organisation, User


@admin.register(Area)
class AreaAdmin(BackboneAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(BackboneAdmin):
    list_display = ["name", "kind", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name"]


@admin.register(HousingDepartment)
class HousingDepartmentAdmin(BackboneAdmin):
    list_display = ["number", "name", "organisation", "area", "households", "is_demo"]
    list_filter = ["area", "organisation", "is_demo"]
    list_select_related = ["organisation", "area"]
    search_fields = ["name", "number"]


@admin.register(User)
class PortalUserAdmin(RoleGatedAdmin, UserAdmin):
    """Only the admin role manages people; coordinators keep the plan."""

    list_display = ["username", "get_full_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    list_select_related = ["organisation"]
    filter_horizontal = ["areas"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Rolle og adgang"), {"fields": ["role", "organisation", "areas"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "organisation",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
    readonly_fields = ["last_login", "date_joined"]

    def allows(self, user) -> bool:
        return user.can_manage_users
