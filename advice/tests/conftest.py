"""Advice personas and small factories: households, cases and what they hold.

`advisor` (root conftest) works on `case`; `other_advisor` is on the team but not
on it. Dates are fixed: tests that depend on "today" request `frozen_today`.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from advice.models import Case, CaseOutcome, Household, Meeting, OutcomeKind
from boligsocial.models import Role
from conftest import make_user
from tests.privacy import deletion_journal  # noqa: F401 - autouse: the test's own

TODAY = datetime.date(2026, 5, 4)
OPENED = datetime.date(2026, 3, 2)


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0), tick=False):
        yield


@pytest.fixture
def other_advisor(db):
    return make_user(
        "advisor2", Role.ADVISOR, organisation="BoligSocialt Hus", areas=["vollsmose"]
    )


def make_household(department, *, name="Fatima Hansen", **fields) -> Household:
    fields = {
        "street": "Rising Allé",
        "number": "7",
        "floor_door": "2. tv",
        "phone": "+4520304050",
        "composition": Household.Composition.SINGLE_PARENT,
        **fields,
    }
    return Household.objects.create(department=department, name=name, **fields)


def make_case(household, *, advisors=(), **fields) -> Case:
    fields = {
        "opened_on": OPENED,
        "source": Case.Source.REMINDER_LETTER,
        "issue_rent_arrears": True,
        "eviction_risk": Case.EvictionRisk.REMINDER,
        "arrears_at_start": Decimal("12500.00"),
        "arrears_now": Decimal("12500.00"),
        **fields,
    }
    case = Case.objects.create(household=household, **fields)
    case.advisors.set(advisors)
    return case


def add_outcome(case, code: str, *, amount=None, on=OPENED, by=None) -> CaseOutcome:
    return CaseOutcome.objects.create(
        case=case,
        kind=OutcomeKind.objects.get(code=code),
        amount=amount,
        achieved_on=on,
        recorded_by=by,
    )


def add_meeting(case, *, on=OPENED, place=Meeting.Place.HOME, by=None, **fields):
    return Meeting.objects.create(
        case=case,
        held_on=on,
        place=place,
        duration_minutes=fields.pop("duration_minutes", 60),
        held_by=by,
        **fields,
    )


@pytest.fixture
def household(departments) -> Household:
    """Fatima Hansen, Rising Allé 7, 2. tv, in Rising Øst."""
    return make_household(departments[0])


@pytest.fixture
def case(household, advisor) -> Case:
    """An open case on Fatima Hansen's household; `advisor` works on it."""
    return make_case(household, advisors=[advisor], note="Rykker fra boligselskabet")
