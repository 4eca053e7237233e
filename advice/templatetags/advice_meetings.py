"""The meetings summary on a case page, from the meetings it already holds.

The case page passes its meetings as a loaded list; the sum is taken from that
list so the partial adds no query."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def total_hours(meetings) -> Decimal:
    """Hours spent in the meetings, to a tenth of an hour."""
    minutes = sum(meeting.duration_minutes for meeting in meetings)
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))
