from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BoligsocialConfig(AppConfig):
    name = "boligsocial"
    verbose_name = _("Grunddata")

    def ready(self) -> None:
        # These register on import: the receivers that log authentication events,
        # the deployment checks that look at the accounts (check --deploy
        # --database), and SQLite's median aggregate.
        from . import auth_log, checks, medians  # noqa: F401


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "boligsocial.admin_site.PortalAdminSite"
