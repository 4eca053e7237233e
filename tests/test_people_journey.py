"""People, in Chromium on a phone: the coordinator invites the housing
organisation's operations manager; she opens the link from her e-mail, chooses a
password and lands on her work; when she changes job, the coordinator deactivates
her and her open session ends at once. And a new staff member sets up two-factor
through the link, never from the password alone."""

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from boligsocial.models import PersonChange, User
from tests.pages import fits_a_phone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "altaner-og-grønne-gårde-2026"  # noqa: S105


def link_in(mail, live_server) -> str:
    path = re.search(r"http://[^/\s]+(/account/invitation/\S+/)", mail.body)[1]
    return live_server.url + path


def test_a_coordinator_invites_a_partner_who_joins_and_is_later_deactivated(
    page, browser, live_server, login, coordinator, housing_org, mailoutbox
):
    page.set_viewport_size({"width": 375, "height": 812})
    login(coordinator)
    page.goto(live_server.url + reverse("person_list"))
    fits_a_phone(page)
    page.get_by_test_id("person-invite").click()
    page.get_by_label("Fornavn").fill("Hanne")
    page.get_by_label("Efternavn").fill("Driftschef")
    page.locator("input[name=email]").fill("hanne@boligselskab.example.dk")
    page.get_by_label("Rolle").select_option("partner")
    page.get_by_label("Organisation").select_option(label=housing_org.name)
    page.get_by_label("Rising").check()
    fits_a_phone(page)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("person-state")).to_contain_text("Inviteret")
    fits_a_phone(page)

    # Her phone: the link from the e-mail, a password, and her work.
    (mail,) = mailoutbox
    assert mail.to == ["hanne@boligselskab.example.dk"]
    phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    phone.goto(link_in(mail, live_server))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Velkommen, Hanne")
    fits_a_phone(phone)
    phone.locator("input[name=new_password1]").fill(PASSWORD)
    phone.locator("input[name=new_password2]").fill(PASSWORD)
    phone.get_by_role("button", name="Gem adgangskode og fortsæt").click()
    expect(phone).to_have_url(live_server.url + reverse("home"))
    expect(phone.get_by_text("Velkommen til portalen.")).to_be_visible()

    # The coordinator sees she joined, then deactivates her.
    hanne = User.objects.get(email="hanne@boligselskab.example.dk")
    page.goto(live_server.url + reverse("person_detail", args=[hanne.pk]))
    expect(page.get_by_test_id("person-state")).to_contain_text("Aktiv")
    expect(page.get_by_test_id("person-changes")).to_contain_text(
        "Valgte sin adgangskode"
    )
    page.get_by_role("link", name="Deaktivér").click()
    expect(page).to_have_url(
        live_server.url + reverse("person_deactivate", args=[hanne.pk])
    )
    fits_a_phone(page)
    page.get_by_role("button", name="Deaktivér").click()
    expect(page.get_by_test_id("person-state")).to_contain_text("Deaktiveret")
    assert list(hanne.changes.values_list("action", flat=True))[0] == (
        PersonChange.Action.DEACTIVATED
    )

    # Her open session is over at once, and the password no longer opens it.
    phone.reload()
    expect(phone).to_have_url(re.compile(re.escape(reverse("login"))))
    phone.locator("input[name=username]").fill(hanne.username)
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(re.escape(reverse("login"))))


def test_a_new_staff_member_sets_up_two_factor_through_the_link_only(
    page, live_server, login, coordinator, mailoutbox
):
    page.set_viewport_size({"width": 375, "height": 812})
    login(coordinator)
    page.goto(live_server.url + reverse("person_invite"))
    page.get_by_label("Fornavn").fill("Ali")
    page.locator("input[name=email]").fill("ali@boligsocialthus.example.dk")
    page.get_by_label("Rolle").select_option("staff")
    page.get_by_label("Organisation").select_option(label="BoligSocialt Hus")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("person-state")).to_contain_text("Inviteret")

    page.context.clear_cookies()
    page.goto(link_in(mailoutbox[-1], live_server))
    page.locator("input[name=new_password1]").fill(PASSWORD)
    page.locator("input[name=new_password2]").fill(PASSWORD)
    page.get_by_role("button", name="Gem adgangskode og fortsæt").click()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    fits_a_phone(page)
    key = page.get_by_test_id("totp-key").inner_text().replace(" ", "")
    page.get_by_label("Kode").fill(f"{TOTP(b32decode(key)).token():06d}")
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Fortsæt").click()
    expect(page).to_have_url(live_server.url + reverse("home"))
