"""Benchmark: the beredskab pages at ten years of incidents.

    .venv/bin/python bench/incident_pages.py [--incidents 10000] [--runs 5]

Builds a scratch database (SQLite in a temporary folder, or the empty PostgreSQL
database named by DATABASE_URL), adds INCIDENTS incidents over 2017–2026 across the
areas (each told to two or three organisations, with eight timeline entries), 500
network meetings with four follow-up tasks each, and times the pages of the
tryghedsrådgiver and the demo partner.
"""

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta

from common import save_all, scratch_portal, time_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scratch_portal()

    started = time.perf_counter()
    count = load_incidents(args.incidents)
    print(f"{count} incidents loaded in {time.perf_counter() - started:.1f} s")
    time_beredskab_pages(args.runs)


def load_incidents(n: int, *, seed: int = 2026) -> int:
    from boligsocial.models import Area, Organisation
    from safety.models import (
        FollowUpTask,
        Incident,
        IncidentEntry,
        IncidentNotification,
        NetworkMeeting,
    )

    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not security
    areas = list(Area.objects.all())
    partners = list(
        Organisation.objects.exclude(kind=Organisation.Kind.BOLIGSOCIALT_HUS)
    )
    police = Organisation.objects.get(name="Fyns Politi")
    first = datetime(2017, 1, 1, tzinfo=UTC)
    minutes = int((datetime(2026, 10, 1, tzinfo=UTC) - first).total_seconds() // 60)
    incidents = save_all(
        Incident,
        (
            Incident(
                title=f"Hændelse {i}",
                kind=rng.choice(Incident.Kind.values),
                area=rng.choice(areas),
                place="Benchvej",
                occurred_at=first + timedelta(minutes=rng.randrange(minutes)),
                severity=rng.choice(Incident.Severity.values),
                reported_by=rng.choice(Incident.ReportedBy.values),
                description="Bench",
                status=Incident.Status.CLOSED,
                closed_at=first,
                evaluation="Bench",
            )
            for i in range(n)
        ),
    )
    notifications = []
    for incident in incidents:
        told = {police, *rng.sample(partners, rng.randrange(1, 3))}
        for organisation in told:
            notifications.append(
                IncidentNotification(
                    incident=incident,
                    organisation=organisation,
                    status=IncidentNotification.Status.SENT,
                    attempts=1,
                    sent_at=incident.occurred_at
                    + timedelta(minutes=rng.randrange(5, 240)),
                    recipients="bench@example.org",
                )
            )
    save_all(IncidentNotification, notifications)
    save_all(
        IncidentEntry,
        (
            IncidentEntry(
                incident=incident,
                kind=IncidentEntry.Kind.UPDATE,
                happened_at=incident.occurred_at + timedelta(hours=k),
                text="Bench",
            )
            for incident in incidents
            for k in range(8)
        ),
    )
    meetings = save_all(
        NetworkMeeting,
        [
            NetworkMeeting(
                held_on=date(2017, 1, 1) + timedelta(days=7 * i), agenda="Bench"
            )
            for i in range(500)
        ],
    )
    save_all(
        NetworkMeeting.organisations.through,
        (
            NetworkMeeting.organisations.through(networkmeeting=m, organisation=o)
            for m in meetings
            for o in rng.sample(partners, 4)
        ),
    )
    save_all(
        FollowUpTask,
        (
            FollowUpTask(
                meeting=m,
                description="Bench",
                owner=rng.choice(partners),
                due_on=m.held_on + timedelta(days=30),
                done_on=None if rng.random() < 0.1 else m.held_on + timedelta(days=20),
            )
            for m in meetings
            for _ in range(4)
        ),
    )
    return Incident.objects.count()


def time_beredskab_pages(runs: int) -> None:
    from django.urls import reverse

    from boligsocial.models import Area
    from safety.models import Incident

    incident = Incident.objects.order_by("-occurred_at").first()
    rising = Area.objects.get(slug="rising").pk
    time_pages(
        {
            "incident list, page 1": reverse("safety:incident_list"),
            "incident list, one area, serious": reverse("safety:incident_list")
            + f"?area={rising}&severity=2",
            "incident page (timeline)": incident.get_absolute_url(),
            "contact lists": reverse("safety:contact_list"),
            "network meetings, page 1": reverse("safety:meeting_list"),
            "open follow-up tasks": reverse("safety:task_list"),
            "figures, 2025": reverse("safety:beredskab_figures")
            + "?start=2025-01-01&end=2025-12-31",
            "tryghedsrådgiver's landing page": reverse("home"),
        },
        username="tryghed",
        runs=runs,
    )
    time_pages(
        {
            "incident list (partner), page 1": reverse("safety:incident_list"),
            "figures, 2025 (partner)": reverse("safety:beredskab_figures")
            + "?start=2025-01-01&end=2025-12-31",
        },
        username="partner-politi",
        runs=runs,
    )


if __name__ == "__main__":
    main()
