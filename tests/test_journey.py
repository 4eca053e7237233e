"""A staff member's first visit, in a real browser (Debian's Chromium)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_logs_in_sees_their_landing_page_switches_language_and_logs_out(
    page, live_server, login, staff, tmp_path
):
    # CSP (script-src/style-src 'self') blocks any inline script or style; the
    # browser reports each blocked one on the console.
    console = []
    page.on("console", lambda message: console.append(message.text))

    login(staff)

    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_test_id("landing")).to_be_visible()
    expect(page.get_by_test_id("nav")).to_contain_text("Mit arbejde")
    # Bootstrap's stylesheet is applied: the navbar has its background colour.
    expect(page.locator("nav.navbar")).not_to_have_css(
        "background-color", "rgba(0, 0, 0, 0)"
    )
    # Kept for a human to look at (pytest keeps the last runs' tmp_path).
    page.screenshot(path=tmp_path / "landing.png", full_page=True)

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("landing")).to_be_visible()

    # Logging out sits in the user menu, a Bootstrap dropdown: opening it proves
    # Bootstrap's JavaScript runs under the CSP. The logout button is found by its
    # form's address, not by its text, which is now translated.
    page.get_by_test_id("whoami").click()
    page.locator(f"form[action='{reverse('logout')}'] button[type=submit]").click()

    expect(page).to_have_url(live_server.url + reverse("login"))
    expect(page.locator("input[name=password]")).to_be_visible()
    page.goto(live_server.url + reverse("home"))
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next=/$"))

    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == []
