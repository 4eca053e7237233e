"""Feedback where the eyes are: on a phone, what a save says is on screen and read
out, and what is wrong is gathered at the top of the form with links to its fields."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import Activity, ActivityRecord

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


def open_record_form(page, live_server, login, staff):
    page.set_viewport_size(PHONE)
    activity = Activity.objects.get(name="Fritidsjobrådgivning")
    login(staff)
    page.goto(live_server.url + reverse("activities:record_create"))
    page.locator("#id_activity").select_option(str(activity.pk))
    expect(page.get_by_label("Unge der har fået et fritidsjob")).to_be_visible()
    return activity


def test_a_record_saved_on_a_phone_is_shown_said_and_the_cursor_waits_for_the_next(
    page, live_server, login, staff
):
    open_record_form(page, live_server, login, staff)
    page.locator("#id_participants").fill("8")
    save = page.get_by_role("button", name="Gem registrering")
    save.scroll_into_view_if_needed()
    save.click()

    saved = page.get_by_test_id("saved")
    expect(saved).to_contain_text("Fritidsjobrådgivning")
    assert ActivityRecord.objects.get().participants == 8
    expect(saved).to_be_in_viewport(ratio=1)
    expect(page.locator("#announcer")).to_contain_text("er gemt")
    expect(page.locator("#id_activity")).to_be_focused()


def test_a_record_with_mistakes_scrolls_to_a_summary_whose_links_lead_to_the_fields(
    page, live_server, login, staff
):
    open_record_form(page, live_server, login, staff)
    page.locator("#id_participants").fill("-3")
    page.locator("#id_date").fill("")
    save = page.get_by_role("button", name="Gem registrering")
    save.scroll_into_view_if_needed()
    save.click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport(ratio=1)
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.locator("#id_participants")).to_have_value("-3")
    summary.get_by_role("link", name="Deltagere").click()
    expect(page.locator("#id_participants")).to_be_focused()
    assert ActivityRecord.objects.count() == 0


def test_a_plain_form_with_mistakes_opens_on_its_summary(
    page, live_server, login, staff
):
    """A form posted without htmx (a new walk here) comes back with the summary in
    view and focused, and what was typed kept."""
    page.set_viewport_size(PHONE)
    login(staff)
    page.goto(live_server.url + reverse("safety:walk_create"))
    page.get_by_label("Beboere med på turen").fill("6")
    save = page.get_by_role("button", name="Gem vandringen")
    save.scroll_into_view_if_needed()
    save.click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport(ratio=1)
    expect(summary.get_by_role("link", name="Tidspunkt")).to_be_visible()
    expect(page.get_by_label("Beboere med på turen")).to_have_value("6")
