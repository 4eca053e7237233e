"""Each person's private calendar feed (ICS): the page of its address, and the
feed a calendar app fetches without logging in."""

import datetime
import re

import icalendar
import pytest
from django.core.cache import cache
from django.urls import reverse

from activities.models import FEED_DAYS_BACK, CalendarFeed, PlannedEvent
from activities.tests.test_calendar import TODAY, in_days, make_event
from boligsocial.models import Role
from conftest import make_user

SUBSCRIPTION = reverse("activities:calendar_subscription")
RENEW = reverse("activities:calendar_feed_renew")
STOP = reverse("activities:calendar_feed_stop")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def feed_url(feed: CalendarFeed) -> str:
    return reverse("activities:calendar_feed", args=[feed.token])


def fetch(client, feed: CalendarFeed) -> icalendar.Calendar:
    response = client.get(feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def summaries(calendar: icalendar.Calendar) -> list[str]:
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


def vevent(calendar: icalendar.Calendar, summary: str):
    return next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == summary)


# --- The feed -------------------------------------------------------------------------


def test_the_feed_is_a_valid_calendar_of_the_events_the_person_sees(client, staff):
    event = make_event(staff, title="Jobcafé", day=in_days(2))
    feed = CalendarFeed.renew(staff)
    calendar = fetch(client, feed)  # no login: the token is the key
    found = vevent(calendar, "Jobcafé")
    assert calendar["VERSION"] == "2.0"
    assert calendar["X-PUBLISHED-TTL"] == "PT1H"
    assert calendar.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=1)
    assert found["UID"] == f"planned-event-{event.pk}@boligsocialt-hus"
    assert found["STATUS"] == "CONFIRMED"
    assert found["LOCATION"] == "Risingskolen, Rising"
    assert "Arrangør: BoligSocialt Hus" in found["DESCRIPTION"]
    assert "DTSTAMP" in found
    start = found.decoded("DTSTART")
    assert start == datetime.datetime(2026, 5, 6, 16, 0, tzinfo=start.tzinfo)
    assert start.utcoffset() == datetime.timedelta(hours=2)  # summer time
    assert found["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Copenhagen"]


def test_an_event_without_a_start_time_is_a_whole_day_event(client, staff):
    make_event(staff, title="Hele dagen", start=None, end=None)
    calendar = fetch(client, CalendarFeed.renew(staff))
    found = vevent(calendar, "Hele dagen")
    assert found.decoded("DTSTART") == TODAY
    assert found.decoded("DTEND") == in_days(1)


def test_the_uid_stays_and_the_sequence_grows_when_an_event_changes(client, staff):
    event = make_event(staff, title="Jobcafé")
    feed = CalendarFeed.renew(staff)
    before = vevent(fetch(client, feed), "Jobcafé")
    event.claim(event.version, place="Beboerhuset")
    after = vevent(fetch(client, feed), "Jobcafé")
    assert before["UID"] == after["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["LOCATION"] == "Beboerhuset, Rising"


def test_a_cancelled_event_is_in_the_feed_as_cancelled(client, staff):
    event = make_event(staff, title="Jobcafé")
    event.cancel(version=event.version)
    found = vevent(fetch(client, CalendarFeed.renew(staff)), "Aflyst: Jobcafé")
    assert found["STATUS"] == "CANCELLED"


def test_the_feed_tells_of_another_organiser_the_same_day(client, staff):
    make_event(staff, title="Jobcafé", organiser="BoligSocialt Hus")
    make_event(staff, title="Ungemøde", organiser="Fyns Politi")
    calendar = fetch(client, CalendarFeed.renew(staff))
    assert "Flere arrangører samme dag" in vevent(calendar, "Jobcafé")["DESCRIPTION"]


def test_a_partners_feed_holds_its_areas_only_and_follows_its_current_rights(
    client, staff, partner
):
    make_event(staff, title="I Rising", area="rising")
    make_event(staff, title="I Vollsmose", area="vollsmose")
    feed = CalendarFeed.renew(partner)
    assert summaries(fetch(client, feed)) == ["I Rising"]
    partner.areas.set([])  # the grant is taken back: the feed follows at once
    assert summaries(fetch(client, feed)) == []


def test_the_feed_reaches_ninety_days_back_and_on_into_the_future(client, staff):
    make_event(staff, title="For længe siden", day=in_days(-FEED_DAYS_BACK - 1))
    make_event(staff, title="For nylig", day=in_days(-FEED_DAYS_BACK))
    make_event(staff, title="Til næste år", day=in_days(400))
    calendar = fetch(client, CalendarFeed.renew(staff))
    assert summaries(calendar) == ["For nylig", "Til næste år"]


def test_the_feed_holds_no_personal_data(client, partner):
    author = make_user(
        "kanariefugl", Role.STAFF, organisation="BoligSocialt Hus", areas=["rising"]
    )
    make_event(author, title="Jobcafé")
    body = client.get(feed_url(CalendarFeed.renew(partner))).content.decode()
    assert "Jobcafé" in body
    assert "anariefugl" not in body.lower()


def test_the_feed_costs_two_queries_however_many_events(
    client, partner, staff, django_assert_num_queries
):
    feed = CalendarFeed.renew(partner)
    for n in range(30):
        make_event(
            staff,
            title=f"Nr. {n}",
            day=in_days(n % 7),
            organiser=("BoligSocialt Hus", "Fyns Politi")[n % 2],
        )
    # The feed with its person; the events with their areas, activities,
    # organisers and parallel mark.
    with django_assert_num_queries(2):
        calendar = fetch(client, feed)
    assert len(summaries(calendar)) == 30


@pytest.mark.parametrize("token", ["unknown-token", "x" * 43])
def test_an_unknown_token_is_not_found(client, staff, token):
    CalendarFeed.renew(staff)
    url = reverse("activities:calendar_feed", args=[token])
    assert client.get(url).status_code == 404


def test_a_stopped_or_replaced_address_is_not_found(client, staff):
    first = CalendarFeed.renew(staff)
    second = CalendarFeed.renew(staff)
    assert client.get(feed_url(first)).status_code == 404
    assert client.get(feed_url(second)).status_code == 200
    CalendarFeed.stop(staff)
    assert client.get(feed_url(second)).status_code == 404


def test_the_feed_of_a_deactivated_person_is_not_found(client, staff):
    feed = CalendarFeed.renew(staff)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert client.get(feed_url(feed)).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_feed_answers_get_and_head_only(client, staff, method):
    feed = CalendarFeed.renew(staff)
    assert getattr(client, method)(feed_url(feed)).status_code == 405
    assert client.head(feed_url(feed)).status_code == 200


def test_a_feed_fetched_too_often_is_told_to_wait(client, staff):
    feed = CalendarFeed.renew(staff)
    for _ in range(60):
        assert client.get(feed_url(feed)).status_code == 200
    response = client.get(feed_url(feed))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"


def test_the_feed_is_not_kept_by_a_shared_cache(client, staff):
    response = client.get(feed_url(CalendarFeed.renew(staff)))
    assert "no-store" in response["Cache-Control"]


# --- The subscription page ------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_everyone_gets_an_address_of_their_own(client, personas, role):
    user = personas[role]
    client.force_login(user)
    assert 'data-testid="no-feed"' in client.get(SUBSCRIPTION).content.decode()
    response = client.post(RENEW)
    assert response.url == SUBSCRIPTION
    feed = CalendarFeed.objects.get(user=user)
    html = client.get(SUBSCRIPTION).content.decode()
    assert f"http://testserver{feed_url(feed)}" in html
    assert f"webcal://testserver{feed_url(feed)}" in html
    assert "Abonner fra internettet" in html and "Fra webadresse" in html


def test_the_page_shows_only_the_persons_own_address(client, staff, partner):
    theirs = CalendarFeed.renew(staff)
    client.force_login(partner)
    assert theirs.token not in client.get(SUBSCRIPTION).content.decode()


def test_a_new_address_stops_the_old_one(client, staff):
    old = CalendarFeed.renew(staff)
    client.force_login(staff)
    client.post(RENEW)
    new = CalendarFeed.current_for(staff)
    html = client.get(SUBSCRIPTION).content.decode()
    assert new.token != old.token
    assert new.token in html and old.token not in html
    assert "Den gamle virker ikke længere" in html
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert client.get(feed_url(old)).status_code == 404


def test_stopping_the_subscription_leaves_no_working_address(client, staff):
    feed = CalendarFeed.renew(staff)
    client.force_login(staff)
    response = client.post(STOP)
    html = client.get(SUBSCRIPTION).content.decode()
    assert response.url == SUBSCRIPTION
    assert 'data-testid="no-feed"' in html
    assert "Abonnementet er stoppet" in html
    assert CalendarFeed.current_for(staff) is None
    assert client.get(feed_url(feed)).status_code == 404


def test_a_token_is_long_random_and_safe_in_an_address(staff):
    tokens = {CalendarFeed.renew(staff).token for _ in range(5)}
    assert len(tokens) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)


def test_the_page_and_its_buttons_need_a_login_and_the_right_method(client, staff):
    for url in (SUBSCRIPTION, RENEW, STOP):
        assert client.get(url).url.startswith(reverse("login"))
    assert client.post(RENEW).url.startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()
    client.force_login(staff)
    assert client.get(RENEW).status_code == 405
    assert client.get(STOP).status_code == 405
    assert client.post(SUBSCRIPTION).status_code == 405


def test_the_calendar_links_to_the_subscription_page(client, partner):
    client.force_login(partner)
    html = client.get(reverse("activities:calendar")).content.decode()
    assert f'href="{SUBSCRIPTION}"' in html


def test_an_event_deleted_leaves_the_feed(client, staff):
    event = make_event(staff, title="Jobcafé")
    feed = CalendarFeed.renew(staff)
    PlannedEvent.objects.filter(pk=event.pk).delete()
    assert summaries(fetch(client, feed)) == []
