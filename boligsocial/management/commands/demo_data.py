"""Demo logins and demo records, marked as demo, for trying the portal."""

import datetime
from base64 import b32decode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.demo import load_activity_records, load_year_statuses
from activities.models import Activity, Indicator, PlanPeriod, Target
from advice.demo import load_advice
from advice.models import OutcomeKind
from boligsocial import clock
from boligsocial.checks import DEMO_EMAIL_DOMAIN
from boligsocial.models import Area, HousingDepartment, Organisation, Role, User
from reports.models import GainBasis, ReportKind, ReportSchedule, UnitValue
from safety.beredskab.demo import load_beredskab
from safety.models import (
    ConsentText,
    Finding,
    FindingCategory,
    ResidentReport,
    RoutingRule,
    SignUp,
    SignUpTarget,
    Walk,
)

# Printed on purpose: demo only, and demo_data refuses to run in production.
DEMO_PASSWORD = "Odense-demo-2026"  # noqa: S105  # nosec B105
# The demo logins that need two factors share this published authenticator key
# (base32, as apps take it; the SHA-1 of b"BoligSocialt-demo"). Demo only.
DEMO_TOTP_KEY = "KLF6MI55EFVQ2XALRBRFIB4BMS2BVGMJ"

# The sources name no housing organisations or departments: these are invented,
# 22 departments as in the 2024–2028 plan, with household counts of a plausible size.
HOUSING_ORGANISATIONS = [
    "Demo Boligforening Fyn",
    "Demo Almene Boliger Odense",
    "Demo Boligselskabet Syd",
]
DEPARTMENTS = {
    "vollsmose": [
        ("101", "Bøgeparken", 620),
        ("102", "Egeparken", 540),
        ("103", "Granparken", 480),
        ("104", "Birkeparken", 510),
        ("105", "Lærkeparken", 390),
    ],
    "rising": [
        ("201", "Rising Nord", 310),
        ("202", "Rising Syd", 280),
        ("203", "Risingvej", 190),
    ],
    "korslokkeparken": [
        ("301", "Korsløkkeparken Øst", 340),
        ("302", "Korsløkkeparken Vest", 300),
    ],
    "ejerslykke": [
        ("401", "Ejerslykke I", 250),
        ("402", "Ejerslykke II", 230),
        ("403", "Ejerslykke Have", 120),
    ],
    "hojemarksvej-kvarteret": [
        ("501", "Højemarken", 210),
        ("502", "Marklunden", 160),
        ("503", "Højvangen", 140),
    ],
    "skjoldsparken": [("601", "Skjoldsparken", 280), ("602", "Skjoldhaven", 150)],
    "stadionvej": [
        ("701", "Stadionhusene", 230),
        ("702", "Banegårdshaven", 170),
        ("703", "Stadionparken", 130),
        ("704", "Tribunegården", 110),
    ],
}
# What marks the demo walks (remove_demo_data finds them by it).
DEMO_WALK_NOTE = "Demo"
USERS = [
    # username, role, organisation, areas, first name, last name
    (
        "medarbejder",
        Role.STAFF,
        "BoligSocialt Hus",
        ["rising", "korslokkeparken"],
        "Mette",
        "Medarbejder",
    ),
    (
        "raadgiver",
        Role.ADVISOR,
        "BoligSocialt Hus",
        ["vollsmose", "rising", "ejerslykke"],
        "Rasmus",
        "Rådgiver",
    ),
    (
        "tryghed",
        Role.SAFETY_ADVISOR,
        "BoligSocialt Hus",
        ["rising", "korslokkeparken", "ejerslykke"],
        "Tina",
        "Tryghedsrådgiver",
    ),
    ("koordinator", Role.COORDINATOR, "BoligSocialt Hus", [], "Karin", "Koordinator"),
    (
        "partner-politi",
        Role.PARTNER,
        "Fyns Politi",
        ["rising", "korslokkeparken"],
        "Peter",
        "Politi",
    ),
    (
        "partner-bolig",
        Role.PARTNER,
        "Demo Boligforening Fyn",
        ["vollsmose"],
        "Bente",
        "Boligorganisation",
    ),
    ("admin", Role.ADMIN, "BoligSocialt Hus", [], "Anna", "Administrator"),
]


class Command(BaseCommand):
    help = "Create demo logins (one per role) and demo records. Never in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "demo_data refuses to run with PORTAL_ENVIRONMENT=production."
            )
        with transaction.atomic():
            load_departments()
            users = load_users()
            staff = User.objects.get(username="medarbejder")
            coordinator = User.objects.get(username="koordinator")
            targets = load_targets()
            # Records before the status texts: approving a year locks its records.
            records = load_activity_records(staff)
            approved = load_year_statuses(writer=staff, approver=coordinator)
            load_report_schedule(coordinator)
            load_unit_values(coordinator)
            signups = load_signups()
            findings = load_walks()
            reports = load_resident_reports()
            cases = load_advice(User.objects.get(username="raadgiver"))
            load_beredskab(User.objects.get(username="tryghed"))
        self.stdout.write(
            f"Demo data: {HousingDepartment.objects.filter(is_demo=True).count()} "
            f"departments, {targets} targets, {records} activity records, "
            f"{approved} approved status texts, {signups} Nabohjælp sign-ups, "
            f"{findings} findings from safety walks, {reports} residents' reports, "
            f"{cases} advice cases, "
            "a quarterly report to the municipality, "
            "two demo unit values for the gains. "
            f"Logins (password {DEMO_PASSWORD}):"
        )
        for user in users:
            self.stdout.write(
                f"  {user.get_role_display():<26} {user.username:<16} {DEMO_PASSWORD}"
            )
        two_factor = ", ".join(u.username for u in users if u.needs_two_factor)
        self.stdout.write(
            f"{two_factor} also give a code: add the key {DEMO_TOTP_KEY} to any "
            "authenticator app (TOTP, 6 digits, 30 s), or print the current code "
            "with: manage.py demo_totp <username>"
        )


def load_departments() -> None:
    organisations = [
        Organisation.objects.update_or_create(
            name=name, defaults={"kind": Organisation.Kind.HOUSING, "is_demo": True}
        )[0]
        for name in HOUSING_ORGANISATIONS
    ]
    areas = {area.slug: area for area in Area.objects.all()}
    for i, (slug, rows) in enumerate(DEPARTMENTS.items()):
        for j, (number, name, households) in enumerate(rows):
            HousingDepartment.objects.update_or_create(
                organisation=organisations[(i + j) % len(organisations)],
                number=number,
                defaults={
                    "name": name,
                    "area": areas[slug],
                    "households": households,
                    # Estates are often addressed by their own name ("Bøgeparken 12").
                    "streets": name,
                    "outline": _strip(areas[slug].outline, j, len(rows)),
                    "is_demo": True,
                },
            )


def _strip(outline: list, n: int, of: int) -> list:
    """The n-th of `of` strips, west to east, inside the area's outline's box (an
    invented outline for an invented department; none without the area's)."""
    points = [point for ring in outline for point in ring]
    if not points:
        return []
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    width, height = (east - west) / of, north - south
    low, high = south + 0.15 * height, north - 0.15 * height
    left, right = west + (n + 0.1) * width, west + (n + 0.9) * width
    corners = [(low, left), (high, left), (high, right), (low, right)]
    return [[[round(lat, 6), round(lon, 6)] for lat, lon in corners]]


def load_users() -> list[User]:
    users = []
    for username, role, organisation, areas, first, last in USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "organisation": Organisation.objects.get(name=organisation),
                "first_name": first,
                "last_name": last,
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                "is_active": True,
                "is_superuser": role == Role.ADMIN,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.areas.set(Area.objects.filter(slug__in=areas))
        if user.needs_two_factor:
            demo_authenticator(user)
        users.append(user)
    return users


def demo_authenticator(user: User) -> TOTPDevice:
    """The demo login's authenticator app, set up with the published demo key."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=user,
        name="default",
        defaults={"key": demo_totp_key_hex(), "confirmed": True},
    )
    return device


def demo_totp_key_hex() -> str:
    """DEMO_TOTP_KEY as django-otp stores keys: hex."""
    return b32decode(DEMO_TOTP_KEY).hex()


def load_targets() -> int:
    """Demo måltal for the current plan's years up to now, rising a little each year."""
    plan = PlanPeriod.objects.current()
    if plan is None:
        return 0
    count = 0
    indicators = Indicator.objects.filter(activity__focus_area__plan_period=plan)
    for n, indicator in enumerate(indicators.order_by("pk")):
        base = 10 + (n * 7) % 60
        for year in range(plan.years[0], plan.current_year() + 1):
            Target.objects.update_or_create(
                indicator=indicator,
                year=year,
                defaults={"value": base + 5 * (year - plan.years[0]), "is_demo": True},
            )
            count += 1
    return count


def load_report_schedule(owner: User) -> ReportSchedule:
    """The municipality's status report for every area, asked for by itself after
    each quarter and mailed to the demo coordinator."""
    schedule, _ = ReportSchedule.objects.update_or_create(
        kind=ReportKind.MUNICIPALITY,
        frequency=ReportSchedule.Frequency.QUARTERLY,
        owner=owner,
        defaults={"is_active": True, "plan_period": None},
    )
    schedule.areas.clear()  # none chosen: every area
    return schedule


# Invented unit values for the gains, so that the dashboard and the municipality's
# report show an outcome and an indicator at work; their amounts and sources say
# they are invented. KL's catalogue gives no amount for either, and its own
# examples wait, not in use, for a coordinator to judge them.
DEMO_SOURCE = {
    "source_title": "Demodata: opfundet til afprøvning af portalen",
    "source_publisher": "BoligSocialt Hus (demo)",
    "source_year": 2025,
    "source_page": "–",
    "price_year": 2025,
    "description": "Opfundet beløb, kun til at afprøve portalen.",
    "is_demo": True,
}


def load_unit_values(coordinator: User) -> list[UnitValue]:
    """The demo's unit values, made once: a coordinator's later edits stay."""
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    wanted = [
        (
            {
                "name": "Udsættelse afværget (demo)",
                "basis": GainBasis.OUTCOME,
                "outcome_kind": OutcomeKind.objects.get(code="eviction_avoided"),
                "low": 40_000,
                "high": 120_000,
                "order": 30,
            },
            [],
        ),
        (
            {
                "name": "Ung i fritidsjob (demo)",
                "basis": GainBasis.INDICATOR,
                "low": 5_000,
                "high": 20_000,
                "order": 40,
            },
            [jobs.indicators.get(name="Unge der har fået et fritidsjob")],
        ),
    ]
    values = []
    for fields, indicators in wanted:
        name = fields.pop("name")
        value, created = UnitValue.objects.get_or_create(
            name=name, defaults={**DEMO_SOURCE, **fields}
        )
        if created:
            value.indicators.set(indicators)
            value.record_change(by=coordinator, previous=None)
        values.append(value)
    return values


FIRST_NAMES = ["Amira", "Bent", "Camilla", "Dennis", "Fatima", "Hassan", "Ida", "Jonas"]
LAST_NAMES = ["Ahmadi", "Berg", "Christensen", "Demir", "Hansen", "Jensen", "Nielsen"]


def load_signups() -> int:
    """Invented Nabohjælp sign-ups over the last 18 months, a target per area and
    year (5 % of the households), a few withdrawn and a few waiting to be confirmed."""
    SignUp.objects.filter(is_demo=True).delete()
    today = timezone.localdate()
    consent = ConsentText.current()
    departments = list(
        HousingDepartment.objects.filter(is_demo=True).order_by("number")
    )
    for n in range(90):
        department = departments[(n * 7) % len(departments)]
        signed_up_on = today - datetime.timedelta(days=(n * 37) % 540)
        signup = SignUp.objects.create(
            area_id=department.area_id,
            department=department,
            name=f"{FIRST_NAMES[n % 8]} {LAST_NAMES[n % 7]}",
            street=department.street_list[0],
            number=str(1 + (n * 3) % 60),
            floor_door=f"{n % 4}. {'tv' if n % 2 else 'th'}",
            phone=f"+45 2{n:07d}"[:12] if n % 3 else "",
            email=f"beboer{n}@example.invalid" if n % 3 != 1 else "",
            channel=[SignUp.Channel.DOOR, SignUp.Channel.EVENT, SignUp.Channel.OTHER][
                n % 3
            ],
            signed_up_on=signed_up_on,
            consent_text=consent,
            consented_at=timezone.now(),
            is_ambassador=n % 11 == 0,
            status=SignUp.Status.TO_CONFIRM if n % 29 == 3 else SignUp.Status.ACTIVE,
            is_demo=True,
        )
        if n % 13 == 5:
            signup.withdraw(on=min(today, signed_up_on + datetime.timedelta(days=90)))
    for area in Area.objects.with_figures().filter(households__gt=0):
        for year in (today.year - 1, today.year):
            SignUpTarget.objects.update_or_create(
                area=area,
                year=year,
                defaults={
                    "value": round((area.households or 0) * 0.05),
                    "is_demo": True,
                },
            )
    return SignUp.objects.filter(is_demo=True).count()


# Who usually fixes what (the real rules are the coordinators' to set in the admin).
DEMO_ROUTING = {
    "Hærværk": "Demo Boligforening Fyn",
    "Affald": "Demo Boligforening Fyn",
    "Grønne arealer": "Demo Boligforening Fyn",
    "Stier og adgangsforhold": "Demo Boligforening Fyn",
    "Belysning": "Demo Boligforening Fyn",
    "Utryg adfærd": "Fyns Politi",
}
DEMO_FINDINGS = [
    # walk (days ago), category, place, status
    (40, "Belysning", "Stien mellem blok 3 og 4", Finding.Status.FIXED),
    (40, "Hærværk", "Cykelskuret ved nr. 12", Finding.Status.IN_PROGRESS),
    (26, "Utryg adfærd", "Bænkene ved boldbanen om aftenen", Finding.Status.SENT),
    (26, "Affald", "Containerpladsen", Finding.Status.FIXED),
    (12, "Stier og adgangsforhold", "Tunnelen under vejen", Finding.Status.SENT),
    (12, "Grønne arealer", "Buskene ved legepladsen", Finding.Status.CLOSED),
]


def load_walks() -> int:
    """Demo routing rules, held walks with findings in Vollsmose over the last weeks
    (a housing organisation and the police have findings to act on) and a planned
    walk next week."""
    Finding.objects.filter(walk__notes=DEMO_WALK_NOTE).delete()
    Walk.objects.filter(notes=DEMO_WALK_NOTE).delete()
    for name, organisation in DEMO_ROUTING.items():
        RoutingRule.objects.update_or_create(
            category=FindingCategory.objects.get(name=name),
            area=None,
            defaults={"organisation": Organisation.objects.get(name=organisation)},
        )
    area = Area.objects.get(slug="vollsmose")
    today = timezone.localdate()
    walks = {}
    for n, (days, name, place, status) in enumerate(DEMO_FINDINGS):
        if days not in walks:
            walks[days] = Walk.objects.create(
                area=area,
                starts_at=_walk_time(today - datetime.timedelta(days=days)),
                status=Walk.Status.HELD,
                residents=days % 7 + 2,
                notes=DEMO_WALK_NOTE,
                route="Rundt om blokkene og gennem parken",
            )
        category = FindingCategory.objects.get(name=name)
        found_at = walks[days].starts_at
        Finding.objects.create(
            walk=walks[days],
            area=area,
            category=category,
            place=place,
            description=f"{name}: {place}",
            # Spread around Vollsmose's centre, so the map has something to show.
            latitude=round(55.4035 + 0.0009 * (n % 3), 6),
            longitude=round(10.4420 + 0.0013 * n, 6),
            found_at=found_at,
            responsible=Organisation.objects.get(name=DEMO_ROUTING[name]),
            due_date=timezone.localdate(found_at) + datetime.timedelta(days=21),
            status=status,
            fixed_at=found_at + datetime.timedelta(days=9)
            if status == Finding.Status.FIXED
            else None,
            close_reason=Finding.CloseReason.NO_ACTION
            if status == Finding.Status.CLOSED
            else "",
        )
    for walk in walks.values():
        # The route as drawn on the walk: from the community house past each
        # finding and back towards the school.
        stops = [
            [float(f.latitude), float(f.longitude)]
            for f in walk.findings.order_by("pk")
        ]
        walk.route_line = [[55.4022, 10.4398], *stops, [55.4062, stops[-1][1] + 0.0012]]
        walk.save(update_fields=["route_line"])
    Walk.objects.create(
        area=area,
        starts_at=_walk_time(today + datetime.timedelta(days=7)),
        notes=DEMO_WALK_NOTE,
        route="Fra beboerhuset til skolen",
    )
    return Finding.objects.filter(walk__notes=DEMO_WALK_NOTE).count()


# (days ago, category, place, description, status): residents' reports in
# Vollsmose, two waiting for the tryghedsrådgiver and one declined.
DEMO_REPORTS = [
    (1, "Belysning", "", "Lampen på stien ved legepladsen lyser ikke.", "received"),
    (3, "Hærværk", "Bøgeparken 12", "Nogen har smadret ruden i opgangen.", "received"),
    (
        9,
        "Andet",
        "Parkeringspladsen",
        "Der holder en bil uden nummerplader.",
        "declined",
    ),
]


def load_resident_reports() -> int:
    ResidentReport.objects.filter(is_demo=True).delete()
    area = Area.objects.get(slug="vollsmose")
    now = timezone.now()
    for days, name, place, description, status in DEMO_REPORTS:
        ResidentReport.objects.create(
            area=area,
            category=FindingCategory.objects.get(name=name),
            place=place,
            # The one without an address was placed on the map.
            latitude=None if place else 55.4041,
            longitude=None if place else 10.4447,
            description=description,
            created_at=now - datetime.timedelta(days=days),
            status=status,
            decline_reason="elsewhere" if status == "declined" else "",
            public_note="Biler uden nummerplader tager politiet sig af: ring 114."
            if status == "declined"
            else "",
            decided_at=now - datetime.timedelta(days=days - 1)
            if status == "declined"
            else None,
            is_demo=True,
        )
    return len(DEMO_REPORTS)


def _walk_time(day: datetime.date) -> datetime.datetime:
    """The weekly walk's time, five in the afternoon (never on a switch day)."""
    return clock.local_moment(clock.clear_of_switches(day), datetime.time(17))
