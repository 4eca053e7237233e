"""A staff member logs a record on a phone-sized screen, in Debian's Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import Activity, ActivityRecord

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_log_a_record_on_a_phone_see_it_listed_and_the_progress_moves(
    page, live_server, login, staff
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 375, "height": 812})
    activity = Activity.objects.get(name="Fritidsjobrådgivning")
    indicator = activity.indicators.get(name="Unge der har fået et fritidsjob")
    reached = page.locator("[data-testid=progress] tr", has_text=indicator.name)

    login(staff)
    page.goto(live_server.url + activity.get_absolute_url())
    expect(reached.locator("[data-testid=reached]")).to_have_text("0")

    page.get_by_role("link", name="Registrér").click()
    expect(page.locator("#id_activity")).to_have_value(str(activity.pk))
    page.locator("#id_participants").fill("8")
    page.get_by_label(indicator.name).fill("2")
    page.get_by_label("Note").fill("Jobcafé i Rising")
    page.get_by_role("button", name="Gem registrering").click()

    # htmx swaps in a fresh form with a receipt: no page load.
    expect(page.get_by_test_id("saved")).to_contain_text("Fritidsjobrådgivning")
    expect(page.locator("#id_participants")).to_have_value("")
    assert ActivityRecord.objects.get().participants == 8

    page.goto(live_server.url + reverse("activities:record_list"))
    row = page.get_by_test_id("record-table").locator("tbody tr").first
    expect(row).to_contain_text("Fritidsjobrådgivning")
    expect(row).to_contain_text("8")

    page.goto(live_server.url + activity.get_absolute_url())
    expect(reached.locator("[data-testid=reached]")).to_have_text("2")

    assert [text for text in console if "Content Security Policy" in text] == []
