"""The beredskab's lists out as CSV and Excel: incidents, contacts, network
meetings and follow-up tasks, each under its list's filter and door."""

import csv
import datetime
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.urls import reverse

from safety.conftest import TODAY, make_incident, make_meeting, make_task
from safety.models import Contact

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(name: str, fmt: str = "csv") -> str:
    return reverse(f"safety:{name}_export", args=[fmt])


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(StringIO(text[1:])))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200, response
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


# --- Incidents --------------------------------------------------------------------


@pytest.fixture
def incidents(rising, police, ssp, staff):
    """A fire the police were told of, unrest nobody was told of (formula title)."""
    return {
        "fire": make_incident(rising, notify=[police], by=staff),
        "unrest": make_incident(
            rising,
            title="=cmd|' /C calc'!A0",
            kind="unrest",
            severity=1,
            by=staff,
        ),
    }


def test_staff_export_the_incidents_under_the_filter(client, staff, incidents):
    client.force_login(staff)
    header, *rows = xlsx_rows(client.get(url("incident", "xlsx"), {"severity": 2}))
    assert header[:3] == ("Nummer", "Tidspunkt", "Overskrift")
    assert [row[0] for row in rows] == [incidents["fire"].pk]
    assert isinstance(rows[0][1], datetime.datetime)
    assert rows[0][header.index("Underretninger sendt")] == 1


def test_a_partner_exports_only_the_incidents_it_was_told_of(
    client, partner, incidents
):
    client.force_login(partner)
    header, *rows = csv_rows(client.get(url("incident")))
    assert [int(row[0]) for row in rows] == [incidents["fire"].pk]


def test_formula_like_incident_text_stays_text(client, staff, incidents):
    client.force_login(staff)
    rows = csv_rows(client.get(url("incident")))
    assert "'=cmd|' /C calc'!A0" in [row[2] for row in rows]
    rows = xlsx_rows(client.get(url("incident", "xlsx")))
    assert "'=cmd|' /C calc'!A0" in [row[2] for row in rows]


def test_a_bad_incident_filter_goes_back_to_the_list(client, staff, incidents):
    client.force_login(staff)
    response = client.get(url("incident"), {"occurred_from": "31.02.2026"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("safety:incident_list") + "?")


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_roles_without_incidents_cannot_export_them(client, personas, role):
    client.force_login(personas[role])
    assert client.get(url("incident")).status_code == 403


# --- Contacts ---------------------------------------------------------------------


def test_a_safety_advisor_exports_the_contacts_of_an_area(
    client, safety_advisor, contacts, rising
):
    Contact.objects.create(
        organisation=contacts["ssp"].organisation,
        name="+45 hack",
        role="@SUM(1)",
        email="x@ssp.example",
        area=None,
    )
    client.force_login(safety_advisor)
    header, *rows = csv_rows(client.get(url("contact"), {"area": rising.pk}))
    assert header[:4] == ["Organisation", "Område", "Navn", "Rolle"]
    names = [row[2] for row in rows]
    assert "Mette Betjent" in names and "Sara SSP" in names
    police = next(row for row in rows if row[2] == "Mette Betjent")
    assert police[4] == "66 14 14 48" and police[6] == "Jonas Vagt"
    assert "'+45 hack" in names
    assert "'@SUM(1)" in [row[3] for row in rows]
    sara = next(row for row in rows if row[2] == "Sara SSP")
    assert sara[1] == "Alle områder"


def test_partners_cannot_export_the_contact_lists(client, partner, contacts):
    client.force_login(partner)
    assert client.get(url("contact")).status_code == 403
    assert client.get(url("contact", "xlsx")).status_code == 403


def test_a_bad_contact_filter_goes_back_to_the_list(client, staff, contacts):
    client.force_login(staff)
    response = client.get(url("contact"), {"organisation": "999999"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("safety:contact_list"))


# --- The network: meetings and tasks ---------------------------------------------


@pytest.fixture
def network(police, ssp, municipality, rising):
    ours = make_meeting(organisations=[police, municipality], areas=[rising])
    theirs = make_meeting(
        organisations=[ssp],
        held_on=TODAY - datetime.timedelta(days=30),
        agenda="SSP-samarbejdet",
    )
    return {
        "meeting": ours,
        "ssp_meeting": theirs,
        "police_task": make_task(ours, police, description="=Lygter i Rising"),
        "municipality_task": make_task(
            ours,
            municipality,
            description="Ny belysning",
            due_on=TODAY - datetime.timedelta(days=1),
        ),
        "ssp_task": make_task(theirs, ssp, description="SSP's opgave"),
    }


def test_staff_export_every_meeting(client, staff, network):
    client.force_login(staff)
    header, *rows = xlsx_rows(client.get(url("meeting", "xlsx")))
    assert header[:3] == ("Dato", "Forum", "Områder")
    assert [row[0] for row in rows] == [
        datetime.datetime.combine(network["meeting"].held_on, datetime.time()),
        datetime.datetime.combine(network["ssp_meeting"].held_on, datetime.time()),
    ]
    assert "Fyns Politi" in rows[0][3] and "SSP Odense" == rows[1][3]
    assert rows[0][header.index("Åbne opgaver")] == 2


def test_a_partner_exports_only_the_meetings_its_organisation_took_part_in(
    client, partner, network
):
    client.force_login(partner)
    header, *rows = csv_rows(client.get(url("meeting")))
    assert [row[5] for row in rows] == [network["meeting"].agenda]


def test_tasks_export_under_the_filter_a_partners_own_first(
    client, partner, network, police
):
    client.force_login(partner)
    header, *rows = csv_rows(client.get(url("task")))
    assert header[:2] == ["Opgave", "Ansvarlig organisation"]
    # The police's own task first, though the municipality's is due sooner;
    # never SSP's, from a meeting the police were not at.
    assert [row[0] for row in rows] == ["'=Lygter i Rising", "Ny belysning"]
    header, *rows = csv_rows(client.get(url("task"), {"overdue": "on"}))
    assert [row[0] for row in rows] == ["Ny belysning"]
    header, *rows = csv_rows(client.get(url("task"), {"owner": police.pk}))
    assert [row[0] for row in rows] == ["'=Lygter i Rising"]


def test_a_bad_task_filter_goes_back_to_the_list(client, staff, network):
    client.force_login(staff)
    response = client.get(url("task"), {"owner": "nobody"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("safety:task_list"))


@pytest.mark.parametrize("name", ["meeting", "task"])
@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_roles_outside_the_network_cannot_export_it(client, personas, role, name):
    client.force_login(personas[role])
    assert client.get(url(name)).status_code == 403


@pytest.mark.parametrize("name", ["incident", "contact", "meeting", "task"])
def test_the_exports_take_only_get_and_known_formats(client, coordinator, name):
    client.force_login(coordinator)
    assert client.post(url(name)).status_code == 405
    assert client.get(url(name, "pdf")).status_code == 404


@pytest.mark.parametrize("name", ["incident", "contact", "meeting", "task"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(url(name))
    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.parametrize(
    "name,list_name",
    [
        ("incident", "incident_list"),
        ("contact", "contact_list"),
        ("meeting", "meeting_list"),
        ("task", "task_list"),
    ],
)
def test_each_list_links_its_export(client, coordinator, name, list_name):
    client.force_login(coordinator)
    page = client.get(reverse(f"safety:{list_name}")).content.decode()
    assert f'href="{url(name, "xlsx")}' in page


# Session, user, device; the count, the rows (and a meeting's areas and
# organisations); the session saved (three).
QUERIES = {"incident": 8, "contact": 8, "meeting": 10, "task": 8}


@pytest.mark.parametrize("name", ["incident", "contact", "meeting", "task"])
def test_the_exports_cost_the_same_queries_for_few_and_many(
    client, coordinator, network, contacts, incidents, name, django_assert_num_queries
):
    client.force_login(coordinator)
    client.get(url(name))
    with django_assert_num_queries(QUERIES[name]):
        client.get(url(name))
    police, rising = network["police_task"].owner, network["meeting"].areas.get()
    for n in range(3):
        more = make_meeting(organisations=[police], areas=[rising])
        make_task(more, police, description=f"Opgave {n}")
        make_incident(rising, title=f"Hændelse {n}", notify=[police])
        Contact.objects.create(
            organisation=police, name=f"Kontakt {n}", role="Rolle", email=f"k{n}@x.dk"
        )
    with django_assert_num_queries(QUERIES[name]):
        response = client.get(url(name))
    assert len(csv_rows(response)) > 4
