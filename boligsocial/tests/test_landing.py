"""Each role lands on its own page and sees the navigation it may use."""

import pytest
import time_machine
from django.urls import reverse

from activities.models import Target
from boligsocial.models import Role

INSIDE_NAV = [
    "Forside",
    "Helhedsplan",
    "Registreringer",
    "Kalender",
    "Nabohjælp",
    "Tryghedsvandringer",
    "Økonomisk rådgivning",
    "Boligområder",
]
EXPECTED_NAV = {
    Role.STAFF: INSIDE_NAV,
    Role.ADVISOR: INSIDE_NAV,
    Role.SAFETY_ADVISOR: INSIDE_NAV,
    Role.COORDINATOR: [*INSIDE_NAV, "Administration"],
    Role.PARTNER: [
        "Forside",
        "Helhedsplan",
        "Kalender",
        "Nabohjælp",
        "Tryghedsvandringer",
        "Økonomisk rådgivning",
        "Boligområder",
    ],
    Role.ADMIN: [*INSIDE_NAV, "Administration"],
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
# role's own figures; constant however many rows there are. Advisors and
# coordinators add one: the device that verified their session (two factors).
QUERIES = {
    Role.STAFF: 8,
    Role.ADVISOR: 10,
    Role.SAFETY_ADVISOR: 8,
    Role.COORDINATOR: 9,
    Role.PARTNER: 7,
    Role.ADMIN: 7,
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
