"""On a phone, staff record a walk with two findings and a photo; the partner who
must fix one logs in, marks it fixed, and the figures change."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from boligsocial.models import Organisation
from safety.models import Finding, FindingCategory, RoutingRule

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_staff_record_a_walk_with_findings_and_a_partner_fixes_one(
    page, live_server, login, staff, partner
):
    figures = reverse("safety:safety_figures") + f"?year={timezone.localdate().year}"
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 375, "height": 812})
    police = Organisation.objects.get(name="Fyns Politi")
    RoutingRule.objects.create(
        category=FindingCategory.objects.get(name="Hærværk"), organisation=police
    )
    RoutingRule.objects.create(
        category=FindingCategory.objects.get(name="Belysning"), organisation=police
    )

    # The walk, recorded on the phone.
    login(staff)
    page.goto(live_server.url + reverse("safety:walk_create"))
    page.get_by_label("Område").select_option(label="Rising")
    page.get_by_label("Tidspunkt").fill("2026-01-15T17:00")
    page.get_by_label("Status").select_option("held")
    page.get_by_label("Beboere med på turen").fill("6")
    page.get_by_role("button", name="Gem vandringen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rising")

    # Two findings, the first with a photo.
    page.get_by_role("link", name="Registrér et fund").click()
    page.get_by_label("Kategori").select_option(label="Hærværk")
    # The page asks who it goes to as the category is chosen: wait for the answer
    # (saved before it, the page would ask to check and save again).
    responsible = page.get_by_label("Ansvarlig organisation")
    expect(responsible).to_have_value(str(police.pk))
    page.get_by_label("Beskrivelse").fill("Knust rude i cykelskuret")
    page.get_by_label("Sted").fill("Cykelskuret ved nr. 4")
    page.get_by_label("Breddegrad").fill("55.3920")
    page.get_by_label("Længdegrad").fill("10.4110")
    page.get_by_label("Foto").set_input_files(
        {"name": "rude.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    page.get_by_role("button", name="Gem og registrér et til").click()
    expect(page.get_by_role("status").first).to_contain_text("Fyns Politi")

    page.get_by_label("Kategori").select_option(label="Belysning")
    expect(responsible).to_have_value(str(police.pk))
    page.get_by_label("Beskrivelse").fill("Lampen ved stien er slukket")
    page.get_by_label("Sted").fill("Stien mod skolen")
    page.get_by_role("button", name="Gem fundet", exact=True).click()
    expect(page.get_by_test_id("walk-findings").locator("li")).to_have_count(2)
    assert Finding.objects.filter(status=Finding.Status.SENT).count() == 2
    assert Finding.objects.get(place="Cykelskuret ved nr. 4").photos.count() == 1

    # The partner finds them in its worklist and marks one fixed.
    page.context.clear_cookies()
    login(partner)
    page.goto(live_server.url + figures)
    expect(page.get_by_test_id("share-fixed")).to_contain_text("0 af 2")
    page.goto(live_server.url + reverse("safety:finding_worklist"))
    page.get_by_role("link", name="Belysning: Stien mod skolen").click()
    page.get_by_label("Udbedret", exact=True).check()
    page.get_by_label("Kommentar").fill("Pæren er skiftet")
    page.get_by_role("button", name="Gem status").click()
    expect(page.get_by_test_id("status-confirm")).to_contain_text("»Udbedret«")
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_test_id("status")).to_have_text("Udbedret")
    expect(page.get_by_test_id("history")).to_contain_text("Pæren er skiftet")

    page.goto(live_server.url + figures)
    expect(page.get_by_test_id("share-fixed")).to_contain_text("1 af 2")

    assert [text for text in console if "Content Security Policy" in text] == []
