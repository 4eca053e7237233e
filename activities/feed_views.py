"""A person's calendar feed: the address a calendar app subscribes to, and the
page where the person gets, renews or stops it.

The feed itself answers without a login (a calendar app cannot log in): the
random token in its address is the key. It serves what the token's person may
see now, by their current role and areas; a stopped address, or the address of
a person who can no longer log in, is not found.
"""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from .ics import calendar_bytes
from .models import CalendarFeed, PlannedEvent

# Calendar apps fetch a feed a few times an hour at most; Google fetches every
# person's feed from the same few addresses, so the limit per address is high.
RATE_PER_FEED = "60/h"
RATE_PER_ADDRESS = "1200/h"


def feed_token(group: str, request) -> str:
    return request.resolver_match.kwargs["feed_token"]


def client_address(group: str, request) -> str:
    """The address django-axes locks out: the same proxy settings decide it."""
    return get_client_ip_address(request) or "unknown"


@require_safe  # some calendar apps ask with HEAD first
def calendar_feed(request, feed_token):
    if _throttled(request):
        response = HttpResponse(status=429, content_type="text/plain")
        response["Retry-After"] = "3600"
        return response
    feed = CalendarFeed.objects.active().select_related("user").filter(token=feed_token)
    feed = feed.first()
    if feed is None:
        raise Http404
    events = PlannedEvent.objects.for_feed(feed.user, timezone.localdate())
    link = request.build_absolute_uri(reverse("activities:calendar"))
    response = HttpResponse(
        calendar_bytes(events, link=link), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="boligsocialt-hus.ics"'
    # The address is a secret: no shared cache keeps what it shows.
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def _throttled(request) -> bool:
    per_feed = is_ratelimited(
        request,
        group="calendar-feed",
        key=feed_token,
        rate=RATE_PER_FEED,
        increment=True,
    )
    per_address = is_ratelimited(
        request,
        group="calendar-feed-address",
        key=client_address,
        rate=RATE_PER_ADDRESS,
        increment=True,
    )
    return per_feed or per_address


@login_required
@require_GET
def calendar_subscription(request):
    """The person's own feed address, and how to add it to Outlook or Google."""
    feed = CalendarFeed.current_for(request.user)
    address = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    context = {
        "feed": feed,
        "address": address,
        "webcal": address.replace("https://", "webcal://", 1).replace(
            "http://", "webcal://", 1
        ),
    }
    return render(request, "activities/calendar_subscription.html", context)


@login_required
@require_POST
def calendar_feed_renew(request):
    """A new address; the old one (if any) stops working at once."""
    had_one = CalendarFeed.current_for(request.user) is not None
    CalendarFeed.renew(request.user)
    if had_one:
        messages.success(
            request,
            _(
                "Du har fået en ny adresse. Den gamle virker ikke længere: "
                "tilføj den nye i din kalender."
            ),
        )
    else:
        messages.success(request, _("Din kalenderadresse er klar."))
    return redirect("activities:calendar_subscription")


@login_required
@require_POST
def calendar_feed_stop(request):
    if CalendarFeed.stop(request.user):
        messages.success(
            request,
            _("Abonnementet er stoppet. Adressen virker ikke længere."),
        )
    return redirect("activities:calendar_subscription")
