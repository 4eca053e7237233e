"""Right of access, complete: every row linked to a household is in its export.

The test walks the models: any model with a foreign key (a one-to-one, or the
table behind a many-to-many) to a household, or to a model that has one, holds
rows about it. A new model linked that way fails the test until the export
holds it (`advice.exports.EXPORTED`) and the test seeds a row of it.
"""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from advice.exports import EXPORTED
from advice.models import (
    Case,
    CaseAccess,
    CaseOutcome,
    Household,
    Meeting,
    OutcomeKind,
    Referral,
    log_access,
)
from safety.conftest import make_signup
from safety.models import SignUp, WithdrawalRequest
from safety.nabohjaelp.exports import signups_dataset
from tests.privacy import record_figures

from .conftest import make_case, make_household

# Its figures add up over the module: under pytest-xdist it runs in one process.
pytestmark = [
    pytest.mark.usefixtures("frozen_today"),
    pytest.mark.xdist_group("privacy-figures"),
]

SHEETS = {
    "household": "Husstand",
    "cases": "Sager",
    "meetings": "Møder",
    "outcomes": "Resultater",
    "referrals": "Henvisninger",
    "access_log": "Adgangslog",
}
# How each row is recognised in its sheet: every seeded row has its own marker.
MARKER = {
    Household: lambda row: row.name,
    Case: lambda row: row.note,
    Case.advisors.through: lambda row: row.user.get_full_name(),
    Meeting: lambda row: row.note,
    CaseOutcome: lambda row: row.note,
    Referral: lambda row: row.note,
    CaseAccess: lambda row: row.reason,
}


def linked_to(root) -> dict:
    """Every model with rows that point at a row of `root` through foreign keys
    (the tables behind many-to-many fields included), with the lookup from it to
    root."""
    paths = {root: "pk"}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            for field in model._meta.get_fields():
                to = field.related_model
                if model in paths or not field.concrete or to not in paths:
                    continue
                if field.many_to_one or field.one_to_one:
                    via = paths[to]
                    paths[model] = field.name if via == "pk" else f"{field.name}__{via}"
                    changed = True
    return paths


@pytest.fixture
def resident(departments, advisor, other_advisor) -> Household:
    """A household with two cases (each advisor on one), and on each case a
    meeting, an outcome, a referral and two access-log entries, every row with
    its own marker."""
    household = make_household(departments[0], name="Helga Helhedsen")
    for n, who in enumerate((advisor, other_advisor), start=1):
        case = make_case(
            household,
            advisors=[who],
            opened_on=datetime.date(2026, n, 5),
            note=f"Sagsnote {n}",
        )
        Meeting.objects.create(
            case=case,
            held_on=case.opened_on,
            place=Meeting.Place.HOME,
            duration_minutes=45,
            note=f"Mødenote {n}",
            held_by=who,
        )
        CaseOutcome.objects.create(
            case=case,
            kind=OutcomeKind.objects.get(code="payment_plan"),
            amount=Decimal("1000"),
            achieved_on=case.opened_on,
            note=f"Resultatnote {n}",
        )
        Referral.objects.create(
            case=case, to=Referral.To.LEGAL_AID, note=f"Henvisningsnote {n}"
        )
        log_access(who, case, CaseAccess.Action.VIEW, reason=f"Formål {n}a")
        log_access(who, case, CaseAccess.Action.EDIT, reason=f"Formål {n}b")
    return household


def sheet_values(sheet) -> set[str]:
    """Each cell's text, and each name of a list of names ("A, B")."""
    values = set()
    for line in sheet.iter_rows(values_only=True):
        for value in line:
            if value is not None:
                values.add(str(value))
                values.update(str(value).split(", "))
    return values


def test_every_row_linked_to_a_household_is_in_its_export(
    client, advisor, other_advisor, resident, artefacts
):
    linked = linked_to(Household)
    rows = {
        model: list(model.objects.filter(**{path: resident.pk}))
        for model, path in linked.items()
    }
    case = resident.cases.filter(advisors=advisor).get()
    client.force_login(advisor)

    response = client.get(reverse("advice:household_export", args=[case.pk]))

    book = openpyxl.load_workbook(BytesIO(response.content))
    found = {
        model: [
            row
            for row in model_rows
            if model in EXPORTED
            and MARKER[model](row) in sheet_values(book[SHEETS[EXPORTED[model]]])
        ]
        for model, model_rows in rows.items()
    }
    total = sum(len(model_rows) for model_rows in rows.values())
    record_figures(
        artefacts,
        "export",
        "household",
        found=sum(len(f) for f in found.values()),
        linked=total,
    )
    not_exported = [m._meta.label for m in linked if m not in EXPORTED]
    assert not_exported == [], "linked to a household but not in its export"
    assert set(EXPORTED) == set(linked)
    unseeded = [m._meta.label for m, model_rows in rows.items() if not model_rows]
    assert unseeded == [], "seed a row of each in `resident`"
    assert found == rows
    staff = [advisor.get_full_name(), other_advisor.get_full_name()]
    assert sheet_values(book["Adgangslog"]).isdisjoint(staff)


def test_the_walk_finds_the_tables_behind_many_to_many_fields():
    linked = linked_to(Household)
    assert linked[Case.advisors.through] == "case__household"
    assert linked[CaseAccess] == "case__household"


def test_only_the_signup_itself_holds_a_signup_and_its_export_row_holds_it_all(
    departments, artefacts
):
    signup = make_signup(
        departments[0],
        name="Sigrid Signesen",
        email="sigrid@example.org",
        note="Ringes op om aftenen",
        consented_at=timezone.now(),
    )
    linked = linked_to(SignUp)

    (row,) = signups_dataset(SignUp.objects.for_list()).dict
    person = {
        "name": signup.name,
        "street": signup.street,
        "number": signup.number,
        "floor_door": signup.floor_door,
        "phone": "20 12 34 56",
        "email": signup.email,
        "note": signup.note,
        "signed_up_on": signup.signed_up_on,  # a real date in Excel
    }
    missing = [field for field, value in person.items() if value not in row.values()]
    record_figures(
        artefacts, "export", "signup", found=1 - bool(missing), linked=len(linked)
    )
    # A resident's pending withdrawal by code points at the sign-ups it would
    # erase; it holds nothing of the person (hashes only) and is gone in a day.
    assert set(linked) - {WithdrawalRequest, WithdrawalRequest.signups.through} == {
        SignUp
    }
    assert missing == []
