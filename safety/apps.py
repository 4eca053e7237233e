from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    """Nabohjælp sign-ups, safety walks and their findings (coming issues)."""

    name = "safety"
    verbose_name = _("Tryghed")
