"""The retention rule as the case page states it."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def retention_months() -> int:
    """ADVICE_RETENTION_MONTHS: how long a closed case keeps its personal data."""
    return settings.ADVICE_RETENTION_MONTHS
