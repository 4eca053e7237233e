"""The access log: coordinators see who opened or changed which case, when, for
what purpose and why, by case number only, never a household."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from advice.models import CaseAccess, log_access

from .conftest import make_case, make_household

pytestmark = pytest.mark.usefixtures("frozen_today")

LOG = reverse("advice:access_log")
OTHERS = ["advisor", "staff", "safety_advisor", "partner", "admin"]


def logged_at(moment: datetime.datetime, user, case, action, **kwargs) -> CaseAccess:
    """An entry made at that Danish wall-clock time."""
    with time_machine.travel(timezone.make_aware(moment), tick=False):
        return log_access(user, case, action, **kwargs)


def test_a_case_view_by_an_advisor_is_one_entry_in_the_log(
    client, advisor, coordinator, case
):
    client.force_login(advisor)
    client.get(case.get_absolute_url())
    client.get(case.get_absolute_url())

    client.force_login(coordinator)
    response = client.get(LOG)

    entries = list(response.context["page"])
    assert [(e.case_number, e.user, e.action, e.views) for e in entries] == [
        (case.pk, advisor, CaseAccess.Action.VIEW, 2)
    ]
    assert CaseAccess.objects.count() == 2  # both views kept, read as one entry
    html = response.content.decode()
    assert "<td>Så sagen 2 gange</td>" in html
    assert case.number in html


def test_the_log_names_who_when_what_and_why_newest_first(
    client, advisor, other_advisor, coordinator, case
):
    logged_at(datetime.datetime(2026, 5, 1, 9, 15), advisor, case, "view")
    logged_at(
        datetime.datetime(2026, 5, 2, 13, 40),
        other_advisor,
        case,
        "join",
        purpose="cover",
        reason="Dækker for Advisor i ferien",
    )
    client.force_login(coordinator)

    response = client.get(LOG)

    assert [e.action for e in response.context["page"]] == ["join", "view"]
    html = response.content.decode()
    assert "Advisor2 <span" in html and "(advisor2)" in html
    assert "Tilknyttede sig sagen" in html
    assert "En rådgiver dækker for en kollega" in html
    assert "Rådgivning af husstanden" in html
    assert "Dækker for Advisor i ferien" in html
    assert "02.05.2026 13:40" in html


def test_the_log_never_shows_a_household(client, advisor, coordinator, case):
    logged_at(datetime.datetime(2026, 5, 1, 9, 15), advisor, case, "view")
    client.force_login(coordinator)

    html = client.get(LOG).content.decode()

    household = case.household
    for text in (household.name, household.street, household.floor_door, "20304050"):
        assert text not in html
    assert case.note not in html
    assert case.get_absolute_url() not in html


def test_entries_outlive_an_erased_case(client, advisor, coordinator, case):
    logged_at(datetime.datetime(2026, 5, 1, 9, 15), advisor, case, "view")
    number = case.number
    case.delete()
    client.force_login(coordinator)

    html = client.get(LOG).content.decode()

    assert number in html


@pytest.fixture
def history(advisor, other_advisor, case, departments):
    """`case` (advisor's) seen on 1 May and edited late on 3 May; a second case
    seen on 2 May by advisor2."""
    second = make_case(
        make_household(departments[1], name="Ole Olsen"), advisors=[other_advisor]
    )
    return [
        logged_at(datetime.datetime(2026, 5, 1, 9, 0), advisor, case, "view"),
        logged_at(datetime.datetime(2026, 5, 2, 9, 0), other_advisor, second, "view"),
        logged_at(datetime.datetime(2026, 5, 3, 23, 30), advisor, case, "edit"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [2, 1, 0]),
        ({"case_number": "padded first"}, [2, 0]),
        ({"case_number": "second"}, [1]),
        ({"user": "advisor2"}, [1]),
        ({"at_from": "2026-05-02"}, [2, 1]),
        ({"at_to": "2026-05-02"}, [1, 0]),
        ({"at_from": "2026-05-03", "at_to": "2026-05-03"}, [2]),
        ({"case_number": "first", "at_to": "2026-05-01"}, [0]),
    ],
)
def test_the_log_filters_by_case_user_and_dates(
    client, coordinator, other_advisor, history, query, expected
):
    first, second = history[0].case, history[1].case
    # The numbers as typed: a case's own number (00012), or without its zeros.
    stands_for = {
        "padded first": first.number,
        "first": str(first.pk),
        "second": str(second.pk),
        "advisor2": other_advisor.pk,
    }
    query = {key: stands_for.get(value, value) for key, value in query.items()}
    client.force_login(coordinator)

    response = client.get(LOG, query)

    assert list(response.context["page"]) == [history[i] for i in expected]


def test_the_user_filter_offers_those_in_the_log_by_name_and_username(
    client, coordinator, history
):
    client.force_login(coordinator)
    html = client.get(LOG).content.decode()
    assert ">Advisor (advisor)</option>" in html
    assert ">Advisor2 (advisor2)</option>" in html
    assert "Coordinator (coordinator)" not in html


@pytest.mark.parametrize(
    ("field", "value"), [("at_from", "2026-13-01"), ("case_number", "abc")]
)
def test_a_malformed_filter_is_shown_at_its_field_and_the_rest_still_filters(
    client, coordinator, history, field, value
):
    client.force_login(coordinator)

    response = client.get(LOG, {field: value, "at_to": "2026-05-02"})

    assert response.status_code == 200
    assert field in response.context["filter"].errors
    assert list(response.context["page"]) == [history[1], history[0]]
    assert f'value="{value}"' in response.content.decode()


def test_the_log_shows_fifty_entries_a_page(client, advisor, coordinator, case):
    start = datetime.datetime(2026, 5, 3, 8, 0)
    for n in range(51):  # eleven minutes apart: each view an entry of its own
        logged_at(start + datetime.timedelta(minutes=11 * n), advisor, case, "view")
    client.force_login(coordinator)

    first = client.get(LOG)
    second = client.get(LOG, {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1
    assert "Side 1 af 2" in first.content.decode()


def test_a_long_log_is_counted_to_250_entries_and_pages_on(
    client, advisor, coordinator, case
):
    """Telling an entry from its rows costs a look-up per row: past 250 entries
    the page says "of more than 5" and the pages go on."""
    start = datetime.datetime(2026, 1, 5, 8, 0)
    for n in range(252):  # eleven minutes apart: each view an entry of its own
        logged_at(start + datetime.timedelta(minutes=11 * n), advisor, case, "view")
    client.force_login(coordinator)

    first = client.get(LOG)
    past_the_count = client.get(LOG, {"page": 6})

    assert "Side 1 af over 5" in first.content.decode()
    assert len(past_the_count.context["page"]) == 2
    assert past_the_count.context["page"][1].at == timezone.make_aware(start)


def test_htmx_swaps_only_the_rows(client, coordinator, history):
    client.force_login(coordinator)

    response = client.get(
        LOG, {"case_number": history[1].case_number}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="access-rows">')
    assert "<h1" not in html
    assert list(response.context["page"]) == [history[1]]
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("entries", [1, 60])
def test_the_log_costs_the_same_queries_for_few_and_many_entries(
    client,
    advisor,
    other_advisor,
    coordinator,
    case,
    django_assert_num_queries,
    entries,
):
    for n in range(entries):
        log_access(advisor if n % 2 else other_advisor, case, "view")
    client.force_login(coordinator)
    # session, user, device; the first 250 entries' keys (the count and the
    # page), those rows with their users, the rows that begin or end them; the
    # users for the filter; and 3 for the session's renewal.
    with django_assert_num_queries(10):
        client.get(LOG)


@pytest.mark.parametrize("role", OTHERS)
def test_only_coordinators_read_the_log(client, personas, history, role):
    client.force_login(personas[role])
    assert client.get(LOG).status_code == 403


def test_the_log_asks_a_stranger_to_log_in(client, history):
    response = client.get(LOG)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_log_is_read_only(client, coordinator):
    client.force_login(coordinator)
    assert client.post(LOG).status_code == 405
