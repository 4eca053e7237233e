"""The incident page: its facts, who was told and how it went, and the timeline
(opening, notifications sent, entries, the closing); writing to the timeline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import User
from safety.conftest import make_incident
from safety.models import Incident, IncidentEntry, IncidentNotification

pytestmark = pytest.mark.usefixtures("frozen_today")


def entry_url(incident: Incident) -> str:
    return reverse("safety:entry_create", args=[incident.pk])


def entry_data(**extra) -> dict:
    data = {
        "kind": IncidentEntry.Kind.UPDATE,
        "happened_at": "2026-05-04T11:30",
        "text": "Brandvæsenet har forladt stedet.",
        "actor": "",
        "channel": "",
        "audience": "",
        "approved_by": "",
    }
    data.update(extra)
    return data


def form_errors(response) -> dict:
    form = response.context["entry_form"]
    return {field: list(errors) for field, errors in form.errors.items()}


def add_entry(incident: Incident, by: User, minutes: int, **fields) -> IncidentEntry:
    values = {
        "kind": IncidentEntry.Kind.UPDATE,
        "happened_at": incident.occurred_at + datetime.timedelta(minutes=minutes),
        "text": f"Opdatering efter {minutes} minutter",
        "created_by": by,
    }
    values.update(fields)
    return IncidentEntry.objects.create(incident=incident, **values)


@pytest.fixture
def incident(rising, police, ssp, staff) -> Incident:
    """In Rising, two hours ago; Fyns Politi and SSP told (sent), the municipality
    pending after a failed try."""
    incident = make_incident(rising, notify=[police, ssp], by=staff)
    IncidentNotification.objects.filter(incident=incident).update(
        recipients="vagt@politi.example"
    )
    return incident


@pytest.fixture
def pending(incident, municipality) -> IncidentNotification:
    notification = IncidentNotification.objects.create(
        incident=incident, organisation=municipality
    )
    notification.mark_attempt_failed(error="SMTPRecipientsRefused: kim@kommune.example")
    return notification


# --- What the page shows ------------------------------------------------------------


def test_handlers_see_the_facts_the_notifications_and_their_recipients(
    client, staff, incident, pending
):
    client.force_login(staff)
    response = client.get(incident.get_absolute_url())
    html = response.content.decode()
    assert "Brand i kælder" in html and "Opgang 12" in html
    assert "En beboer" in html and "Alvorlig" in html
    assert "vagt@politi.example" in html
    assert "Venter" in html and "1 forsøg" in html
    assert "SMTPRecipientsRefused: kim@kommune.example" in html
    assert 'data-testid="entry-form"' in html
    assert reverse("safety:incident_notify", args=[incident.pk]) in html


def test_a_partner_reads_the_page_but_never_another_organisations_recipients(
    client, partner, incident, pending
):
    client.force_login(partner)
    response = client.get(incident.get_absolute_url())
    html = response.content.decode()
    assert "Røg i kælderen" in html
    assert "SSP Odense" in html
    assert "vagt@politi.example" not in html
    assert "kim@kommune.example" not in html
    assert 'data-testid="recipients"' not in html
    assert 'data-testid="entry-form"' not in html
    for name in ("incident_edit", "incident_notify", "incident_close"):
        assert reverse(f"safety:{name}", args=[incident.pk]) not in html
    assert "Prøv igen" not in html


def test_the_timeline_tells_the_story_in_time_order(
    client, safety_advisor, staff, incident, police
):
    add_entry(
        incident,
        staff,
        30,
        kind=IncidentEntry.Kind.ACTION,
        text="Opgangen er lukket af",
        actor="Fyns Politi",
    )
    add_entry(
        incident,
        staff,
        10,
        kind=IncidentEntry.Kind.MESSAGE,
        text="Brev i opgangene om branden",
        channel=IncidentEntry.Channel.LETTER,
        audience=IncidentEntry.Audience.RESIDENTS,
    )
    add_entry(
        incident,
        staff,
        120,
        kind=IncidentEntry.Kind.PRESS,
        text="Der var en mindre brand i en kælder.",
        approved_by="Lise Leder, områdechef",
    )
    incident.close(by=safety_advisor, evaluation="Beboerne blev hurtigt informeret.")
    client.force_login(staff)
    response = client.get(incident.get_absolute_url())
    kinds = [moment.kind for moment in response.context["timeline"]]
    assert kinds == [
        "occurred",
        "entry",
        "entry",
        "opened",
        "notified",
        "notified",
        "entry",
        "closed",
    ]
    html = response.content.decode()
    order = [
        "Brev i opgangene om branden",
        "Opgangen er lukket af",
        "Hændelsen oprettet",
        "Underretning sendt",
        "Der var en mindre brand i en kælder.",
        "Hændelsen afsluttet",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Brev eller opslag · Beboere" in html
    assert "Udført af Fyns Politi" in html
    assert "skrevet af Staff" in html
    assert 'data-testid="press"' in html
    assert "Godkendt af Lise Leder, områdechef" in html
    assert "Beboerne blev hurtigt informeret." in html
    assert 'data-testid="entry-form"' not in html


def test_a_partner_reads_the_timeline(client, partner, staff, incident):
    add_entry(incident, staff, 20, text="Politiet er på stedet")
    client.force_login(partner)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "Politiet er på stedet" in html
    assert 'data-testid="moment-notified"' in html


@pytest.mark.parametrize(
    ("who", "queries"),
    [("safety_advisor", 9), ("staff", 9), ("coordinator", 9), ("partner", 8)],
)
def test_the_page_costs_the_same_queries_however_long_the_timeline(
    client,
    safety_advisor,
    staff,
    coordinator,
    partner,
    incident,
    municipality,
    django_assert_num_queries,
    who,
    queries,
):
    person = {
        "safety_advisor": safety_advisor,
        "staff": staff,
        "coordinator": coordinator,
        "partner": partner,
    }[who]
    add_entry(incident, staff, 5)
    client.force_login(person)
    with django_assert_num_queries(queries):
        assert client.get(incident.get_absolute_url()).status_code == 200
    for minutes in range(14):
        add_entry(incident, staff, 10 + minutes, actor="SSP")
    add_entry(
        incident,
        safety_advisor,
        40,
        kind=IncidentEntry.Kind.PRESS,
        approved_by="Lise Leder",
    )
    failed = IncidentNotification.objects.create(
        incident=incident, organisation=municipality
    )
    failed.mark_attempt_failed(error="no contact", final=True)
    assert incident.entries.count() == 16
    with django_assert_num_queries(queries):
        assert client.get(incident.get_absolute_url()).status_code == 200


# --- Writing to the timeline --------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "safety_advisor", "coordinator"])
def test_handlers_add_an_update_to_the_timeline(
    client, staff, safety_advisor, coordinator, incident, who
):
    person = {
        "staff": staff,
        "safety_advisor": safety_advisor,
        "coordinator": coordinator,
    }[who]
    client.force_login(person)
    response = client.post(entry_url(incident), entry_data(actor="Brandvæsenet"))
    assert response["Location"] == incident.get_absolute_url() + "#timeline"
    entry = incident.entries.get()
    assert (entry.kind, entry.text, entry.actor, entry.created_by) == (
        "update",
        "Brandvæsenet har forladt stedet.",
        "Brandvæsenet",
        person,
    )
    assert timezone.localtime(entry.happened_at).strftime("%H:%M") == "11:30"


def test_the_entry_form_starts_now(client, staff, incident):
    client.force_login(staff)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert 'name="happened_at" value="2026-05-04T12:00"' in html


def test_a_message_is_stored_with_its_channel_and_audience(client, staff, incident):
    client.force_login(staff)
    client.post(
        entry_url(incident),
        entry_data(kind="message", channel="sms", audience="both", text="SMS sendt"),
    )
    entry = incident.entries.get()
    assert (entry.channel, entry.audience, entry.approved_by) == ("sms", "both", "")


def test_fields_of_another_kind_are_not_stored(client, staff, incident):
    client.force_login(staff)
    client.post(
        entry_url(incident),
        entry_data(kind="action", channel="sms", audience="both", approved_by="X"),
    )
    entry = incident.entries.get()
    assert (entry.channel, entry.audience, entry.approved_by) == ("", "", "")


def test_a_message_without_channel_is_refused_on_the_page_with_the_input_kept(
    client, staff, incident
):
    client.force_login(staff)
    response = client.post(
        entry_url(incident),
        entry_data(kind="message", audience="residents", text="Opslag i opgangen"),
    )
    assert response.status_code == 200
    assert form_errors(response) == {
        "channel": ["Vælg den kanal, beskeden blev sendt gennem."]
    }
    html = response.content.decode()
    assert "Opslag i opgangen" in html
    assert 'value="residents" selected' in html
    assert "Brand i kælder" in html and 'data-testid="timeline"' in html
    assert not incident.entries.exists()


def test_a_press_text_without_approval_is_refused(client, staff, incident):
    client.force_login(staff)
    response = client.post(
        entry_url(incident), entry_data(kind="press", text="Til pressen")
    )
    assert form_errors(response) == {
        "approved_by": ["Skriv, hvem der godkendte teksten."]
    }
    assert not incident.entries.exists()


def test_an_entry_in_the_future_is_refused(client, staff, incident):
    client.force_login(staff)
    response = client.post(
        entry_url(incident), entry_data(happened_at="2026-05-04T15:00")
    )
    assert list(form_errors(response)) == ["happened_at"]
    assert not incident.entries.exists()


def test_a_phone_number_in_the_timeline_is_stored_only_once_confirmed(
    client, staff, incident
):
    client.force_login(staff)
    text = "Ring til beboeren på 61 23 45 67"
    response = client.post(entry_url(incident), entry_data(text=text))
    assert "telefonnummer" in form_errors(response)["text"][0]
    assert 'type="checkbox" name="confirm_cpr"' in response.content.decode()
    assert not incident.entries.exists()
    response = client.post(entry_url(incident), entry_data(text=text, confirm_cpr="on"))
    assert response.status_code == 302
    assert incident.entries.get().text == text


def test_a_cpr_number_in_the_timeline_is_warned_of(client, staff, incident):
    client.force_login(staff)
    response = client.post(entry_url(incident), entry_data(text="Sag 010190-1234"))
    assert "CPR-nummer" in form_errors(response)["text"][0]
    assert not incident.entries.exists()
