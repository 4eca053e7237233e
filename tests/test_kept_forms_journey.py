"""Nothing typed is lost: a record saved after the session ended is saved after
logging in again, and a number typed while the form re-draws for another area
stays. On a phone, in Chromium."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from activities.models import ActivityRecord
from conftest import PASSWORD, authenticator_code
from tests.test_feedback import open_record_form

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_record_saved_after_the_session_ended_is_saved_after_logging_in_again(
    page, live_server, login, staff
):
    open_record_form(page, live_server, login, staff)
    indicator = page.get_by_label("Unge der har fået et fritidsjob")
    page.locator("#id_participants").fill("8")
    indicator.fill("2")
    page.get_by_label("Note").fill("Jobcafé i Rising")

    # Half an hour at the café: the session ends on the server.
    Session.objects.all().delete()
    page.get_by_role("button", name="Gem registrering").click()

    # The login is a page of its own, not a page inside the form.
    expect(page).to_have_url(
        f"{live_server.url}{reverse('login')}?next=/account/resume/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("status")).to_contain_text("venter på dig")
    page.locator("input[name=username]").fill(staff.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    if staff.needs_two_factor:
        page.locator("input[name=code]").fill(
            authenticator_code(TOTPDevice.objects.get(user=staff))
        )
        page.locator("main form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Det, du skrev, er ikke tabt"
    )
    assert ActivityRecord.objects.count() == 0
    page.get_by_role("button", name="Send det nu").click()
    expect(page.get_by_role("status").first).to_contain_text("er gemt")
    record = ActivityRecord.objects.get()
    assert (record.participants, record.note, record.created_by) == (
        8,
        "Jobcafé i Rising",
        staff,
    )
    assert [v.value for v in record.values.all()] == [2]


def test_a_number_typed_while_the_form_redraws_for_another_area_stays(
    page, live_server, login, staff
):
    activity = open_record_form(page, live_server, login, staff)

    # A slow line: the re-drawn form is held back while the person types on.
    held = []
    page.route(
        "**/plan/records/new/?*",
        lambda route: (
            held.append(route)
            if route.request.headers.get("hx-request")
            else route.continue_()
        ),
    )
    other = activity.areas.exclude(pk=page.locator("#id_area").input_value()).first()
    page.locator("#id_area").select_option(str(other.pk))
    page.locator("#id_participants").fill("12")
    page.get_by_label("Note").fill("Skrevet mens siden tænkte")
    for _wait in range(100):  # the request reaches the route
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "choosing an area asked for nothing"
    page.evaluate("document.getElementById('record-form').dataset.typedIn = 'yes'")
    held[0].continue_()

    # The form on the page now is the re-drawn one, not the one typed in.
    expect(page.locator("#record-form[data-typed-in]")).to_have_count(0)
    expect(page.locator("#id_area")).to_have_value(str(other.pk))
    expect(page.locator("#id_participants")).to_have_value("12")
    expect(page.get_by_label("Note")).to_have_value("Skrevet mens siden tænkte")
