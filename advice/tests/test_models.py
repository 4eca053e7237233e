"""The advice models keep their own rules, whatever the forms let through."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from advice.models import (
    Case,
    CaseOutcome,
    Household,
    OutcomeKind,
    Referral,
    _months_before,
)
from advice.tests.conftest import add_meeting, add_outcome, make_case, make_household
from boligsocial.editing import StaleEdit


def test_the_outcome_list_starts_with_the_outcomes_the_issue_names(db):
    codes = set(OutcomeKind.objects.values_list("code", flat=True))
    assert {
        "eviction_avoided",
        "payment_plan",
        "arrears_cleared",
        "budget_made",
        "benefit_obtained",
        "referred_onwards",
        "moved_out",
        "evicted",
        "lost_contact",
    } <= codes


def test_a_case_at_the_bailiffs_court_must_have_its_date(case):
    case.eviction_risk = Case.EvictionRisk.BAILIFF
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "bailiff_date" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_amounts_can_be_neither_negative_nor_absurd(case):
    for amount in (Decimal("-1"), Decimal("2000000.01")):
        case.arrears_now = amount
        with pytest.raises(ValidationError):
            case.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            case.save()


def test_an_outcome_that_needs_an_amount_is_refused_without_one(case):
    outcome = CaseOutcome(
        case=case,
        kind=OutcomeKind.objects.get(code="benefit_obtained"),
        achieved_on=case.opened_on,
    )
    with pytest.raises(ValidationError) as error:
        outcome.full_clean()
    assert "amount" in error.value.message_dict


def test_an_outcome_without_an_amount_refuses_one(case):
    outcome = CaseOutcome(
        case=case,
        kind=OutcomeKind.objects.get(code="budget_made"),
        amount=Decimal("100"),
        achieved_on=case.opened_on,
    )
    with pytest.raises(ValidationError) as error:
        outcome.full_clean()
    assert "amount" in error.value.message_dict


def test_a_meeting_before_the_case_opened_is_refused(case, frozen_today):
    meeting = add_meeting(case)
    meeting.held_on = case.opened_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert "held_on" in error.value.message_dict


def test_a_case_closes_only_with_an_outcome_and_can_be_reopened(case, frozen_today):
    with pytest.raises(ValidationError):
        case.close(version=case.version, closed_on=datetime.date(2026, 5, 1))
    add_outcome(case, "payment_plan")
    case.close(version=case.version, closed_on=datetime.date(2026, 5, 1))
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == datetime.date(2026, 5, 1)
    case.reopen(version=case.version)
    case.refresh_from_db()
    assert case.is_open and case.closed_on is None


def test_a_change_from_an_outdated_page_is_refused(case, frozen_today):
    add_outcome(case, "payment_plan")
    outdated = case.version
    case.note = "Først"
    case.save_edit(version=outdated, fields=["note"])
    with pytest.raises(StaleEdit):
        case.close(version=outdated, closed_on=datetime.date(2026, 5, 1))
    case.refresh_from_db()
    assert case.is_open and case.note == "Først"


def test_no_referral_is_sent_without_the_residents_consent(case):
    referral = Referral.objects.create(case=case, to=Referral.To.DEBT_COUNSELLING)
    with pytest.raises(ValidationError):
        referral.move(to=Referral.Status.SENT, by=None)
    with pytest.raises(ValidationError):
        referral.move(to=Referral.Status.CONSENTED, by=None, consent_note=" ")
    referral.move(to=Referral.Status.CONSENTED, by=None, consent_note="Mundtligt")
    referral.move(to=Referral.Status.SENT, by=None)
    referral.move(to=Referral.Status.ACCEPTED, by=None)
    referral.move(to=Referral.Status.COMPLETED, by=None)
    referral.refresh_from_db()
    assert referral.consented_at <= referral.sent_at <= referral.answered_at
    assert referral.completed_at and referral.next_steps == []


def test_the_database_refuses_a_sent_referral_without_consent(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            case=case, to=Referral.To.MUNICIPALITY, status=Referral.Status.SENT
        )


def test_anonymising_keeps_what_the_figures_count_and_erases_the_person(case):
    add_outcome(case, "benefit_obtained", amount=Decimal("4000"))
    add_meeting(case, note="Gennemgik budget")
    Referral.objects.create(
        case=case, to=Referral.To.DEBT_COUNSELLING, note="Gæld til SKAT"
    )
    case.anonymise()
    case.refresh_from_db()
    household = Household.objects.get()
    assert household.name == household.street == household.phone == ""
    assert household.anonymised_at and household.department_id
    assert case.status == Case.Status.CLOSED and case.note == ""
    assert case.outcomes.get().amount == Decimal("4000")
    assert case.meetings.get().note == "" and case.referrals.get().note == ""


def test_a_household_keeps_its_details_while_another_case_is_live(household, advisor):
    first = make_case(household, advisors=[advisor])
    make_case(household, advisors=[advisor], opened_on=datetime.date(2026, 4, 1))
    first.anonymise()
    household.refresh_from_db()
    assert household.name == "Fatima Hansen" and household.anonymised_at is None


def test_a_returning_household_is_found_by_name_and_address(departments):
    known = make_household(departments[0], name="Fatima  Hansen")
    found = Household.objects.same_as(
        department=departments[0],
        name="fatima hansen",
        street="rising allé",
        number="7",
    )
    assert found == [known]
    assert not Household.objects.same_as(
        department=departments[0],
        name="Fatima Hansen",
        street="Rising Allé",
        number="9",
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 5, 4), 24, datetime.date(2024, 5, 4)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 1, 15), 1, datetime.date(2025, 12, 15)),
    ],
)
def test_the_retention_cutoff_counts_calendar_months(day, months, expected):
    assert _months_before(day, months) == expected
