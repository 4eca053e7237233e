"""Outcomes of a case, and closing and reopening it (a case closes with an
outcome; both steps are made from the version the advisor saw)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from advice.models import Case, CaseAccess, CaseOutcome, OutcomeKind
from boligsocial.editing import stale_action_message, stale_message

from .conftest import OPENED, TODAY, add_outcome

pytestmark = pytest.mark.usefixtures("frozen_today")

REFUSED = [
    ("staff", 404),
    ("safety_advisor", 404),
    ("partner", 404),
    ("admin", 404),
    ("coordinator", 403),
]


def url(name: str, case: Case) -> str:
    return reverse(f"advice:{name}", args=[case.pk])


def kind(code: str) -> OutcomeKind:
    return OutcomeKind.objects.get(code=code)


def outcome_data(code: str, **extra) -> dict:
    return {
        "kind": kind(code).pk,
        "amount": "",
        "achieved_on": TODAY.isoformat(),
        "note": "Aftale med boligselskabet",
        **extra,
    }


def errors(response) -> dict:
    return {name: list(errs) for name, errs in response.context["form"].errors.items()}


def actions(case: Case) -> list[str]:
    return list(
        CaseAccess.objects.filter(case_number=case.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Recording an outcome ------------------------------------------------------------


def test_an_advisor_records_an_outcome_with_its_amount(client, advisor, case):
    client.force_login(advisor)
    response = client.get(url("outcome_create", case))
    assert response.status_code == 200
    assert response.context["form"]["achieved_on"].value() == TODAY
    assert actions(case) == ["view"]
    response = client.post(
        url("outcome_create", case),
        outcome_data("arrears_cleared", amount="12500"),
        follow=True,
    )
    assert response.redirect_chain[0][0] == case.get_absolute_url()
    outcome = CaseOutcome.objects.get()
    assert (outcome.case, outcome.kind.code, outcome.amount) == (
        case,
        "arrears_cleared",
        Decimal("12500"),
    )
    assert (outcome.achieved_on, outcome.recorded_by) == (TODAY, advisor)
    assert actions(case) == ["view", "outcome", "view"]
    html = response.content.decode()
    assert "Resultatet »Restance betalt« er registreret." in html
    assert "12.500,00 kr." in html


def test_an_outcome_without_an_amount_needs_none(client, advisor, case):
    client.force_login(advisor)
    client.post(url("outcome_create", case), outcome_data("payment_plan"))
    assert CaseOutcome.objects.get().amount is None


def test_the_form_says_which_outcomes_take_an_amount(client, advisor, case):
    client.force_login(advisor)
    choices = dict(
        client.get(url("outcome_create", case)).context["form"].fields["kind"].choices
    )
    labels = [str(label) for label in choices.values()]
    assert "Restance betalt (beløb: gæld afviklet)" in labels
    assert "Betalingsaftale indgået (evt. beløb: gæld afviklet)" in labels
    assert "Budget lagt" in labels


def test_an_outcome_no_longer_in_use_is_not_offered(client, advisor, case):
    OutcomeKind.objects.filter(code="moved_out").update(is_active=False)
    client.force_login(advisor)
    response = client.post(url("outcome_create", case), outcome_data("moved_out"))
    assert "kind" in errors(response)
    assert not CaseOutcome.objects.exists()


@pytest.mark.parametrize(
    ("code", "change", "field", "message"),
    [
        ("benefit_obtained", {}, "amount", "kræver et beløb"),
        ("budget_made", {"amount": "500"}, "amount", "har intet beløb"),
        ("arrears_cleared", {"amount": "-1"}, "amount", "negativt"),
        ("arrears_cleared", {"amount": "2000001"}, "amount", "urimeligt stort"),
        ("arrears_cleared", {"amount": "1e3x"}, "amount", "tal"),
        ("budget_made", {"achieved_on": "2026-03-01"}, "achieved_on", "før sagen"),
        ("budget_made", {"achieved_on": "2026-05-05"}, "achieved_on", "fremtiden"),
        ("budget_made", {"note": "Søn 010203-4567"}, "note", "CPR-nummer"),
        ("budget_made", {"kind": ""}, "kind", "påkrævet"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_kept(
    client, advisor, case, code, change, field, message
):
    client.force_login(advisor)
    response = client.post(url("outcome_create", case), outcome_data(code, **change))
    assert response.status_code == 200
    assert any(message in error for error in errors(response)[field]), errors(response)
    html = response.content.decode()
    assert "Aftale med boligselskabet" in html or field == "note"
    assert not CaseOutcome.objects.exists()
    assert actions(case) == ["view"]


def test_a_note_flagged_as_cpr_is_kept_once_confirmed(client, advisor, case):
    client.force_login(advisor)
    data = outcome_data("budget_made", note="Journal 010203-4567", confirm_cpr="on")
    client.post(url("outcome_create", case), data)
    assert CaseOutcome.objects.get().note == "Journal 010203-4567"


@pytest.mark.parametrize(("role", "status"), REFUSED)
def test_only_the_advisors_on_the_case_record_outcomes(
    client, personas, case, role, status
):
    client.force_login(personas[role])
    data = outcome_data("budget_made")
    assert client.post(url("outcome_create", case), data).status_code == status
    assert client.get(url("outcome_create", case)).status_code == status
    assert not CaseOutcome.objects.exists()
    assert actions(case) == []


def test_another_advisor_records_no_outcome_on_a_case_they_are_not_on(
    client, other_advisor, case
):
    client.force_login(other_advisor)
    data = outcome_data("budget_made")
    assert client.post(url("outcome_create", case), data).status_code == 403
    assert not CaseOutcome.objects.exists()


def test_an_anonymised_case_takes_no_more_outcomes(client, advisor, case):
    case.anonymise()
    client.force_login(advisor)
    data = outcome_data("budget_made")
    assert client.post(url("outcome_create", case), data).status_code == 403


def test_a_visitor_is_sent_to_log_in_before_recording_an_outcome(client, case):
    response = client.get(url("outcome_create", case))
    assert response["Location"].startswith(reverse("login"))


def test_outcomes_are_not_put(client, advisor, case):
    client.force_login(advisor)
    assert client.put(url("outcome_create", case)).status_code == 405


# --- Closing -------------------------------------------------------------------------


def test_a_case_with_an_outcome_is_closed(client, advisor, case):
    add_outcome(case, "payment_plan", by=advisor)
    client.force_login(advisor)
    response = client.post(
        url("case_close", case), {"closed_on": TODAY.isoformat(), "version": "1"}
    )
    assert response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.version) == ("closed", TODAY, 2)
    assert actions(case) == ["close"]
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Sagen er lukket." in html and 'data-testid="reopen-form"' in html
    assert 'data-testid="close-form"' not in html


def test_the_close_page_offers_today_and_the_cases_version(client, advisor, case):
    client.force_login(advisor)
    response = client.get(url("case_close", case))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["closed_on"].value(), form["version"].value()) == (TODAY, 1)
    assert actions(case) == ["view"]


def test_a_case_without_an_outcome_stays_open_with_a_clear_message(
    client, advisor, case
):
    client.force_login(advisor)
    response = client.post(
        url("case_close", case), {"closed_on": "2026-05-01", "version": "1"}
    )
    assert response.status_code == 200
    assert "Registrér mindst ét resultat" in response.content.decode()
    assert 'value="2026-05-01"' in response.content.decode()
    assert Case.objects.get().is_open
    assert actions(case) == ["view"]


@pytest.mark.parametrize(
    ("closed_on", "message"),
    [
        ("2026-03-01", "før den blev åbnet"),
        ("2026-05-05", "i fremtiden"),
        ("", "påkrævet"),
    ],
)
def test_a_bad_closing_date_is_refused_next_to_the_field(
    client, advisor, case, closed_on, message
):
    add_outcome(case, "payment_plan")
    client.force_login(advisor)
    response = client.post(
        url("case_close", case), {"closed_on": closed_on, "version": "1"}
    )
    assert any(message in e for e in errors(response)["closed_on"])
    assert Case.objects.get().is_open


def test_closing_from_an_old_version_is_refused_and_told(
    client, advisor, other_advisor, case
):
    """Another advisor changed the case after this one opened its page."""
    add_outcome(case, "payment_plan")
    Case.objects.filter(pk=case.pk).update(version=2, arrears_now=100)
    client.force_login(advisor)
    response = client.post(
        url("case_close", case), {"closed_on": "2026-05-01", "version": "1"}
    )
    assert response.status_code == 200
    assert stale_message() in response.content.decode()
    assert 'value="2026-05-01"' in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.version) == ("open", 2)
    assert actions(case) == ["view"]


def test_a_closed_case_is_not_closed_again(client, advisor, case):
    add_outcome(case, "payment_plan")
    case.close(version=1, closed_on=OPENED)
    client.force_login(advisor)
    response = client.post(
        url("case_close", case), {"closed_on": TODAY.isoformat(), "version": "2"}
    )
    assert "allerede lukket" in response.content.decode()
    assert Case.objects.get().closed_on == OPENED


@pytest.mark.parametrize(("role", "status"), [*REFUSED, ("other_advisor", 403)])
def test_only_the_advisors_on_the_case_close_it(
    client, personas, other_advisor, case, role, status
):
    add_outcome(case, "payment_plan")
    user = other_advisor if role == "other_advisor" else personas[role]
    client.force_login(user)
    data = {"closed_on": TODAY.isoformat(), "version": "1"}
    assert client.post(url("case_close", case), data).status_code == status
    assert Case.objects.get().is_open
    assert actions(case) == []


def test_closing_is_not_put(client, advisor, case):
    client.force_login(advisor)
    assert client.put(url("case_close", case)).status_code == 405


# --- Reopening -----------------------------------------------------------------------


@pytest.fixture
def closed_case(case) -> Case:
    add_outcome(case, "lost_contact")
    case.close(version=1, closed_on=TODAY - datetime.timedelta(days=3))
    return case


def test_a_closed_case_is_reopened(client, advisor, closed_case):
    client.force_login(advisor)
    response = client.post(url("case_reopen", closed_case), {"version": "2"})
    assert response["Location"] == closed_case.get_absolute_url()
    closed_case.refresh_from_db()
    assert (closed_case.status, closed_case.closed_on, closed_case.version) == (
        "open",
        None,
        3,
    )
    assert actions(closed_case) == ["reopen"]


def test_reopening_from_an_old_version_is_refused_and_told(
    client, advisor, closed_case
):
    client.force_login(advisor)
    response = client.post(
        url("case_reopen", closed_case), {"version": "1"}, follow=True
    )
    assert stale_action_message() in response.content.decode()
    assert not Case.objects.get().is_open
    assert actions(closed_case) == ["view"]


def test_an_open_case_is_not_reopened(client, advisor, case):
    client.force_login(advisor)
    response = client.post(url("case_reopen", case), {"version": "1"}, follow=True)
    assert "allerede åben" in response.content.decode()
    assert Case.objects.get().version == 1


def test_a_reopening_without_a_version_is_refused(client, advisor, closed_case):
    client.force_login(advisor)
    client.post(url("case_reopen", closed_case), {"version": "x"})
    assert not Case.objects.get().is_open


@pytest.mark.parametrize(("role", "status"), [*REFUSED, ("other_advisor", 403)])
def test_only_the_advisors_on_the_case_reopen_it(
    client, personas, other_advisor, closed_case, role, status
):
    user = other_advisor if role == "other_advisor" else personas[role]
    client.force_login(user)
    response = client.post(url("case_reopen", closed_case), {"version": "2"})
    assert response.status_code == status
    assert not Case.objects.get().is_open
    assert actions(closed_case) == []


def test_an_anonymised_case_is_not_reopened(client, advisor, closed_case):
    closed_case.anonymise()
    client.force_login(advisor)
    response = client.post(url("case_reopen", closed_case), {"version": "2"})
    assert response.status_code == 403


def test_reopening_is_only_posted(client, advisor, closed_case):
    client.force_login(advisor)
    assert client.get(url("case_reopen", closed_case)).status_code == 405
    assert actions(closed_case) == []


def test_a_visitor_is_sent_to_log_in_before_reopening(client, closed_case):
    response = client.post(url("case_reopen", closed_case), {"version": "2"})
    assert response["Location"].startswith(reverse("login"))
