"""Benchmark: the advice pages at ten years of cases.

    .venv/bin/python bench/advice_pages.py [--cases 20000] [--runs 5]

Builds a scratch database (SQLite in a temporary folder, or the empty PostgreSQL
database named by DATABASE_URL), adds CASES cases over 2017–2026 in the demo
departments (a fifth on returning households, most closed with an outcome, three
meetings each, ten access-log entries each), all on the demo advisor, and times the
advisor's and the coordinator's pages.
"""

import argparse
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from common import save_all, scratch_portal, time_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scratch_portal()

    started = time.perf_counter()
    count = load_cases(args.cases)
    print(f"{count} cases loaded in {time.perf_counter() - started:.1f} s")
    time_advice_pages(args.runs)


def load_cases(n: int, *, seed: int = 2026) -> int:
    from advice.models import (
        Case,
        CaseAccess,
        CaseOutcome,
        Household,
        Meeting,
        OutcomeKind,
    )
    from boligsocial.models import HousingDepartment, User

    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not security
    advisor = User.objects.get(username="raadgiver")
    departments = list(HousingDepartment.objects.filter(is_demo=True))
    kinds = list(OutcomeKind.objects.filter(amount_required=False))
    first, days = date(2017, 1, 1), (date(2026, 10, 1) - date(2017, 1, 1)).days
    households = save_all(
        Household,
        [
            Household(
                department=rng.choice(departments),
                name=f"Husstand {i}",
                street="Benchvej",
                number=str(i),
            )
            for i in range(int(n * 0.8))
        ],
    )
    cases = []
    for i in range(n):
        opened = first + timedelta(days=rng.randrange(days))
        closed = rng.random() < 0.9
        cases.append(
            Case(
                household=households[i % len(households)],
                opened_on=opened,
                source=rng.choice(Case.Source.values),
                issue_rent_arrears=True,
                arrears_at_start=Decimal(rng.randrange(0, 60000)),
                status=Case.Status.CLOSED if closed else Case.Status.OPEN,
                closed_on=opened + timedelta(days=rng.randrange(10, 200))
                if closed
                else None,
            )
        )
    cases = save_all(Case, cases)
    save_all(
        Case.advisors.through,
        (Case.advisors.through(case=c, user=advisor) for c in cases),
    )
    save_all(
        Meeting,
        (
            Meeting(
                case=c,
                held_on=c.opened_on + timedelta(days=7 * k),
                place=Meeting.Place.HOME,
                duration_minutes=60,
                held_by=advisor,
            )
            for c in cases
            for k in range(3)
        ),
    )
    save_all(
        CaseOutcome,
        (
            CaseOutcome(case=c, kind=rng.choice(kinds), achieved_on=c.closed_on)
            for c in cases
            if c.closed_on
        ),
    )
    save_all(
        CaseAccess,
        (
            CaseAccess(case=c, case_number=c.pk, user=advisor, action="view")
            for c in cases
            for _ in range(10)
        ),
    )
    return Case.objects.count()


def time_advice_pages(runs: int) -> None:
    from django.urls import reverse

    from advice.models import Case

    case = Case.objects.filter(household__name="Husstand 0").first()
    time_pages(
        {
            "case list (my open cases)": reverse("advice:case_list"),
            "case list, all of mine": reverse("advice:case_list") + "?status=all",
            "case page": reverse("advice:case_detail", args=[case.pk]),
            "drop-in hours": reverse("advice:drop_in_list"),
            "figures, 2025 (unsuppressed)": reverse("advice:advice_figures")
            + "?year=2025",
        },
        username="raadgiver",
        runs=runs,
    )
    time_pages(
        {
            "access log, page 1": reverse("advice:access_log"),
            "figures, 2025 (suppressed)": reverse("advice:advice_figures")
            + "?year=2025",
            "eviction network": reverse("advice:network"),
        },
        username="koordinator",
        runs=runs,
    )


if __name__ == "__main__":
    main()
