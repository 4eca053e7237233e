from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdviceConfig(AppConfig):
    """Financial-advice cases, need-to-know (coming issue)."""

    name = "advice"
    verbose_name = _("Økonomisk rådgivning")
