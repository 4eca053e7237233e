import re
from collections import Counter
from functools import wraps

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
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

    def admin_view(self, view, cacheable=False):
        """Django's, and for a model's pages: ids of rows that cannot be ids.

        The rows ticked for an action and the rows edited in the list are posted
        ids, which Django's admin filters by as they are; one that is no id of the
        model ("abc", or more digits than the database holds, which only a forged
        form sends) was a server error. Such ids are left out.
        """
        inner = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        if not isinstance(model_admin, admin.ModelAdmin):
            return inner

        @wraps(inner)
        def known_rows_only(request, *args, **kwargs):
            if request.method == "POST":
                request.POST = without_unknown_ids(request.POST, model_admin.model)
            return inner(request, *args, **kwargs)

        return known_rows_only


def without_unknown_ids(data: QueryDict, model) -> QueryDict:
    """The POST with the ids of ticked or edited rows that cannot be ids of the
    model left out (a ticked row) or emptied (an edited row: its form says so)."""
    ticked = data.getlist(helpers.ACTION_CHECKBOX_NAME)
    known = [value for value in ticked if is_id_of(model, value)]
    edited_id = re.compile(rf"form-\d+-{re.escape(model._meta.pk.name)}")
    unknown = [
        key
        for key, value in data.items()
        if edited_id.fullmatch(key) and value and not is_id_of(model, value)
    ]
    if known == ticked and not unknown:
        return data
    data = data.copy()
    data.setlist(helpers.ACTION_CHECKBOX_NAME, known)
    for key in unknown:
        data[key] = ""
    return data


def is_id_of(model, value: str) -> bool:
    """Whether the value could be a row's id: of the id's type, and in the range
    the database holds."""
    field = model._meta.pk
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class RoleGatedAdmin:
    """Admin permissions decided by the user's role; mixed into a ModelAdmin."""

    def allows(self, user) -> bool:
        return user.can_keep_backbone

    def get_deleted_objects(self, objs, request):
        """What a deletion takes along or is blocked by, counted by kind. Django's
        page names every row, and the rows under the backbone (households, cases,
        sign-ups, contacts) name residents and others the person deleting may
        not see (need-to-know)."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        taken = {
            model._meta.verbose_name_plural: len(rows)
            for model, rows in collector.model_objs.items()
        }
        blocking = Counter(obj._meta.verbose_name_plural for obj in collector.protected)
        perms_needed = {
            model._meta.verbose_name
            for model in collector.model_objs
            if self.admin_site.is_registered(model)
            and not self.admin_site.get_model_admin(model).has_delete_permission(
                request
            )
        }
        return (
            [f"{capfirst(kind)}: {count}" for kind, count in taken.items()],
            taken,
            perms_needed,
            [f"{capfirst(kind)}: {count}" for kind, count in blocking.items()],
        )

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
