"""The retention job: a closed case's personal data goes after
ADVICE_RETENTION_MONTHS, and nothing of it is left anywhere in the database; what
the figures count stays."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from advice.models import Case, CaseOutcome, Household, Meeting, Referral
from advice.tasks import anonymise_expired_cases
from tests.database import found_in_database

from .conftest import TODAY, add_meeting, add_outcome, make_case, make_household

pytestmark = pytest.mark.usefixtures("frozen_today")

CLOSED_25_MONTHS_AGO = datetime.date(2024, 4, 4)
CLOSED_23_MONTHS_AGO = datetime.date(2024, 6, 4)
OPENED_LONG_AGO = datetime.date(2024, 1, 8)

# A resident nobody else in the database shares a word with, and notes likewise.
PERSON = {
    "name": "Zacharias Unikkesen",
    "street": "Tågeskrænten",
    "number": "4711Z",
    "floor_door": "7. mf",
    "phone": "+4529876543",
}
NOTES = {
    "case": "Gæld til Ravnsborg Finans",
    "meeting": "Budget gennemgået med Kvistrup",
    "outcome": "Aftale med Hjortholm Bolig",
    "referral": "Sagen om Bøgely",
    "recipient": "Gældsrådgiver Ellehammer",
    "consent": "Samtykke givet til Lindqvist på mødet",
}
NEEDLES = [
    "Zacharias",
    "Unikkesen",
    "Tågeskrænten",
    "4711Z",
    "7. mf",
    "29876543",
    "Ravnsborg",
    "Kvistrup",
    "Hjortholm",
    "Bøgely",
    "Ellehammer",
    "Lindqvist",
]


def make_person(department) -> Household:
    return make_household(department, **PERSON)


def fill_case(case: Case, *, advisor=None) -> Case:
    """A case with its note, a meeting, an outcome with an amount and a referral
    sent with consent, each with a note that names somebody."""
    case.note = NOTES["case"]
    case.save(update_fields=["note"])
    add_meeting(case, on=case.opened_on, by=advisor, note=NOTES["meeting"])
    outcome = add_outcome(
        case, "payment_plan", amount=Decimal("8400.00"), on=case.opened_on, by=advisor
    )
    outcome.note = NOTES["outcome"]
    outcome.save(update_fields=["note"])
    now = timezone.now()
    Referral.objects.create(
        case=case,
        to=Referral.To.DEBT_COUNSELLING,
        recipient=NOTES["recipient"],
        note=NOTES["referral"],
        status=Referral.Status.SENT,
        consent_note=NOTES["consent"],
        consented_at=now,
        sent_at=now,
        changed_by=advisor,
    )
    return case


def closed_case(household, closed_on, *, advisors=()) -> Case:
    return make_case(
        household,
        advisors=advisors,
        opened_on=OPENED_LONG_AGO,
        status=Case.Status.CLOSED,
        closed_on=closed_on,
    )


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Household, Case, Meeting, CaseOutcome, Referral)
    ]


def test_a_case_closed_25_months_ago_is_anonymised(departments, advisor):
    household = make_person(departments[0])
    case = fill_case(closed_case(household, CLOSED_25_MONTHS_AGO), advisor=advisor)
    # The search finds every one of them while they are there.
    assert {needle for _, needle in found_in_database(NEEDLES)} == set(NEEDLES)

    assert anonymise_expired_cases() == 1

    case.refresh_from_db()
    household.refresh_from_db()
    assert case.anonymised_at is not None
    assert (case.note, case.colleagues_may_know) == ("", False)
    assert household.anonymised_at is not None
    assert (household.name, household.street, household.phone) == ("", "", "")
    assert found_in_database(NEEDLES) == []


def test_a_case_closed_23_months_ago_and_an_open_case_keep_their_data(
    departments, advisor
):
    recent = fill_case(
        closed_case(make_person(departments[0]), CLOSED_23_MONTHS_AGO), advisor=advisor
    )
    still_open = make_case(
        make_household(departments[1], name="Ole Olsen"),
        opened_on=OPENED_LONG_AGO,
        note="Stadig i gang",
    )

    assert anonymise_expired_cases() == 0

    for case in (recent, still_open):
        case.refresh_from_db()
        assert case.anonymised_at is None
        assert case.household.anonymised_at is None
    assert recent.note == NOTES["case"]
    assert recent.meetings.get().note == NOTES["meeting"]
    assert still_open.note == "Stadig i gang"


def test_a_household_keeps_its_details_until_its_last_case_goes(departments, advisor):
    household = make_person(departments[0])
    old = fill_case(closed_case(household, CLOSED_25_MONTHS_AGO), advisor=advisor)
    live = make_case(household, advisors=[advisor], opened_on=datetime.date(2026, 4, 1))

    assert anonymise_expired_cases() == 1

    old.refresh_from_db()
    household.refresh_from_db()
    assert old.anonymised_at is not None
    assert old.meetings.get().note == ""
    assert household.name == PERSON["name"]
    assert household.anonymised_at is None

    add_outcome(live, "budget_made", on=TODAY)
    live.close(version=live.version, closed_on=TODAY)
    with time_machine.travel(datetime.datetime(2028, 6, 5, 10, 0), tick=False):
        assert anonymise_expired_cases() == 1

    household.refresh_from_db()
    assert household.anonymised_at is not None
    assert household.name == ""
    assert found_in_database(NEEDLES) == []


def test_the_retention_setting_moves_the_cutoff(departments, settings):
    settings.ADVICE_RETENTION_MONTHS = 12
    thirteen = closed_case(make_person(departments[0]), datetime.date(2025, 4, 1))
    eleven = closed_case(
        make_household(departments[1], name="Ole Olsen"), datetime.date(2025, 6, 1)
    )

    assert anonymise_expired_cases() == 1

    thirteen.refresh_from_db()
    eleven.refresh_from_db()
    assert thirteen.anonymised_at is not None
    assert eleven.anonymised_at is None


def test_anonymised_cases_still_count_in_the_figures(departments, advisor):
    case = fill_case(
        closed_case(make_person(departments[0]), CLOSED_25_MONTHS_AGO), advisor=advisor
    )

    anonymise_expired_cases()

    case = Case.objects.get(pk=case.pk)
    assert (case.opened_on, case.closed_on) == (OPENED_LONG_AGO, CLOSED_25_MONTHS_AGO)
    assert case.household.department == departments[0]
    assert case.issue_rent_arrears
    assert case.arrears_at_start == Decimal("12500.00")
    outcome = case.outcomes.get()
    assert (outcome.kind.code, outcome.amount) == ("payment_plan", Decimal("8400.00"))
    assert [m.held_on for m in case.meetings.all()] == [OPENED_LONG_AGO]
    referral = case.referrals.get()
    assert (referral.to, referral.status) == ("debt_counselling", "sent")


def test_running_the_job_twice_changes_nothing_more(departments, advisor):
    fill_case(
        closed_case(make_person(departments[0]), CLOSED_25_MONTHS_AGO), advisor=advisor
    )
    closed_case(make_household(departments[1], name="Ole Olsen"), CLOSED_23_MONTHS_AGO)
    assert anonymise_expired_cases() == 1
    before = snapshot()

    with time_machine.travel(datetime.datetime(2026, 5, 5, 10, 0), tick=False):
        assert anonymise_expired_cases() == 0

    assert snapshot() == before
