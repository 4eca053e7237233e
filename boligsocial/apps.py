from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BoligsocialConfig(AppConfig):
    name = "boligsocial"
    verbose_name = _("Grunddata")


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "boligsocial.admin_site.PortalAdminSite"
