"""Residents meet the portal on a phone. An Arabic-reading resident of Rising: the
poster's code opens the page in Arabic, right to left; she signs up, staff confirm
it, and later she withdraws by her own link, which erases her as staff withdrawal
does. Another reports a broken lamp, and follows it until it is fixed."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from boligsocial.models import Organisation
from safety.models import Finding, FindingCategory, ResidentReport, RoutingRule, SignUp
from tests.test_walk_journey import photo_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_arabic_reading_resident_signs_up_and_withdraws_by_her_link(
    page, live_server, login, staff, departments
):
    page.set_viewport_size({"width": 375, "height": 812})
    east = departments[0]
    east.streets = "Rising Allé"
    east.save()

    # The Arabic poster's code: the page in Arabic, mirrored.
    page.goto(
        live_server.url + reverse("nabohjaelp:signup", args=["rising"]) + "?lang=ar"
    )
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("انضم إلى")
    expect(page.get_by_test_id("resident-contact")).to_contain_text("12 34 56 78")
    page.get_by_label("اسمك").fill("Amira Haddad")
    page.get_by_label("الهاتف").fill("31 22 33 44")
    page.get_by_label("الشارع").fill("Rising Allé")
    page.get_by_label("رقم المنزل").fill("14")
    page.get_by_label("قرأت نص الموافقة وأوافق عليه").check()
    page.get_by_role("button", name="سجّلني").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("شكرًا على تسجيلك")
    link = page.get_by_test_id("withdrawal-link").get_by_role("link")
    address = link.get_attribute("href")
    assert "/nabohjaelp/afmeld/" in address and address.endswith("?lang=ar")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    signup = SignUp.objects.get()
    assert signup.consent_text.language == "ar"

    # Staff confirm it; it counts from now on.
    login(staff)
    page.goto(live_server.url + signup.get_absolute_url())
    page.get_by_role("button", name="Bekræft tilmeldingen").click()
    expect(page.get_by_role("status")).to_contain_text("bekræftet")
    page.context.clear_cookies()

    # Months later, from the link she kept: asked first, then withdrawn, in Arabic.
    page.goto(address)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rising")
    assert "Amira" not in page.content()
    page.get_by_role("button", name="ألغِ تسجيلي واحذف معلوماتي").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("تم إلغاء تسجيلك")
    signup.refresh_from_db()
    assert (signup.status, signup.name, signup.phone) == (
        SignUp.Status.WITHDRAWN,
        "",
        "",
    )

    # The link works once.
    page.goto(address)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("الرابط لا يعمل")


def test_a_reported_lamp_becomes_a_finding_the_partner_fixes_and_the_resident_sees(
    page, live_server, login, safety_advisor, partner, departments, settings, tmp_path
):
    """A resident reports a broken lamp with a photo from her phone; the
    tryghedsrådgiver turns it into a finding for the police; the police mark it
    fixed; her status page says so."""
    settings.MEDIA_ROOT = tmp_path
    page.set_viewport_size({"width": 375, "height": 812})
    police = Organisation.objects.get(name="Fyns Politi")
    RoutingRule.objects.create(
        category=FindingCategory.objects.get(name="Belysning"), organisation=police
    )

    # The poster's link: the area's page; a tap on the map places the lamp.
    page.goto(live_server.url + reverse("meld:report", args=["rising"]))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Meld et problem i Rising"
    )
    page.get_by_label("Belysning").check()
    location = page.locator("#location-map")
    location.scroll_into_view_if_needed()
    expect(location.locator(".map-label", has_text="Rising")).to_be_visible()
    box = location.bounding_box()
    location.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.get_by_label("Beskriv problemet").fill("Lampen på stien lyser ikke")
    page.get_by_label("Billede (hvis du vil)").set_input_files(
        {"name": "lampe.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    page.get_by_role("button", name="Send meldingen").click()
    expect(page.get_by_test_id("report-thanks")).to_contain_text("Tak for din melding")
    expect(page.get_by_test_id("report-status")).to_have_text(
        "Modtaget: vi kigger på den"
    )
    status_page = page.get_by_test_id("report-thanks").get_by_role("link")
    status_address = status_page.get_attribute("href")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    report = ResidentReport.objects.get()
    assert report.image and report.latitude is not None
    page.context.clear_cookies()

    # The tryghedsrådgiver finds it in "Mit arbejde" and makes it a finding.
    login(safety_advisor)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Belysning: punkt på kortet").click()
    expect(page.get_by_test_id("report")).to_contain_text("Lampen på stien lyser ikke")
    page.get_by_test_id("to-finding").click()
    expect(page.get_by_label("Ansvarlig organisation")).to_have_value(str(police.pk))
    page.locator("#id_place").fill("Stien ved Rising Allé")
    page.get_by_role("button", name="Gem og send fundet").click()
    expect(page.get_by_test_id("status")).to_have_text("Sendt til ansvarlig")
    expect(page.get_by_test_id("from-resident")).to_contain_text("Meldt af en beboer")
    finding = Finding.objects.get()
    assert finding.photos.count() == 1
    page.context.clear_cookies()

    # The police, told under the bell, fix it.
    login(partner)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Belysning: Stien ved Rising Allé").click()
    assert "@" not in page.get_by_test_id("finding").inner_text()
    page.get_by_label("Udbedret", exact=True).check()
    page.get_by_role("button", name="Gem status").click()
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_test_id("status")).to_have_text("Udbedret")
    page.context.clear_cookies()

    # The resident's link says so.
    page.goto(status_address)
    expect(page.get_by_test_id("report-status")).to_have_text("Udbedret")
    expect(page.get_by_test_id("report-steps")).to_contain_text("Fyns Politi")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
