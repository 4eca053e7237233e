"""Benchmark: the figures layer, the dashboard and the PDF reports at ten years of
everything.

    .venv/bin/python bench/report_pages.py [--records 100000] [--signups 50000]
        [--walks 10000] [--incidents 10000] [--cases 20000] [--runs 5]

Builds a scratch database (SQLite in a temporary folder, or the empty PostgreSQL
database named by DATABASE_URL) with the plan and the demo data, and times the
figures of a year and a quarter, the dashboard (coordinator and partner, a year
and ten years) and the municipality's and LBF's PDFs of a year. Then adds ten
years (2017–2026) of everything at many times the real volume, with the other
benchmarks' generators (activity records with indicator values, Nabohjælp
sign-ups, incidents, advice cases) and walks with four findings each, and times
the same again. Prints a Markdown table: the median and worst time over RUNS at
volume, the number of queries, and both with the demo data only. Fails when a
number of queries grew with the data: the figures are grouped aggregates, so they
must not.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from activity_pages import load_records
from advice_pages import load_cases
from common import Timing, get_page, logged_in_client, save_all, scratch_portal, timed
from incident_pages import load_incidents
from signup_pages import load_signups

YEAR, QUARTER = 2025, 2
DECADE = ("2017-01-01", "2026-12-31")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--signups", type=int, default=50_000)
    parser.add_argument("--walks", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scratch_portal()

    demo = time_reports(args.runs)
    started = time.perf_counter()
    loaded = load_volume(args)
    print(
        ", ".join(f"{count} {name}" for name, count in loaded.items())
        + f" in all, loaded in {time.perf_counter() - started:.0f} s"
    )
    volume = time_reports(args.runs)
    print_table(demo, volume)
    grew = [name for name in volume if volume[name].queries != demo[name].queries]
    if grew:
        print(f"The number of queries changed with the data: {', '.join(grew)}")
        sys.exit(1)


def load_volume(args) -> dict[str, int]:
    return {
        "activity records": load_records(args.records),
        "sign-ups": load_signups(args.signups),
        "findings": load_findings(args.walks),
        "incidents": load_incidents(args.incidents),
        "advice cases": load_cases(args.cases),
    }


def load_findings(walks: int, *, seed: int = 2026) -> int:
    """WALKS walks held over 2017–2026 across the areas, four findings each: most
    fixed within two months, the rest still open or closed without a fix."""
    from django.utils import timezone

    from boligsocial.models import Area, Organisation
    from safety.models import Finding, FindingCategory, Walk

    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not security
    areas = list(Area.objects.all())
    categories = list(FindingCategory.objects.all())
    responsible = list(
        Organisation.objects.exclude(kind=Organisation.Kind.BOLIGSOCIALT_HUS)
    )
    first = datetime(2017, 1, 1, 16, tzinfo=UTC)
    days = (datetime(2026, 11, 1, tzinfo=UTC) - first).days
    held = save_all(
        Walk,
        (
            Walk(
                area=rng.choice(areas),
                starts_at=first + timedelta(days=rng.randrange(days)),
                status=Walk.Status.HELD,
                residents=rng.randrange(12),
                notes="Bench",
            )
            for _ in range(walks)
        ),
    )
    Status = Finding.Status
    statuses = [Status.FIXED] * 6 + [Status.SENT, Status.IN_PROGRESS, Status.CLOSED]
    findings = []
    for walk in held:
        for _ in range(4):
            status = rng.choice(statuses)
            findings.append(
                Finding(
                    walk=walk,
                    area_id=walk.area_id,
                    category=rng.choice(categories),
                    description="Bench",
                    place="Benchvej",
                    responsible=rng.choice(responsible),
                    found_at=walk.starts_at,
                    due_date=timezone.localdate(walk.starts_at) + timedelta(days=21),
                    status=status,
                    fixed_at=walk.starts_at + timedelta(days=rng.randrange(1, 60))
                    if status == Status.FIXED
                    else None,
                    close_reason=Finding.CloseReason.NO_ACTION
                    if status == Status.CLOSED
                    else "",
                )
            )
    save_all(Finding, findings)
    return Finding.objects.count()


def time_reports(runs: int) -> dict[str, Timing]:
    from django.urls import reverse

    from activities.models import PlanPeriod
    from boligsocial.models import Area, User
    from boligsocial.periods import Period
    from reports.figures import figures_for
    from reports.models import ReportKind
    from reports.services import request_report

    areas = list(Area.objects.all())
    plan = PlanPeriod.objects.current()
    year, quarter = Period.year(YEAR), Period.quarter(YEAR, QUARTER)
    by = User.objects.get(username="koordinator")
    # Saved and (on commit) queued, as from the report page; no worker takes them.
    municipality, _ = request_report(
        kind=ReportKind.MUNICIPALITY, period=year, areas=areas, by=by
    )
    lbf, _ = request_report(
        kind=ReportKind.LBF,
        period=year,
        areas=list(plan.areas.all()),
        by=by,
        plan_period=plan,
    )
    coordinator = logged_in_client("koordinator")
    partner = logged_in_client("partner-politi")
    dashboard = reverse("reports:dashboard")
    calls = {
        f"figures_for, {YEAR}, every area": lambda: figures_for(
            areas=areas, period=year, suppress=True
        ),
        f"figures_for, Q{QUARTER} {YEAR}, every area": lambda: figures_for(
            areas=areas, period=quarter, suppress=True
        ),
        f"dashboard, {YEAR} (coordinator)": get_page(
            coordinator, f"{dashboard}?period=year&year={YEAR}"
        ),
        f"dashboard, {YEAR} (partner)": get_page(
            partner, f"{dashboard}?period=year&year={YEAR}"
        ),
        "dashboard, 2017–2026 (coordinator)": get_page(
            coordinator, f"{dashboard}?period=custom&start={DECADE[0]}&end={DECADE[1]}"
        ),
        f"municipality PDF, {YEAR}": lambda: build(municipality),
        f"LBF PDF, {YEAR}": lambda: build(lbf),
    }
    return {name: timed(call, runs=runs) for name, call in calls.items()}


def build(run) -> None:
    """What the worker does but save the file: load the run, render its PDF."""
    from reports.models import ReportRun
    from reports.pdf import render_report

    render_report(ReportRun.objects.get(pk=run.pk))


def print_table(demo: dict[str, Timing], volume: dict[str, Timing]) -> None:
    print()
    print(
        "| what | median ms | worst ms | queries "
        "| demo data only: median ms | queries |"
    )
    print("| ---- | --------: | -------: | ------: | --------: | ------: |")
    for name, timing in volume.items():
        print(
            f"| {name} | {timing.median_ms:.0f} | {timing.worst_ms:.0f} "
            f"| {timing.queries} | {demo[name].median_ms:.0f} | {demo[name].queries} |"
        )


if __name__ == "__main__":
    main()
