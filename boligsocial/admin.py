from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .admin_site import BackboneAdmin, RoleGatedAdmin
from .models import Area, HousingDepartment, Organisation, User
from .places import OutlineField


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = [
            "name",
            "slug",
            "description",
            "aliases",
            "outline",
            "outline_is_approximate",
        ]
        field_classes = {"outline": OutlineField}

    def clean(self) -> dict:
        data = super().clean()
        # A new outline is the real one unless the coordinator says otherwise.
        if "outline" in self.changed_data and "outline_is_approximate" not in (
            self.changed_data
        ):
            data["outline_is_approximate"] = False
        return data


class HousingDepartmentForm(forms.ModelForm):
    class Meta:
        model = HousingDepartment
        fields = [
            "organisation",
            "area",
            "number",
            "name",
            "households",
            "streets",
            "aliases",
            "outline",
            "is_demo",
        ]
        field_classes = {"outline": OutlineField}


@admin.register(Area)
class AreaAdmin(BackboneAdmin):
    form = AreaForm
    list_display = ["name", "slug", "outline_is_approximate"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(BackboneAdmin):
    list_display = ["name", "kind", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name"]


@admin.register(HousingDepartment)
class HousingDepartmentAdmin(BackboneAdmin):
    form = HousingDepartmentForm
    list_display = ["number", "name", "organisation", "area", "households", "is_demo"]
    list_filter = ["area", "organisation", "is_demo"]
    list_select_related = ["organisation", "area"]
    search_fields = ["name", "number"]


@admin.register(User)
class PortalUserAdmin(RoleGatedAdmin, UserAdmin):
    """The admin role's read-only view of the accounts. People are invited,
    changed and deactivated on the portal's people pages, where every change is
    recorded (PersonChange) and a new account sets its password through its own
    link; here nothing is changed behind that record."""

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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TwoFactorDeviceAdmin(RoleGatedAdmin, admin.ModelAdmin):
    """The admin role's read-only view of the authenticator apps. A lost phone is
    reset on the person's page in the portal, which records it and mails the
    person a link to set up a new app. Keys and codes are never shown, and devices
    are only made by their owner, on the setup page."""

    list_display = ["user", "name", "confirmed"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]

    def allows(self, user) -> bool:
        return user.can_manage_users

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# django-otp registers admins of its own on the default site, which is ours (they
# show the key and the backup codes): ours replace them, whichever loads first.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
    admin.site.register(device_model, TwoFactorDeviceAdmin)


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """django-axes' own. Its "clean up expired attempts" reads the time axes
    stamps on a login request, which a request to the admin lacks: the action
    failed with a server error (django-axes 8.3, jazzband/django-axes#1424). The
    request is stamped with now before the action runs."""

    @admin.action(
        description=AxesAccessAttemptAdmin.cleanup_expired_attempts.short_description
    )
    def cleanup_expired_attempts(self, request, queryset):
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):  # axes' admin is on (AXES_ENABLE_ADMIN)
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
