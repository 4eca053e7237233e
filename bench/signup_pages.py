"""Benchmark: the Nabohjælp pages at ten years of sign-ups.

    .venv/bin/python bench/signup_pages.py [--signups 50000] [--runs 5]

Builds a scratch database (SQLite in a temporary folder, or the empty PostgreSQL
database named by DATABASE_URL), adds SIGNUPS sign-ups spread over 2017–2026 in
every demo department (a tenth of them withdrawn, a few waiting), and times the
pages that list and count them.
"""

import argparse
import random
import time
from datetime import date, timedelta

from common import save_all, scratch_portal, time_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signups", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scratch_portal()

    started = time.perf_counter()
    count = load_signups(args.signups)
    print(f"{count} sign-ups loaded in {time.perf_counter() - started:.1f} s")
    time_signup_pages(args.runs)


def load_signups(n: int, *, seed: int = 2026) -> int:
    from django.utils import timezone

    from boligsocial.models import HousingDepartment
    from safety.models import ConsentText, SignUp

    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not security
    departments = list(HousingDepartment.objects.all())
    consent, now = ConsentText.current(), timezone.now()
    first = date(2017, 1, 1)
    days = (date(2026, 11, 1) - first).days
    rows = []
    for i in range(n):
        department = rng.choice(departments)
        signed_up_on = first + timedelta(days=rng.randrange(days))
        withdrawn = rng.random() < 0.1
        rows.append(
            SignUp(
                area_id=department.area_id,
                department=None if withdrawn else department,
                name="" if withdrawn else f"Beboer {i}",
                street="" if withdrawn else department.street_list[0],
                number="" if withdrawn else str(rng.randrange(1, 80)),
                phone="" if withdrawn else f"+452{i:07d}",
                channel=rng.choice(SignUp.Channel.values),
                signed_up_on=signed_up_on.replace(day=1) if withdrawn else signed_up_on,
                consent_text=None if withdrawn else consent,
                consented_at=None if withdrawn else now,
                is_ambassador=not withdrawn and rng.random() < 0.05,
                status=SignUp.Status.WITHDRAWN
                if withdrawn
                else rng.choices(
                    [SignUp.Status.ACTIVE, SignUp.Status.TO_CONFIRM], [98, 2]
                )[0],
                withdrawn_on=min(
                    signed_up_on + timedelta(days=400), date(2026, 11, 1)
                ).replace(day=1)
                if withdrawn
                else None,
            )
        )
    save_all(SignUp, rows)
    return SignUp.objects.count()


def time_signup_pages(runs: int) -> None:
    from django.urls import reverse

    from boligsocial.models import Area

    rising = Area.objects.get(slug="rising")
    pages = {
        "Nabohjælp figures": reverse("safety:nabohjaelp"),
        "Nabohjælp figures, 2019": reverse("safety:nabohjaelp") + "?year=2019",
        "sign-up list": reverse("safety:signup_list"),
        "sign-up list, filtered": reverse("safety:signup_list")
        + f"?area={rising.pk}&status=active&channel=door",
        "sign-up list, name search": reverse("safety:signup_list") + "?name=beboer 4",
    }
    time_pages(pages, username="koordinator", runs=runs)


if __name__ == "__main__":
    main()
