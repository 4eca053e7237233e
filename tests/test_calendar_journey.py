"""A calendar partners share, in Chromium on a phone: the housing organisation's
partner plans a residents' meeting in Rising on a day BoligSocialt Hus already
has its job café there; both are marked as several organisers the same day, for
her and for the coordinator; she takes her calendar's address for Outlook, and
later cancels the meeting, which the coordinator sees struck through."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, CalendarFeed, PlannedEvent
from boligsocial.models import Area, Organisation, Role
from conftest import make_user
from tests.pages import fits_a_phone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_housing_partners_event_meets_boligsocialt_hus_in_the_calendar(
    page, live_server, login, staff, coordinator
):
    page.set_viewport_size({"width": 375, "height": 812})
    housing = Organisation.objects.create(
        name="Civica Odense", kind=Organisation.Kind.HOUSING
    )
    drift = make_user(
        "drift", Role.PARTNER, organisation=housing.name, areas=["rising"]
    )
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    day = timezone.localdate() + datetime.timedelta(days=3)
    PlannedEvent.objects.create(
        activity=jobs,
        title="Jobcafé",
        date=day,
        start_time=datetime.time(16, 0),
        end_time=datetime.time(18, 0),
        place="Rising Beboerhus",
        area=Area.objects.get(slug="rising"),
        organiser=Organisation.objects.get(name="BoligSocialt Hus"),
        created_by=staff,
    )

    # The partner plans her organisation's meeting from the calendar.
    login(drift)
    page.goto(live_server.url + reverse("activities:calendar"))
    fits_a_phone(page)
    page.get_by_test_id("plan-event").click()
    expect(page.get_by_label("Arrangør")).to_be_disabled()
    page.get_by_label("Titel").fill("Beboermøde om gårdene")
    page.get_by_label("Aktivitet").select_option(str(jobs.pk))
    page.get_by_label("Dato").fill(day.isoformat())
    page.get_by_label("Fra kl.").fill("17:00")
    page.get_by_label("Til kl.").fill("19:00")
    page.get_by_label("Sted").fill("Fælleshuset")
    page.get_by_label("Område").select_option(label="Rising")
    fits_a_phone(page)
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("sat i kalenderen")
    meeting = PlannedEvent.objects.get(title="Beboermøde om gårdene")
    assert meeting.organiser == housing
    rows = page.get_by_test_id("event")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("parallel")).to_have_count(2)
    fits_a_phone(page)

    # Her calendar's address, for Outlook.
    page.get_by_test_id("subscribe").click()
    page.get_by_role("button", name="Lav en kalenderadresse").click()
    feed = CalendarFeed.current_for(drift)
    expect(page.locator("#feed-address")).to_have_value(
        live_server.url + feed.get_absolute_url()
    )
    fits_a_phone(page)
    body = page.request.get(live_server.url + feed.get_absolute_url()).text()
    assert "SUMMARY:Beboermøde om gårdene" in body and "SUMMARY:Jobcafé" in body

    # The coordinator sees both, each with the mark, on the same day.
    page.context.clear_cookies()
    login(coordinator)
    page.goto(live_server.url + reverse("activities:calendar"))
    day_rows = page.get_by_test_id("event-day").filter(has_text="Beboermøde")
    expect(day_rows.get_by_test_id("event")).to_have_count(2)
    expect(day_rows.get_by_test_id("parallel")).to_have_count(2)
    expect(day_rows).to_contain_text("Civica Odense")
    expect(day_rows).to_contain_text("BoligSocialt Hus")
    fits_a_phone(page)

    # She calls the meeting off; it stays, struck through, and the mark goes.
    page.context.clear_cookies()
    login(drift)
    page.goto(live_server.url + reverse("activities:event_edit", args=[meeting.pk]))
    page.get_by_role("button", name="Aflys aktiviteten").click()
    expect(page.get_by_role("status").first).to_contain_text("aflyst")
    expect(page.get_by_test_id("cancelled")).to_have_count(1)
    expect(page.get_by_test_id("parallel")).to_have_count(0)
    fits_a_phone(page)
