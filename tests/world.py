"""One of everything the portal keeps, for the tests that walk every form and page
(the form fuzzing, the XSS sweep): the personas of conftest.py, and an object of
each kind in Rising that those personas may see and change. Built through the
models, with fixed values; today is 4 May 2026 (the tests freeze the clock there).

It builds its own personas and departments (as conftest.py's fixtures do) so that
a module can build it once for all its tests.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.models import Activity, ActivityRecord, PlannedEvent, YearStatus
from advice.models import (
    Case,
    CaseAccess,
    CaseOutcome,
    DropIn,
    EvictionReport,
    Household,
    Meeting,
    OutcomeKind,
    Referral,
    log_access,
)
from boligsocial.models import Area, HousingDepartment, Organisation, Role, User
from boligsocial.periods import Period
from conftest import PASSWORD, make_user
from reports.models import ReportRun, ReportSchedule
from reports.services import request_report
from safety.models import (
    ConsentText,
    Contact,
    Finding,
    FindingCategory,
    FindingEvent,
    FollowUpTask,
    Incident,
    IncidentEntry,
    IncidentNotification,
    NetworkMeeting,
    ResidentReport,
    SignUp,
    SignUpTarget,
    Walk,
    WalkTarget,
)

TODAY = datetime.date(2026, 5, 4)
NOW = datetime.datetime(2026, 5, 4, 10, 0)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass
class World:
    """The personas by role (plus the few extra people some pages need) and one
    object of each kind, by name."""

    people: dict[str, User]
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def personas() -> dict[str, User]:
    """conftest.py's personas, by role."""
    house = "BoligSocialt Hus"
    return {
        Role.STAFF: make_user(
            "staff", Role.STAFF, organisation=house, areas=["rising"]
        ),
        Role.ADVISOR: make_user(
            "advisor", Role.ADVISOR, organisation=house, areas=["rising"]
        ),
        Role.SAFETY_ADVISOR: make_user(
            "tryghed",
            Role.SAFETY_ADVISOR,
            organisation=house,
            areas=["korslokkeparken", "rising"],
        ),
        Role.COORDINATOR: make_user(
            "coordinator", Role.COORDINATOR, organisation=house
        ),
        Role.PARTNER: make_user(
            "partner", Role.PARTNER, organisation="Fyns Politi", areas=["rising"]
        ),
        Role.ADMIN: User.objects.create_superuser("root", "root@example.org", PASSWORD),
    }


def departments() -> list[HousingDepartment]:
    """conftest.py's: Rising Øst and Vest (300 and 200 households), Vollsmose Nord."""
    owner = Organisation.objects.create(
        name="Testboligselskabet", kind=Organisation.Kind.HOUSING, is_demo=True
    )
    rows = [
        ("rising", "11", "Rising Øst", 300, "Rising Allé\nØstergade"),
        ("rising", "12", "Rising Vest", 200, "Vestergade"),
        ("vollsmose", "21", "Vollsmose Nord", 900, "Nordvej"),
    ]
    return [
        HousingDepartment.objects.create(
            organisation=owner,
            area=Area.objects.get(slug=slug),
            number=number,
            name=name,
            households=households,
            streets=streets,
        )
        for slug, number, name, households, streets in rows
    ]


def build_world() -> World:
    rising_east, _rising_west, vollsmose = departments()
    people = {str(role): user for role, user in personas().items()}
    people["housing_partner"] = make_user(
        "boligpartner",
        Role.PARTNER,
        organisation=rising_east.organisation.name,
        areas=["rising"],
    )
    people["other_advisor"] = make_user(
        "advisor2", Role.ADVISOR, organisation="BoligSocialt Hus", areas=["rising"]
    )
    world = World(people=people)
    world.objects.update(rising=Area.objects.get(slug="rising"))
    world.objects.update(
        police=Organisation.objects.get(name="Fyns Politi"),
        department=rising_east,
        vollsmose_department=vollsmose,
    )
    _activities(world)
    _nabohjaelp(world)
    _walks(world)
    _beredskab(world)
    _advice(world)
    _reports(world)
    _two_factor_devices(world)
    return world


def _activities(world: World) -> None:
    staff, coordinator = world.people[Role.STAFF], world.people[Role.COORDINATOR]
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    record = ActivityRecord.objects.create(
        activity=jobs,
        date=TODAY,
        area=world.rising,
        department=world.department,
        participants=10,
        created_by=staff,
        note="Lektiecafé",
    )
    record.partners.set([world.police])
    event = PlannedEvent.objects.create(
        activity=jobs,
        title="Jobcafé",
        date=TODAY + datetime.timedelta(days=7),
        place="Beboerhuset",
        area=world.rising,
        organiser=staff.organisation,
        created_by=staff,
    )
    this_year = YearStatus.objects.create(
        activity=jobs,
        year=2026,
        status="ongoing",
        narrative="Godt i gang.",
        written_by=staff,
    )
    last_year = YearStatus.objects.create(
        activity=jobs, year=2025, status="done", narrative="Mål nået.", written_by=staff
    )
    last_year.approve(by=coordinator)
    indicator = jobs.indicators.order_by("pk").first()
    world.objects.update(
        activity=jobs,
        focus_area=jobs.focus_area,
        plan=jobs.focus_area.plan_period,
        indicator=indicator,
        target=indicator.targets.create(year=2026, value=10, note="Mindst ti"),
        record=record,
        event=event,
        year_status=this_year,
        locked_year_status=last_year,
    )


def _nabohjaelp(world: World) -> None:
    department = world.department
    values = {
        "area": world.rising,
        "department": department,
        "street": department.street_list[0] if department.street_list else "Vej",
        "number": "12",
        "floor_door": "2. tv",
        "phone": "+4520123456",
        "email": "amira@example.org",
        "channel": SignUp.Channel.DOOR,
        "signed_up_on": TODAY,
        "consent_text": ConsentText.current(),
        "consented_at": timezone.now(),
        "note": "Ambassadør i opgang 12",
    }
    world.objects.update(
        signup=SignUp.objects.create(
            name="Amira Hansen", status=SignUp.Status.ACTIVE, **values
        ),
        pending_signup=SignUp.objects.create(
            name="Bo Jensen", status=SignUp.Status.TO_CONFIRM, **values
        ),
        consent_text=ConsentText.current(),
        signup_target=SignUpTarget.objects.create(
            area=world.rising, year=2026, value=12
        ),
    )


def _walks(world: World) -> None:
    keeper = world.people[Role.SAFETY_ADVISOR]
    walk = Walk.objects.create(
        area=world.rising,
        starts_at=at(TODAY - datetime.timedelta(days=1)),
        status=Walk.Status.HELD,
        route="Rising Allé rundt",
        clear_stretches="Stien ved skolen",
        notes="Mørkt ved garagerne",
        created_by=keeper,
    )
    walk.organisations.set([world.police])
    category = FindingCategory.objects.order_by("pk").first()

    def finding(status, **fields) -> Finding:
        return Finding.objects.create(
            walk=walk,
            area=world.rising,
            category=category,
            description="Knust lygte ved stien",
            place="Stien ved nr. 12",
            responsible=world.police,
            due_date=TODAY + datetime.timedelta(days=14),
            status=status,
            created_by=keeper,
            **fields,
        )

    sent = finding(Finding.Status.SENT)
    world.objects.update(
        walk=walk,
        category=category,
        finding_event=FindingEvent.objects.create(
            finding=sent,
            by=keeper,
            from_status=Finding.Status.NEW,
            to_status=Finding.Status.SENT,
            note="Sendt til politiet",
        ),
        finding=sent,
        fixed_finding=finding(Finding.Status.FIXED, fixed_at=at(TODAY)),
        closed_finding=finding(
            Finding.Status.CLOSED,
            close_reason=Finding.CloseReason.NOT_OURS,
            passed_to="Driften",
        ),
        walk_target=WalkTarget.objects.create(area=world.rising, year=2026, value=40),
        # A resident's report waiting for the tryghedsrådgiver, and one declined.
        resident_report=ResidentReport.objects.create(
            area=world.rising,
            category=category,
            description="Lampen ved stien lyser ikke",
            place="Stien ved nr. 12",
            email="melder@example.org",
        ),
        declined_report=ResidentReport.objects.create(
            area=world.rising,
            category=category,
            description="En bil uden nummerplader",
            place="P-pladsen",
            status=ResidentReport.Status.DECLINED,
            decline_reason=ResidentReport.DeclineReason.ELSEWHERE,
            public_note="Det tager politiet sig af: ring 114.",
            decided_at=at(TODAY),
            decided_by=keeper,
        ),
    )


def _beredskab(world: World) -> None:
    lead = world.people[Role.SAFETY_ADVISOR]
    police = world.police
    values = {
        "kind": Incident.Kind.FIRE,
        "area": world.rising,
        "place": "Opgang 12",
        "occurred_at": at(TODAY, 8),
        "severity": Incident.Severity.SERIOUS,
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Røg i kælderen; brandvæsenet slukkede.",
        "created_by": lead,
    }
    incident = Incident.objects.create(title="Brand i kælder", **values)
    closed = Incident.objects.create(title="Uro på pladsen", **values)
    closed.close(by=lead, evaluation="Gik godt.")
    told = IncidentNotification.objects.create(
        incident=incident, organisation=police, created_by=lead
    )
    told.mark_sent(recipients=["rising@politi.example"])
    failed = IncidentNotification.objects.create(
        incident=incident,
        organisation=Organisation.objects.get(name="SSP Odense"),
        created_by=lead,
        status=IncidentNotification.Status.FAILED,
        last_error="Postkassen er fuld",
    )
    entry = IncidentEntry.objects.create(
        incident=incident,
        kind=IncidentEntry.Kind.PRESS,
        happened_at=at(TODAY, 9),
        text="Pressemeddelelse udsendt",
        actor="Tryghedsrådgiveren",
        approved_by="Direktøren",
        created_by=lead,
    )
    contact = Contact.objects.create(
        organisation=police,
        area=world.rising,
        name="Mette Betjent",
        role="Områdebetjent",
        phone="+4566141448",
        email="rising@politi.example",
        note="Træffes bedst om formiddagen",
    )
    meeting = NetworkMeeting.objects.create(
        held_on=TODAY - datetime.timedelta(days=7),
        participants="Mette Betjent, SSP",
        agenda="1. Status på tryghed",
        decisions="Fælles indsats i sommerferien.",
        created_by=lead,
    )
    meeting.organisations.set([police])
    meeting.areas.set([world.rising])
    task = FollowUpTask.objects.create(
        meeting=meeting,
        owner=police,
        owner_name="Mette Betjent",
        description="Lav plan for sommerens aktiviteter",
        due_on=TODAY + datetime.timedelta(days=14),
    )
    world.objects.update(
        incident=incident,
        closed_incident=closed,
        notification=told,
        failed_notification=failed,
        entry=entry,
        contact=contact,
        meeting=meeting,
        task=task,
    )


def _advice(world: World) -> None:
    advisor = world.people[Role.ADVISOR]
    other = world.people["other_advisor"]
    household = Household.objects.create(
        department=world.department,
        name="Fatima Hansen",
        street="Rising Allé",
        number="7",
        floor_door="2. tv",
        phone="+4520304050",
        composition=Household.Composition.SINGLE_PARENT,
    )
    values = {
        "household": household,
        "opened_on": datetime.date(2026, 3, 2),
        "source": Case.Source.REMINDER_LETTER,
        "issue_rent_arrears": True,
        "eviction_risk": Case.EvictionRisk.REMINDER,
        "arrears_at_start": Decimal("12500.00"),
        "arrears_now": Decimal("12500.00"),
        "note": "Rykker fra boligselskabet",
        "colleagues_may_know": True,
    }
    case = Case.objects.create(**values)
    case.advisors.set([advisor])
    kind = OutcomeKind.objects.filter(amount_required=False).order_by("pk").first()
    closed = Case.objects.create(**values)
    closed.advisors.set([advisor])
    CaseOutcome.objects.create(case=closed, kind=kind, achieved_on=TODAY)
    closed.close(version=closed.version, closed_on=TODAY)
    colleagues = Case.objects.create(**values)
    colleagues.advisors.set([other])
    drop_in = DropIn.objects.create(
        name="Beboerhuset Rising",
        area=world.rising,
        address="Rising Allé 1",
        weekday=TODAY.weekday(),
        starts_at=datetime.time(10),
        ends_at=datetime.time(12),
    )
    world.objects.update(
        household=household,
        case=case,
        closed_case=closed,
        colleagues_case=colleagues,
        drop_in=drop_in,
        outcome_kind=kind,
        case_access=log_access(
            advisor, case, CaseAccess.Action.JOIN, reason="Dækker for en kollega"
        ),
        outcome=CaseOutcome.objects.create(
            case=case,
            kind=kind,
            achieved_on=TODAY,
            note="Afdragsordning aftalt",
            recorded_by=advisor,
        ),
        advice_meeting=Meeting.objects.create(
            case=case,
            held_on=TODAY,
            place=Meeting.Place.HOME,
            duration_minutes=60,
            note="Budget gennemgået",
            held_by=advisor,
        ),
        referral=Referral.objects.create(
            case=case,
            to=Referral.To.DEBT_COUNSELLING,
            recipient="Gældsrådgivningen",
            note="Har brug for hjælp med gæld",
            status=Referral.Status.CONSENTED,
            consented_at=at(TODAY, 9),
            consent_note="Mundtligt i hjemmet",
            changed_by=advisor,
        ),
        eviction_report=EvictionReport.objects.create(
            organisation=world.department.organisation,
            year=2025,
            reminder_letters=40,
            reminders_settled=30,
            bailiff_cases=5,
            evictions=1,
            note="Foreløbige tal",
            updated_by=world.people["housing_partner"],
        ),
    )


def _reports(world: World) -> None:
    coordinator = world.people[Role.COORDINATOR]
    run, _new = request_report(
        kind=ReportRun.Kind.MUNICIPALITY,
        period=Period.year(2025),
        areas=[world.rising],
        by=coordinator,
    )
    run.mark_failed("Tabellen kunne ikke tegnes")
    schedule = ReportSchedule.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        frequency=ReportSchedule.Frequency.QUARTERLY,
        owner=coordinator,
    )
    world.objects.update(run=run, schedule=schedule)


def _two_factor_devices(world: World) -> None:
    staff = world.people[Role.STAFF]
    world.objects.update(
        totp_device=TOTPDevice.objects.create(
            user=staff, name="default", confirmed=True
        ),
        static_device=StaticDevice.objects.create(user=staff, name="backup"),
    )
