"""An advisor, logged in with a password and an authenticator code, opens a case on
a phone, logs a home meeting, records the payment plan agreed and closes the case
(in a real browser, Debian's Chromium). Every view is in the access log."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from advice.models import Case, CaseAccess, Meeting
from advice.tests.conftest import make_case, make_household

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_advisor_with_two_factors_logs_a_home_meeting_and_closes_a_case(
    page, live_server, login, advisor, departments
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 375, "height": 812})
    case = make_case(make_household(departments[0]), advisors=[advisor])

    # `login` gives the password, then the code the authenticator app shows.
    login(advisor)
    expect(page.get_by_test_id("open-cases")).to_have_text("1")
    page.goto(live_server.url + reverse("advice:case_list"))
    page.get_by_test_id("my-cases").get_by_role("link", name="Fatima Hansen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)

    # A home meeting, with a note that first trips the CPR check.
    page.get_by_test_id("meeting-add").click()
    page.get_by_label("Sted").select_option(label="I hjemmet")
    page.get_by_label("Varighed (minutter)").fill("75")
    page.get_by_label("Note").fill("Budget gennemgået, CPR 010203-1234 på brevet")
    page.get_by_role("button", name="Gem mødet").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Note")).to_be_visible()
    expect(summary).to_contain_text("ser ud til at indeholde et CPR-nummer")
    expect(page.get_by_label("Varighed (minutter)")).to_have_value("75")
    page.get_by_label("Note").fill("Budget gennemgået med beboeren")
    page.get_by_role("button", name="Gem mødet").click()
    expect(page.get_by_text("Budget gennemgået med beboeren")).to_be_visible()

    # The outcome: a payment plan agreed, with the debt it covers.
    page.get_by_role("link", name="Registrér resultat").click()
    page.get_by_label("Resultat").select_option(
        label="Betalingsaftale indgået (evt. beløb: gæld afviklet)"
    )
    page.get_by_label("Beløb (kr.)").fill("12500")
    page.get_by_role("button", name="Gem resultatet").click()
    expect(page.get_by_role("cell", name="Betalingsaftale indgået")).to_be_visible()

    # Closed today.
    page.get_by_test_id("close-form").get_by_role("button", name="Luk sagen").click()
    expect(page.get_by_role("button", name="Genåbn sagen")).to_be_visible()

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == timezone.localdate()
    meeting = Meeting.objects.get(case=case)
    assert meeting.place == Meeting.Place.HOME and meeting.duration_minutes == 75
    assert case.outcomes.get().kind.code == "payment_plan"
    actions = set(CaseAccess.objects.filter(case=case).values_list("action", flat=True))
    assert {"view", "meeting", "outcome", "close"} <= actions
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == []
