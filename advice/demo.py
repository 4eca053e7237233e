"""Invented advice cases for the demo: never real people, only in demo departments.

Called by `manage.py demo_data`; safe to run again (the demo households are
replaced, the drop-in hours and eviction figures updated in place).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from boligsocial.models import Area, HousingDepartment, Organisation, User

from .models import (
    Case,
    CaseOutcome,
    DropIn,
    EvictionReport,
    Household,
    Meeting,
    OutcomeKind,
    Referral,
)

DEMO_DROP_INS = [
    # name, area, address, weekday, from, to
    ("Beboerhuset i Rising", "rising", "Rising Allé (demo)", 1, "13:00", "15:00"),
    (
        "Kulturhuset i Vollsmose",
        "vollsmose",
        "Vollsmose Torv (demo)",
        3,
        "10:00",
        "12:00",
    ),
    ("Demo Boligforening Fyns kontor", "ejerslykke", "", 0, "09:00", "11:00"),
]
NAMES = [
    "Amina Demo-Yusuf",
    "Bo Demo-Larsen",
    "Clara Demo-Petersen",
    "Dilan Demo-Kaya",
    "Erik Demo-Madsen",
    "Farah Demo-Ali",
    "Gitte Demo-Holm",
    "Hamza Demo-Omar",
]
# outcome code, amount; the last cases stay open.
CLOSED_WITH = [
    ("payment_plan", Decimal("18400")),
    ("eviction_avoided", None),
    ("benefit_obtained", Decimal("2350")),
    ("budget_made", None),
    ("arrears_cleared", Decimal("9100")),
]


def load_advice(advisor: User) -> int:
    """Drop-in hours, eight households with cases (some returning, some closed
    with outcomes, one with a referral under way) and last year's eviction figures
    of the demo housing organisations. Returns the number of cases."""
    _load_drop_ins()
    Household.objects.filter(department__is_demo=True).delete()
    departments = list(
        HousingDepartment.objects.filter(
            is_demo=True, area__slug__in=["rising", "vollsmose", "ejerslykke"]
        )
        .select_related("area")
        .order_by("number")
    )
    today = timezone.localdate()
    outcomes = {kind.code: kind for kind in OutcomeKind.objects.all()}
    for n, name in enumerate(NAMES):
        department = departments[(n * 5) % len(departments)]
        household = Household.objects.create(
            department=department,
            name=name,
            street=department.street_list[0]
            if department.street_list
            else department.name,
            number=str(3 + n * 4),
            floor_door=f"{n % 4}. th",
            phone=f"+45 30 00 00 {10 + n}",
            composition=list(Household.Composition)[n % 5],
        )
        opened = today - datetime.timedelta(days=30 + n * 41)
        case = Case.objects.create(
            household=household,
            opened_on=opened,
            source=list(Case.Source)[n % 4],
            issue_rent_arrears=n % 2 == 0,
            issue_other_debt=n % 3 == 0,
            issue_budget=True,
            issue_benefits=n % 4 == 1,
            eviction_risk=Case.EvictionRisk.REMINDER
            if n % 2 == 0
            else Case.EvictionRisk.NONE,
            arrears_at_start=Decimal(4000 + 2100 * n),
            arrears_now=Decimal(4000 + 2100 * n)
            if n >= len(CLOSED_WITH)
            else Decimal(0),
            note="Demo: opdigtet sag.",
            colleagues_may_know=n % 3 == 0,
            created_by=advisor,
        )
        case.advisors.add(advisor)
        for visit in range(1 + n % 3):
            Meeting.objects.create(
                case=case,
                held_on=opened + datetime.timedelta(days=7 * visit),
                place=[Meeting.Place.HOME, Meeting.Place.DROP_IN, Meeting.Place.PHONE][
                    visit
                ],
                drop_in=DropIn.objects.filter(
                    is_demo=True, area=department.area
                ).first()
                if visit == 1
                else None,
                duration_minutes=45 + 15 * visit,
                note="Demo: gennemgang af budget og breve.",
                held_by=advisor,
            )
        if n < len(CLOSED_WITH):
            code, amount = CLOSED_WITH[n]
            done = min(today, opened + datetime.timedelta(days=25))
            CaseOutcome.objects.create(
                case=case,
                kind=outcomes[code],
                amount=amount,
                achieved_on=done,
                recorded_by=advisor,
            )
            case.status, case.closed_on = Case.Status.CLOSED, done
            case.save(update_fields=["status", "closed_on"])
        if n == 6:
            referral = Referral.objects.create(
                case=case,
                to=Referral.To.DEBT_COUNSELLING,
                recipient="Demo Gældsrådgivning",
            )
            referral.move(
                to=Referral.Status.CONSENTED,
                by=advisor,
                consent_note="Mundtligt ved mødet",
            )
    # A returning household: a second, open case for the first one.
    first = Household.objects.filter(department__is_demo=True).order_by("pk").first()
    again = Case.objects.create(
        household=first,
        opened_on=today - datetime.timedelta(days=10),
        source=Case.Source.REMINDER_LETTER,
        issue_rent_arrears=True,
        eviction_risk=Case.EvictionRisk.REMINDER,
        arrears_at_start=Decimal("6200"),
        arrears_now=Decimal("6200"),
        created_by=advisor,
    )
    again.advisors.add(advisor)
    _load_eviction_reports(today.year - 1)
    return Case.objects.filter(household__department__is_demo=True).count()


def _load_drop_ins() -> None:
    for name, slug, address, weekday, starts, ends in DEMO_DROP_INS:
        DropIn.objects.update_or_create(
            name=name,
            is_demo=True,
            defaults={
                "area": Area.objects.get(slug=slug),
                "address": address,
                "weekday": weekday,
                "starts_at": datetime.time.fromisoformat(starts),
                "ends_at": datetime.time.fromisoformat(ends),
            },
        )


def _load_eviction_reports(year: int) -> None:
    organisations = Organisation.objects.filter(
        is_demo=True, kind=Organisation.Kind.HOUSING
    ).order_by("name")
    for n, organisation in enumerate(organisations):
        EvictionReport.objects.update_or_create(
            organisation=organisation,
            year=year,
            defaults={
                "reminder_letters": 140 + 35 * n,
                "reminders_settled": 110 + 30 * n,
                "bailiff_cases": 12 + 3 * n,
                "evictions": 2 + n,
                "is_demo": True,
            },
        )
