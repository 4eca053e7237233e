"""On a phone, the tryghedsrådgiver opens an incident and the police are told of it
by the real worker; the police's partner user then reads the incident's timeline."""

import time

import pytest
from playwright.sync_api import expect

from boligsocial.models import Area, Organisation
from safety.models import Contact, Incident, IncidentNotification

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKER_SECONDS = 30


def open_beredskab(page) -> None:
    """Through the menu, folded away behind its button on a phone."""
    page.get_by_role("button", name="Vis menu").click()
    page.get_by_test_id("nav").get_by_role("link", name="Beredskab").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hændelser")


def test_the_safety_advisor_opens_an_incident_and_the_told_partner_reads_it(
    page, live_server, login, celery_worker, safety_advisor, partner
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 375, "height": 812})
    police = Organisation.objects.get(name="Fyns Politi")
    Contact.objects.create(
        organisation=police,
        area=Area.objects.get(slug="rising"),
        name="Mette Betjent",
        role="Områdebetjent",
        email="journey@politi.example",
    )

    # The incident, first without its severity and with a phone number.
    login(safety_advisor)
    open_beredskab(page)
    page.get_by_role("link", name="Ny hændelse").click()
    page.get_by_label("Overskrift").fill("Brand i kælderen i opgang 12")
    page.get_by_label("Type").select_option(label="Brand")
    page.get_by_label("Boligområde").select_option(label="Rising")
    page.get_by_label("Sted").fill("Rising Allé 12, kælderen")
    page.get_by_label("Anmeldt af").select_option(label="En beboer")
    page.get_by_label("Hvad skete der").fill(
        "Røg fra kælderen. Beboeren kan nås på 20 30 40 50."
    )
    page.get_by_label("Fyns Politi").check()
    page.get_by_role("button", name="Opret og underret").click()

    # Each message next to its field (crispy's error ids), the input kept.
    expect(page.locator("#error_1_id_severity")).to_be_visible()
    expect(page.locator("#error_1_id_description")).to_contain_text("telefonnummer")
    expect(page.get_by_label("Overskrift")).to_have_value(
        "Brand i kælderen i opgang 12"
    )
    assert Incident.objects.count() == 0

    page.get_by_label("Alvorlighed").select_option(label="Alvorlig")
    page.get_by_label("Hvad skete der").fill(
        "Røg fra kælderen; brandvæsenet slukkede. Ingen kom til skade."
    )
    page.get_by_role("button", name="Opret og underret").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Brand i kælderen i opgang 12"
    )

    # The worker sends the police their mail in the background.
    notification = IncidentNotification.objects.get(organisation=police)
    deadline = time.monotonic() + WORKER_SECONDS
    while notification.status != IncidentNotification.Status.SENT:
        assert time.monotonic() < deadline, "the worker did not send it in time"
        time.sleep(0.3)
        notification.refresh_from_db()
    page.reload()
    expect(page.get_by_test_id("notification")).to_contain_text("Sendt")
    expect(page.get_by_test_id("recipients")).to_contain_text("journey@politi.example")

    # A message to the residents on the timeline.
    entry = page.get_by_test_id("entry-form")
    entry.get_by_label("Type").select_option(
        label="Besked til beboere eller institutioner"
    )
    entry.get_by_label("Tekst").fill("Opslag i opgangen: kælderen er lukket i dag.")
    entry.get_by_label("Kanal").select_option(label="Brev eller opslag")
    entry.get_by_label("Modtagere").select_option(label="Beboere")
    entry.get_by_role("button", name="Tilføj til tidslinjen").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("kælderen er lukket i dag")

    # The police's partner user finds it under Beredskab and reads the timeline.
    page.context.clear_cookies()
    login(partner)
    open_beredskab(page)
    page.get_by_role("link", name="Brand i kælderen i opgang 12").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Underretning sendt")
    expect(timeline).to_contain_text("Fyns Politi")
    expect(timeline).to_contain_text("kælderen er lukket i dag")
    # Read-only, and no one's addresses.
    expect(page.get_by_test_id("entry-form")).to_have_count(0)
    expect(page.get_by_test_id("recipients")).to_have_count(0)
    expect(page.get_by_role("link", name="Ret hændelsen")).to_have_count(0)

    assert [text for text in console if "Content Security Policy" in text] == []
