"""Planned events as an iCalendar file (RFC 5545), for a person's calendar feed.

Built with the icalendar library: it escapes text, folds long lines and writes the
VTIMEZONE of Europe/Copenhagen for the times given in it. An event holds no
personal data (a title, a place, an area, an activity, an organisation), and the
feed writes nothing else: not who created it.
"""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import PlannedEvent

PRODID = "-//BoligSocialt Hus//Portal//DA"
# Calendar apps that read it (Outlook, Apple) fetch the feed again after an hour;
# Google decides for itself (about twice a day).
REFRESH = datetime.timedelta(hours=1)


def calendar_bytes(events: Iterable[PlannedEvent], *, link: str = "") -> bytes:
    """The events as one VCALENDAR; `link` (the calendar page) goes in each."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("BoligSocialt Hus – kalender"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # An X- property is text to the library: Outlook reads it as a duration.
    calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    for event in events:
        calendar.add_component(_vevent(event, stamp=stamp, link=link))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_uid(event: PlannedEvent) -> str:
    """The same for an event in every fetch, so an app updates it in place."""
    return f"planned-event-{event.pk}@boligsocialt-hus"


def _vevent(event: PlannedEvent, *, stamp: datetime.datetime, link: str) -> Event:
    vevent = Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", stamp)
    # Every save moves the version on: the app takes the higher one as the newer.
    vevent.add("sequence", event.version)
    summary = event.title
    if event.is_cancelled:
        summary = _("Aflyst: %(title)s") % {"title": event.title}
    vevent.add("summary", summary)
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    vevent.add("location", f"{event.place}, {event.area.name}")
    vevent.add("description", _description(event, link))
    vevent.add("categories", [event.activity.name])
    if event.start_time:
        vevent.add("dtstart", _local(event.date, event.start_time))
        if event.end_time:
            vevent.add("dtend", _local(event.date, event.end_time))
    else:
        # No start time: a whole-day event (a DATE value; the end is exclusive).
        vevent.add("dtstart", event.date)
        vevent.add("dtend", event.date + datetime.timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")
    if link:
        vevent.add("url", link)
    return vevent


def _local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A clock time in Copenhagen; forms refuse a time in the skipped hour, and a
    repeated hour means its first occurrence (fold=0), as everywhere in the portal."""
    return datetime.datetime.combine(
        day, time, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


def _description(event: PlannedEvent, link: str) -> str:
    lines = [
        _("Aktivitet: %(activity)s") % {"activity": event.activity.name},
        _("Arrangør: %(organiser)s") % {"organiser": event.organiser.name},
        _("Område: %(area)s") % {"area": event.area.name},
    ]
    if not event.start_time and event.end_time:
        lines.append(_("Til kl. %(end)s") % {"end": f"{event.end_time:%H:%M}"})
    if event.is_cancelled:
        lines.append(_("Aktiviteten er aflyst."))
    elif getattr(event, "parallel", False):
        lines.append(_("Flere arrangører samme dag i området."))
    if link:
        lines.append(link)
    return "\n".join(lines)
