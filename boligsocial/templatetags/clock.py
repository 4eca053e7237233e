"""{{ moment|dst_mark }}: " (sommertid)" or " (vintertid)" after a time shown in
the hour that happens twice in October, so that it reads unambiguously."""

from django import template

from boligsocial import clock

register = template.Library()


@register.filter
def dst_mark(moment) -> str:
    return clock.repeated_hour_mark(moment)
