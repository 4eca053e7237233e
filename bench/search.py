"""Benchmark: the header's search at ten years of data.

    DATABASE_URL=postgres://... .venv/bin/python bench/search.py [--findings 100000]
        [--walks 20000] [--incidents 10000] [--signups 50000] [--runs 7]

Builds a scratch database (give it an empty PostgreSQL database: the search's
full-text indexes exist only there; on SQLite it measures the development
fallback) with the plan and the demo data, adds FINDINGS findings, WALKS walks,
INCIDENTS incidents, 2,000 network meetings, 5,000 planned events and SIGNUPS
sign-ups over 2017–2026 with varied Danish text (places, descriptions, routes,
names), and prints for a few queries per role the median and worst time of the
search itself (boligsocial.search.search_for) and of the whole page, with the
page's number of queries.
"""

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta

from common import get_page, logged_in_client, scratch_portal, timed

PLACES = [
    "legepladsen",
    "stien mod skolen",
    "opgangen",
    "cykelskuret",
    "p-pladsen",
    "tunnelen under vejen",
    "butikstorvet",
    "boldbanen",
    "kælderen",
    "fælleshuset",
    "containerpladsen",
    "busstoppestedet",
    "gavlen",
    "indkørslen",
    "græsplænen",
    "bænkene ved søen",
    "skraldespandene",
    "trappen",
    "carporten",
    "vaskeriet",
]
WHERE = ["ved", "bag", "foran", "overfor", "i nærheden af"]
STREETS = [
    "Rising Allé",
    "Østergade",
    "Vestergade",
    "Nordvej",
    "Korsløkkevej",
    "Skjoldsvej",
    "Stadionvej",
    "Ejerslykkevej",
    "Højemarksvej",
    "Vollsmose Allé",
]
WHAT = [
    "Knust rude",
    "Graffiti på muren",
    "Lygten virker ikke",
    "Mørkt om aftenen",
    "Ødelagte bænke",
    "Glasskår på jorden",
    "Brændt skraldespand",
    "Buskene skal klippes",
    "Unge samles om aftenen",
    "Hul i hegnet",
    "Ølflasker og affald",
    "Knallerter kører stærkt",
    "Døren kan ikke låses",
    "Belysningen er for svag",
    "Stenene er løse",
    "Hærværk på cykler",
]
FIRST = [
    "Amira",
    "Bent",
    "Fatima",
    "Hassan",
    "Dennis",
    "Mette",
    "Ole",
    "Aisha",
    "Søren",
    "Zeynep",
    "Jørgen",
    "Maryam",
    "Lærke",
    "Ali",
    "Birgitte",
]
LAST = [
    "Hansen",
    "Nielsen",
    "Jensen",
    "Ahmadi",
    "Demir",
    "Berg",
    "Østergaard",
    "Yilmaz",
    "Andersen",
    "Mohammed",
    "Sørensen",
    "Larsen",
]

QUERIES = {
    "tryghed": [
        "legepladsen",
        "legeplads rising",
        "graffiti gavlen",
        "hærværk maj 2025",
        "15.05.2025",
        "hændelse maj",
        "knallert",
        "Amira Østergaard",
    ],
    "partner-politi": ["legepladsen", "legeplads rising", "hærværk maj 2025"],
    "koordinator": ["legepladsen", "ølflasker", "netværk tunnelen"],
    "raadgiver": ["legepladsen", "00042"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--walks", type=int, default=20_000)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--signups", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    scratch_portal()
    started = time.perf_counter()
    loaded = load(args)
    print(
        ", ".join(f"{count} {name}" for name, count in loaded.items())
        + f" loaded in {time.perf_counter() - started:.0f} s"
    )
    time_searches(args.runs)


def load(args) -> dict[str, int]:
    from django.db import connection

    from activities.models import PlannedEvent
    from safety.models import Finding, Incident, NetworkMeeting, SignUp, Walk

    rng = random.Random(2026)  # noqa: S311 - repeatable benchmark data, not security
    load_walks_and_findings(rng, args.walks, args.findings)
    load_incidents_and_meetings(rng, args.incidents)
    load_events(rng, 5000)
    load_signups(rng, args.signups)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As autovacuum does within a minute of a load: timed before it, the
            # first searches read rows not yet marked visible and run 2-4 times
            # slower than they do on a database in use.
            cursor.execute("VACUUM ANALYZE")
    return {
        "findings": Finding.objects.count(),
        "walks": Walk.objects.count(),
        "incidents": Incident.objects.count(),
        "meetings": NetworkMeeting.objects.count(),
        "planned events": PlannedEvent.objects.count(),
        "sign-ups": SignUp.objects.count(),
    }


def _text(rng) -> tuple[str, str]:
    place = (
        f"{rng.choice(PLACES).capitalize()} {rng.choice(WHERE)} {rng.choice(STREETS)}"
    )
    what = f"{rng.choice(WHAT)}. {rng.choice(WHAT)} {rng.choice(WHERE)} "
    what += f"{rng.choice(PLACES)}."
    return place, what


def _moment(rng, first=datetime(2017, 1, 1, 9, tzinfo=UTC)) -> datetime:
    return first + timedelta(minutes=rng.randrange(60 * 24 * 3590))


def load_walks_and_findings(rng, walks: int, findings: int) -> None:
    from boligsocial.models import Area, Organisation
    from safety.models import Finding, FindingCategory, Walk

    areas = list(Area.objects.all())
    categories = list(FindingCategory.objects.all())
    partners = list(Organisation.objects.exclude(kind="boligsocialt_hus"))
    held = Walk.objects.bulk_create(
        (
            Walk(
                area=rng.choice(areas),
                starts_at=_moment(rng),
                status=Walk.Status.HELD,
                route=" – ".join(rng.sample(STREETS, 3)),
                clear_stretches=rng.choice(PLACES),
                notes=_text(rng)[1],
            )
            for _ in range(walks)
        ),
        batch_size=5000,
    )
    rows = []
    for _ in range(findings):
        walk = rng.choice(held)
        place, what = _text(rng)
        rows.append(
            Finding(
                walk=walk,
                area_id=walk.area_id,
                category=rng.choice(categories),
                description=what,
                place=place,
                responsible=rng.choice(partners),
                found_at=walk.starts_at,
                status=Finding.Status.SENT,
            )
        )
    Finding.objects.bulk_create(rows, batch_size=5000)


def load_incidents_and_meetings(rng, incidents: int) -> None:
    from boligsocial.models import Area, Organisation
    from safety.models import Incident, IncidentNotification, NetworkMeeting

    areas = list(Area.objects.all())
    partners = list(Organisation.objects.exclude(kind="boligsocialt_hus"))
    made = Incident.objects.bulk_create(
        (
            Incident(
                title=f"{rng.choice(WHAT)} {rng.choice(WHERE)} {rng.choice(PLACES)}",
                kind=rng.choice(Incident.Kind.values),
                area=rng.choice(areas),
                place=_text(rng)[0],
                occurred_at=_moment(rng),
                severity=rng.choice(Incident.Severity.values),
                reported_by=rng.choice(Incident.ReportedBy.values),
                description=_text(rng)[1],
            )
            for _ in range(incidents)
        ),
        batch_size=5000,
    )
    IncidentNotification.objects.bulk_create(
        (
            IncidentNotification(
                incident=incident,
                organisation=organisation,
                status=IncidentNotification.Status.SENT,
                attempts=1,
                sent_at=incident.occurred_at,
            )
            for incident in made
            for organisation in rng.sample(partners, 2)
        ),
        batch_size=5000,
    )
    meetings = NetworkMeeting.objects.bulk_create(
        NetworkMeeting(
            held_on=date(2017, 1, 1) + timedelta(days=rng.randrange(3590)),
            agenda="\n".join(_text(rng)),
            decisions=_text(rng)[1],
            participants=f"{rng.choice(FIRST)} {rng.choice(LAST)}, Fyns Politi",
        )
        for _ in range(2000)
    )
    NetworkMeeting.organisations.through.objects.bulk_create(
        NetworkMeeting.organisations.through(networkmeeting=m, organisation=o)
        for m in meetings
        for o in rng.sample(partners, 3)
    )


def load_events(rng, n: int) -> None:
    from django.utils import timezone

    from activities.models import Activity, PlannedEvent
    from boligsocial.models import User

    activities = list(Activity.objects.prefetch_related("areas"))
    staff = User.objects.get(username="medarbejder")
    today = timezone.localdate()
    rows = []
    for _ in range(n):
        activity = rng.choice([a for a in activities if a.areas.all()])
        rows.append(
            PlannedEvent(
                activity=activity,
                title=f"{activity.name}: {rng.choice(PLACES)}",
                date=today + timedelta(days=rng.randrange(-3000, 365)),
                place=_text(rng)[0],
                area=rng.choice(list(activity.areas.all())),
                organiser=staff.organisation,
                created_by=staff,
            )
        )
    PlannedEvent.objects.bulk_create(rows, batch_size=5000)


def load_signups(rng, n: int) -> None:
    from django.utils import timezone

    from boligsocial.models import HousingDepartment
    from safety.models import ConsentText, SignUp

    departments = list(HousingDepartment.objects.all())
    consent, now = ConsentText.current(), timezone.now()
    rows = []
    for i in range(n):
        department = rng.choice(departments)
        rows.append(
            SignUp(
                area_id=department.area_id,
                department=department,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                street=rng.choice(STREETS),
                number=str(rng.randrange(1, 80)),
                phone=f"+452{i:07d}",
                channel=SignUp.Channel.DOOR,
                signed_up_on=date(2017, 1, 1) + timedelta(days=rng.randrange(3590)),
                consent_text=consent,
                consented_at=now,
                status=SignUp.Status.ACTIVE,
            )
        )
    SignUp.objects.bulk_create(rows, batch_size=5000)


def time_searches(runs: int) -> None:
    from django.urls import reverse
    from django.utils.http import urlencode

    from boligsocial.models import User
    from boligsocial.search import read_query, search_for

    print(
        f"{'person':<16} {'query':<20} {'search ms':>10} {'worst':>7} "
        f"{'page ms':>8} {'worst':>7} {'queries':>8} {'results':>8}"
    )
    for username, queries in QUERIES.items():
        user = User.objects.get(username=username)
        client = logged_in_client(username)
        for text in queries:
            query = read_query(text)
            found = search_for(user, query)
            search = timed(lambda q=query, u=user: search_for(u, q), runs=runs)
            url = reverse("search") + "?" + urlencode({"q": text})
            page = timed(get_page(client, url), runs=runs)
            hits = sum(len(g.hits) for g in found)
            print(
                f"{username:<16} {text:<20} {search.median_ms:>10.1f} "
                f"{search.worst_ms:>7.1f} {page.median_ms:>8.1f} "
                f"{page.worst_ms:>7.1f} {page.queries:>8} {hits:>8}"
            )


if __name__ == "__main__":
    main()
