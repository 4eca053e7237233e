"""A resident signs up for Nabohjælp on a phone; a staff member confirms it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safety.models import SignUp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_resident_signs_up_on_a_phone_and_staff_confirm_it(
    page, live_server, login, staff, departments
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 375, "height": 812})
    east = departments[0]
    east.streets = "Rising Allé\nØstergade"
    east.save()

    # The QR code on the poster opens the area's page: no login.
    page.goto(live_server.url + reverse("nabohjaelp:signup", args=["rising"]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rising")
    expect(page.locator("input[name=website]")).to_be_hidden()
    page.get_by_label("Dit navn").fill("Ida Christensen")
    page.get_by_label("Telefon").fill("31 22 33 44")
    page.get_by_label("Vej").fill("Rising Allé")
    page.get_by_label("Husnummer").fill("14")
    page.get_by_label("Etage og dør").fill("3. tv")

    # Forgetting the consent: told so by the box, and nothing typed is lost.
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(
        page.locator("#id_consent ~ .invalid-feedback, #error_1_id_consent").first
    ).to_contain_text("samtykke")
    expect(page.get_by_label("Dit navn")).to_have_value("Ida Christensen")
    assert not SignUp.objects.exists()

    page.get_by_label("Jeg har læst teksten om samtykke").check()
    page.get_by_role("button", name="Tilmeld mig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for din tilmelding")
    signup = SignUp.objects.get()
    assert (signup.status, signup.department) == (SignUp.Status.TO_CONFIRM, east)

    # Staff see that one waits, open it and confirm it.
    login(staff)
    page.goto(live_server.url + reverse("safety:nabohjaelp"))
    page.get_by_test_id("to-confirm").click()
    page.get_by_role("link", name="Ida Christensen").click()
    expect(page.get_by_test_id("signup")).to_contain_text("Rising Allé 14, 3. tv")
    page.get_by_role("button", name="Bekræft tilmeldingen").click()
    expect(page.get_by_role("status")).to_contain_text("bekræftet")
    signup.refresh_from_db()
    assert (signup.status, signup.confirmed_by) == (SignUp.Status.ACTIVE, staff)

    assert [text for text in console if "Content Security Policy" in text] == []
