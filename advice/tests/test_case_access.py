"""Need-to-know, exhaustively: every case page for every role.

The pages are every route of `advice.urls` that takes a case (`pk`), read from
the URL patterns themselves, so a page added later is covered without touching
this file. Only the advisors on a case see it (200); another advisor and a
coordinator know cases exist (403; another advisor may join with a reason);
every other role cannot tell whether the case exists (404); a visitor logs in.
Each page the advisor on the case sees writes exactly one access-log entry; a
refused request writes none and changes nothing.
"""

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, resolve, reverse

from advice import urls
from advice.models import (
    Case,
    CaseAccess,
    CaseOutcome,
    Household,
    Meeting,
    OutcomeKind,
    Referral,
)

from .conftest import OPENED, TODAY, add_meeting, add_outcome

pytestmark = pytest.mark.usefixtures("frozen_today")

CASE_ROUTES = [
    route
    for route in urls.urlpatterns
    if isinstance(route, URLPattern) and "pk" in route.pattern.converters
]
ROLES = [
    "advisor",  # on the case
    "other_advisor",
    "coordinator",
    "staff",
    "safety_advisor",
    "partner",
    "admin",
    "anonymous",
]
REFUSED_ROLES = ROLES[1:]

# Routes that take more than the case: a sample value from the case's own rows.
SAMPLES = {
    "meeting_pk": lambda case: case.meetings.get().pk,
    "referral_pk": lambda case: case.referrals.get().pk,
}
# What a POST carries: enough for every form to pass, so a missing door would
# show as a change. A route with fields that clash with others gets its own.
POST_OVERRIDES = {
    "referral_move": {"to": "consented", "consent_note": "Sagde ja i telefonen"},
}


def test_the_matrix_covers_the_case_pages():
    names = {route.name for route in CASE_ROUTES}
    assert {
        "case_detail",
        "case_edit",
        "case_followup",
        "outcome_create",
        "case_close",
        "case_reopen",
        "case_join",
    } <= names
    assert "case_list" not in names and "case_create" not in names


@pytest.fixture
def full_case(case, advisor) -> Case:
    """The case with one of everything a case page can point at."""
    add_meeting(case, by=advisor, note="Gennemgik budgettet")
    add_outcome(case, "payment_plan", by=advisor)
    Referral.objects.create(case=case, to=Referral.To.DEBT_COUNSELLING)
    return case


@pytest.fixture
def people(personas, other_advisor) -> dict:
    return {**personas, "other_advisor": other_advisor, "anonymous": None}


def path_of(route: URLPattern, case: Case) -> str:
    kwargs = {"pk": case.pk}
    for name in route.pattern.converters:
        if name == "pk":
            continue
        if name not in SAMPLES:
            pytest.fail(f"{route.name}: give SAMPLES a value for {name!r}")
        kwargs[name] = SAMPLES[name](case)
    return reverse(f"advice:{route.name}", kwargs=kwargs)


def allowed_methods(path: str, advisor) -> set[str]:
    """The methods the view takes, from its answer to one it does not (a 405
    names them); asked as the advisor on the case, before any door. The view is
    called directly: in front of it the portal refuses PATCH for every page."""
    request = RequestFactory().generic("PATCH", path)
    request.user = advisor
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    assert response.status_code == 405
    return {method.strip() for method in response["Allow"].split(",")}


def expected_get(route_name: str, role: str) -> int:
    if role == "anonymous":
        return 302
    if route_name == "case_join":
        # The advisor on the case is sent to it; a colleague may ask to join.
        return {"advisor": 302, "other_advisor": 200}.get(role, 403)
    return {"advisor": 200, "other_advisor": 403, "coordinator": 403}.get(role, 404)


def post_data(route_name: str, case: Case) -> dict:
    data = {
        # The household and the case: editing, a follow-up case.
        "department": case.household.department_id,
        "name": "Fatima Hansen",
        "street": "Rising Allé",
        "number": "7",
        "floor_door": "3. th",
        "phone": "20 30 40 51",
        "composition": Household.Composition.SINGLE,
        "opened_on": OPENED.isoformat(),
        "source": Case.Source.SELF,
        "eviction_risk": Case.EvictionRisk.NONE,
        "arrears_at_start": "100",
        "arrears_now": "50",
        "note": "Ændret af nogen",
        "version": str(case.version),
        # An outcome, closing.
        "kind": OutcomeKind.objects.get(code="budget_made").pk,
        "achieved_on": TODAY.isoformat(),
        "closed_on": TODAY.isoformat(),
        # A meeting, a referral.
        "held_on": TODAY.isoformat(),
        "place": Meeting.Place.HOME,
        "duration_minutes": "45",
        "to": Referral.To.MUNICIPALITY,
        "recipient": "Borgerservice",
        # Joining, erasing.
        "reason": "Dækker for en kollega",
        "requested": "on",
    }
    data.update(POST_OVERRIDES.get(route_name, {}))
    return data


def state() -> tuple:
    """Everything a case page could change."""
    return (
        list(
            Case.objects.order_by("pk").values_list(
                "pk", "version", "status", "note", "arrears_now", "anonymised_at"
            )
        ),
        list(
            Household.objects.order_by("pk").values_list(
                "pk", "name", "floor_door", "phone", "anonymised_at"
            )
        ),
        sorted(Case.advisors.through.objects.values_list("case_id", "user_id")),
        list(CaseOutcome.objects.order_by("pk").values_list("pk", "kind_id", "note")),
        list(Meeting.objects.order_by("pk").values_list("pk", "held_on", "note")),
        list(Referral.objects.order_by("pk").values_list("pk", "status", "recipient")),
        CaseAccess.objects.count(),
    )


def login(client, people: dict, role: str) -> None:
    if people[role] is not None:
        client.force_login(people[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda route: route.name)
def test_each_role_gets_what_need_to_know_allows_on_every_case_page(
    client, people, full_case, route, role
):
    path = path_of(route, full_case)
    methods = allowed_methods(path, people["advisor"])
    login(client, people, role)
    response = client.get(path)
    if "GET" not in methods:
        expected = 302 if role == "anonymous" else 405
    else:
        expected = expected_get(route.name, role)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    entries = list(CaseAccess.objects.values_list("user__username", "case_number"))
    if role == "advisor" and expected == 200:
        assert entries == [("advisor", full_case.pk)]
    else:
        assert entries == []


@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda route: route.name)
def test_the_advisor_on_the_case_can_post_to_every_page_that_takes_a_post(
    client, people, full_case, route
):
    """The control for the refusals below: the same POST does change the case
    when the advisor on it sends it (or the page takes no POST at all)."""
    path = path_of(route, full_case)
    methods = allowed_methods(path, people["advisor"])
    client.force_login(people["advisor"])
    response = client.post(path, post_data(route.name, full_case))
    if "POST" not in methods:
        assert response.status_code == 405
        return
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.parametrize("role", REFUSED_ROLES)
@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda route: route.name)
def test_a_refused_role_changes_nothing_through_any_case_page(
    client, people, full_case, route, role
):
    path = path_of(route, full_case)
    methods = allowed_methods(path, people["advisor"])
    data = post_data(route.name, full_case)
    before = state()
    login(client, people, role)
    response = client.post(path, data)
    if route.name == "case_join" and role == "other_advisor":
        # Not refused: the colleague joins, with the reason logged.
        assert response["Location"] == full_case.get_absolute_url()
        assert CaseAccess.objects.get().reason == "Dækker for en kollega"
        return
    if role == "anonymous":
        expected = 302
    elif "POST" not in methods:
        expected = 405
    else:
        expected = expected_get(route.name, role)
    assert response.status_code == expected
    assert state() == before
