"""A coordinator's first login sets up an authenticator app, through a link from
their e-mail (the password alone is not enough); the next login asks for a code
(in a real browser, Debian's Chromium)."""

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_coordinator_sets_up_an_app_at_the_first_login_and_gives_a_code_next_time(
    page, live_server, login, coordinator, tmp_path, mailoutbox
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    admin = live_server.url + reverse("admin:index")

    # The first login: the password, then not the admin but a page asking for the
    # link from the e-mail, which it sends.
    page.goto(admin)
    page.locator("input[name=username]").fill(coordinator.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(
        live_server.url + reverse("two_factor_setup") + "?next=/admin/"
    )
    expect(page.get_by_test_id("qr-code")).to_have_count(0)
    page.get_by_role("button", name="Send et link til").click()
    expect(page.get_by_text("Vi har sendt et link")).to_be_visible()
    link = re.search(r"http://[^/\s]+(/account/invitation/\S+/)", mailoutbox[-1].body)
    page.goto(live_server.url + link[1])
    page.get_by_role("button", name="Fortsæt til opsætningen").click()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("nav").locator("li")).to_have_count(0)
    page.screenshot(path=tmp_path / "two_factor_setup.png", full_page=True)

    # The phone's app, given the key typed from the page.
    key = page.get_by_test_id("totp-key").inner_text().replace(" ", "")
    page.get_by_label("Kode").fill(f"{TOTP(b32decode(key)).token():06d}")
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    page.screenshot(path=tmp_path / "two_factor_backup_codes.png", full_page=True)
    page.get_by_role("link", name="Fortsæt").click()
    expect(page).to_have_url(live_server.url + reverse("home"))
    page.goto(admin)
    expect(page).to_have_url(admin)

    # Logged out and in again: the code prompt, filled from the app by `login`.
    page.get_by_role("button", name="Log ud").click()
    login(coordinator)
    expect(page).to_have_url(live_server.url + reverse("home"))

    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == []
