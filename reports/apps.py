from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The figures layer, partner dashboards and PDF status reports (coming issue)."""

    name = "reports"
    verbose_name = _("Rapporter")
