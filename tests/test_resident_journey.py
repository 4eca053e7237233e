"""An Arabic-reading resident of Rising meets the portal on a phone: the poster's
code opens the page in Arabic, right to left; she signs up, staff confirm it, and
later she withdraws by her own link, which erases her as staff withdrawal does."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safety.models import SignUp

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
