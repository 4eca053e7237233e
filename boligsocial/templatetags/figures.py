"""How a figure is written, the same on the dashboard and in the PDFs."""

from django import template
from django.utils.formats import number_format

from boligsocial.numbers import round_half_up
from boligsocial.suppression import Suppressed

register = template.Library()


@register.filter
def figure(value) -> str:
    """A count with thousands separators, a share or median with one decimal
    (rounded half up),
    a suppressed figure as its mark, and nothing as a dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return number_format(round_half_up(value, 1), 1, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return value


@register.filter
def change(value) -> str:
    """A change with its sign: +3, −2 (a real minus sign), 0; nothing: a dash."""
    if value is None or isinstance(value, Suppressed):
        return "–"
    if value > 0:
        return "+" + figure(value)
    if value < 0:
        return "−" + figure(-value)
    return figure(value)
