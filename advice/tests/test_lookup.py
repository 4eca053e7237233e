"""Colleagues' look-up of an address: "there is an open case, ask the advisor" only
where the resident agreed; every other address gets the very same answer."""

import re

import pytest
from django.urls import reverse

from advice.models import Case, CaseAccess

from .conftest import make_case, make_household

pytestmark = pytest.mark.usefixtures("frozen_today")

LOOKUP = reverse("advice:case_lookup")
COLLEAGUES = ["staff", "safety_advisor", "coordinator"]
NOT_COLLEAGUES = ["advisor", "partner", "admin"]
ADDRESS = {"street": "Rising Allé", "number": "7"}
TOLD = "Der er en åben sag hos økonomisk rådgivning – spørg rådgiveren"
NOTHING = "Ingen sag, du kan få oplyst"
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


@pytest.fixture
def flagged(case, other_advisor) -> Case:
    """Fatima Hansen's open case, Rising Allé 7: she agreed colleagues may know;
    `advisor` and advisor2 work on it."""
    case.colleagues_may_know = True
    case.save(update_fields=["colleagues_may_know"])
    case.advisors.add(other_advisor)
    return case


def page(response) -> str:
    """The page without its CSRF tokens, which differ on every page."""
    return CSRF_TOKEN.sub("", response.content.decode())


def answer(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="answer">') + len('data-testid="answer">')
    return " ".join(html[start : html.index("</div>", start)].split())


@pytest.mark.parametrize("role", COLLEAGUES)
def test_a_colleague_is_told_whom_to_ask_when_the_resident_agreed(
    client, personas, flagged, role
):
    client.force_login(personas[role])

    response = client.get(LOOKUP, ADDRESS)

    assert response.status_code == 200
    assert answer(response) == f"{TOLD}: Advisor, Advisor2"


@pytest.mark.parametrize(
    ("street", "number"),
    [("rising allé", "7"), ("  RISING   Allé ", " 7 "), ("Rising Allé", "7")],
)
def test_the_address_matches_without_case_or_spaces(
    client, staff, flagged, street, number
):
    client.force_login(staff)
    response = client.get(LOOKUP, {"street": street, "number": number})
    assert answer(response).startswith(TOLD)


def test_a_house_number_with_a_letter_matches_without_case_or_spaces(
    client, staff, departments, advisor
):
    household = make_household(departments[0], street="Bøgevej", number="12B")
    make_case(household, advisors=[advisor], colleagues_may_know=True)
    client.force_login(staff)
    response = client.get(LOOKUP, {"street": "bøgevej", "number": "12 b"})
    assert answer(response).startswith(TOLD)


def test_the_answer_shows_nothing_of_the_case(client, staff, flagged):
    client.force_login(staff)
    html = client.get(LOOKUP, ADDRESS).content.decode()
    household = flagged.household
    for text in (household.name, household.floor_door, "20304050", flagged.note):
        assert text not in html
    assert flagged.get_absolute_url() not in html
    assert f">{flagged.number}<" not in html


def test_an_address_with_no_case_is_told_nothing(client, staff, flagged):
    client.force_login(staff)
    response = client.get(LOOKUP, {"street": "Rising Allé", "number": "9"})
    assert answer(response) == NOTHING


@pytest.mark.parametrize("state", ["not_agreed", "closed", "anonymised"])
def test_a_case_the_colleague_may_not_know_of_looks_exactly_like_no_case(
    client, coordinator, case, state
):
    client.force_login(coordinator)
    nothing_there = client.get(LOOKUP, ADDRESS)
    assert answer(nothing_there) == NOTHING

    case.colleagues_may_know = state != "not_agreed"
    case.save(update_fields=["colleagues_may_know"])
    if state == "closed":
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.CLOSED, closed_on=case.opened_on
        )
    if state == "anonymised":
        case.anonymise()
    a_case_there = client.get(LOOKUP, ADDRESS)

    assert page(a_case_there) == page(nothing_there)


def test_an_unflagged_case_costs_the_same_queries_as_no_case(
    client, staff, case, django_assert_num_queries
):
    client.force_login(staff)
    # session, user; the open cases colleagues may know of; 3 for the session's
    # renewal. The advisors are read only for an address with a flagged case.
    with django_assert_num_queries(7):
        client.get(LOOKUP, ADDRESS)
    case.delete()
    with django_assert_num_queries(7):
        client.get(LOOKUP, ADDRESS)


def test_an_answer_that_names_advisors_is_logged_as_a_look_up_not_a_view(
    client, staff, flagged
):
    client.force_login(staff)
    client.get(LOOKUP, ADDRESS)
    assert list(
        CaseAccess.objects.values_list("case", "user", "action", "purpose")
    ) == [(flagged.pk, staff.pk, "lookup", "colleague")]


@pytest.mark.parametrize("number", ["7", "9"])
def test_an_answer_of_nothing_writes_nothing(client, staff, case, number):
    """Not agreed (7) or no case (9): the log sets them no more apart than the
    page does."""
    client.force_login(staff)
    client.get(LOOKUP, {"street": "Rising Allé", "number": number})
    assert not CaseAccess.objects.exists()


def test_the_page_without_an_address_asks_for_one(client, staff, flagged):
    client.force_login(staff)
    response = client.get(LOOKUP)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="street"' in html
    assert 'data-testid="answer"' not in html


def test_a_missing_house_number_is_asked_for_at_its_field(client, staff, flagged):
    client.force_login(staff)

    response = client.get(LOOKUP, {"street": "Rising Allé", "number": ""})

    assert "number" in response.context["form"].errors
    html = response.content.decode()
    assert 'value="Rising Allé"' in html
    assert 'data-testid="answer"' not in html


@pytest.mark.parametrize("role", NOT_COLLEAGUES)
def test_only_colleagues_outside_the_advice_team_look_up(
    client, personas, flagged, role
):
    client.force_login(personas[role])
    assert client.get(LOOKUP, ADDRESS).status_code == 403


def test_the_look_up_asks_a_stranger_to_log_in(client, flagged):
    response = client.get(LOOKUP, ADDRESS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_look_up_is_a_get(client, staff):
    client.force_login(staff)
    assert client.post(LOOKUP, ADDRESS).status_code == 405
