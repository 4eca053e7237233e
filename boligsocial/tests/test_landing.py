"""Each role lands on its own page and sees the navigation it may use."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from activities.models import Target
from boligsocial.models import Area, Organisation, Role
from safety.conftest import make_incident, make_meeting, make_task

INSIDE_NAV = [
    "Mit arbejde",
    "Helhedsplan",
    "Registreringer",
    "Kalender",
    "Nabohjælp",
    "Tryghedsvandringer",
    "Beredskab",
    "Økonomisk rådgivning",
    "Tal og rapporter",
    "Boligområder",
]
# The financial advisors and the system's administrator have no part in incidents.
WITHOUT_BEREDSKAB = [label for label in INSIDE_NAV if label != "Beredskab"]
EXPECTED_NAV = {
    Role.STAFF: INSIDE_NAV,
    Role.ADVISOR: WITHOUT_BEREDSKAB,
    Role.SAFETY_ADVISOR: INSIDE_NAV,
    Role.COORDINATOR: [*INSIDE_NAV, "Personer", "Administration"],
    Role.PARTNER: [
        "Mit arbejde",
        "Helhedsplan",
        "Kalender",
        "Nabohjælp",
        "Tryghedsvandringer",
        "Beredskab",
        "Økonomisk rådgivning",
        "Tal og rapporter",
        "Boligområder",
    ],
    Role.ADMIN: [*WITHOUT_BEREDSKAB, "Personer", "Administration"],
}
LANDING_HEADINGS = {
    Role.STAFF: "Min arbejdsdag",
    Role.ADVISOR: "Økonomisk rådgivning",
    Role.SAFETY_ADVISOR: "Tryghed og kriminalitetsforebyggelse",
    Role.COORDINATOR: "Helhedsplanen",
    Role.PARTNER: "Velkommen, Fyns Politi",
    Role.ADMIN: "Administration af portalen",
}
# Session and user, the session's renewal (3: update in a savepoint), then the
# role's own figures (the tryghedsrådgiver's open incidents and the network's
# open tasks too) and its queue, "Mit arbejde" (boligsocial/my_work.py, one or
# two queries a section); constant however many rows there are
# (test_my_work.py). Everyone but the partner adds one: the device that
# verified their session (two factors). Staff's queue also reads earlier years'
# status texts sent back in the year's close.
QUERIES = {
    Role.STAFF: 18,
    Role.ADVISOR: 14,
    Role.SAFETY_ADVISOR: 20,  # and the residents' reports waiting
    Role.COORDINATOR: 20,  # and the residents' reports waiting
    Role.PARTNER: 15,
    Role.ADMIN: 8,
}


def nav_labels(response) -> list[str]:
    return [str(item.label) for item in response.context["nav_items"]]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_page_with_its_navigation(
    client, personas, departments, role, django_assert_num_queries
):
    client.force_login(personas[role])
    with django_assert_num_queries(QUERIES[role]):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f"boligsocial/home_{role}.html" in [t.name for t in response.templates]
    assert nav_labels(response) == EXPECTED_NAV[role]
    assert LANDING_HEADINGS[role] in response.content.decode()


def test_staff_see_the_current_plans_activities_in_their_areas(client, staff):
    client.force_login(staff)
    response = client.get(reverse("home"))
    activities = [a.name for a in response.context["activities"]]
    assert "Fritidsjobrådgivning" in activities
    assert all(
        a.focus_area.plan_period.name.endswith("2024–2028")
        for a in response.context["activities"]
    )


def test_a_partner_sees_only_the_areas_it_is_granted(client, partner, departments):
    client.force_login(partner)
    response = client.get(reverse("home"))
    assert [a.name for a in response.context["areas"]] == ["Rising"]
    assert response.context["areas"][0].households == 500


@time_machine.travel("2026-06-01 12:00 +0200")
def test_the_coordinator_sees_indicators_still_without_a_target(client, coordinator):
    client.force_login(coordinator)
    before = len(client.get(reverse("home")).context["missing_targets"])
    indicator = client.get(reverse("home")).context["missing_targets"][0]
    Target.objects.create(indicator=indicator, year=2026, value=10)
    after = len(client.get(reverse("home")).context["missing_targets"])
    assert before == 25
    assert after == 24


def test_the_landing_page_answers_get_only(client, staff):
    client.force_login(staff)
    assert client.post(reverse("home")).status_code == 405


def test_an_inactive_user_is_treated_as_logged_out(client, staff):
    client.force_login(staff)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_navigation_marks_the_current_section(client, staff):
    client.force_login(staff)
    html = client.get(reverse("area_detail", args=["rising"])).content.decode()
    assert 'href="/areas/" aria-current="page"' in html
    assert 'href="/" aria-current="page"' not in html


@time_machine.travel("2026-06-01 12:00 +0200")
def test_the_safety_advisor_sees_the_open_incidents_and_the_networks_open_tasks(
    client, safety_advisor, django_assert_num_queries
):
    police = Organisation.objects.get(name="Fyns Politi")
    rising = Area.objects.get(slug="rising")
    closed = make_incident(rising, title="Uro ved skolen")
    closed.close(by=safety_advisor, evaluation="Roligt igen efter to dage.")
    for n in range(3):
        make_incident(rising, title=f"Brand nummer {n}", notify=[police])
    meeting = make_meeting(organisations=[police])
    make_task(meeting, police, due_on=datetime.date(2026, 5, 1))
    make_task(meeting, police, due_on=datetime.date(2026, 7, 1))
    client.force_login(safety_advisor)

    with django_assert_num_queries(QUERIES[Role.SAFETY_ADVISOR]):
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert "Brand nummer 2" in html
    assert "Uro ved skolen" not in html
    assert "2 åbne opfølgningsopgaver" in html
    assert "1 over fristen" in html
