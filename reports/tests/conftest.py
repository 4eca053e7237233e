"""A fixed data set for the figures, the dashboard and the PDFs: 2025 against 2024
in Rising and Vollsmose, with today frozen at 4 May 2026.

What it holds, so that tests can state their numbers:
- Fritidsjobrådgivning: Rising 10 Mar 2025 (12 participants, 5 new, 2 volunteers,
  3 young people into a job), Vollsmose 2 Jun 2025 (8 participants, 2 into a
  job), Rising 5 May 2024 (6 participants); targets "into a job": 10 in 2025,
  8 in 2024. Its 2025 status text is approved.
- Medborgerskab og frivillighed: Vollsmose 1 Sep 2025, 30 participants, 6 volunteers.
- Beskæftigelsesrådgivning: Rising 1 Feb 2025, 4 participants.
- Nabohjælp (departments: Rising 500 households, Vollsmose 900): Rising 3 signed
  up 1 Jun 2024, one of them withdrawn 1 Aug 2025, 2 more 1 Apr 2025; Vollsmose
  1 signed up 10 Oct 2025. Target Rising 2025: 12.
- Walks: Rising 3 held in 2025 (target 4), Vollsmose 1 held in 2025, Rising 1 held
  in 2024.
- Findings in Rising, found 1 Mar 2025, Fyns Politi: one fixed 10 days later, one
  open (due 1 Apr 2025, so overdue).
- Incidents in Rising: 1 Jul 2025 12:00, serious, Fyns Politi told 30 minutes
  later; 1 Mar 2024, minor, nobody told.
- Advice: 6 cases opened in Rising in 2025 (one with an eviction avoided), 2 in
  Vollsmose in 2025, 1 in Rising in 2024.
- Unit values for the gains, besides the examples the migrations seed: "Ung i
  fritidsjob" (the young people into a job: 10,000–25,000 kr. each, 2024 prices)
  and "Udsættelse afværget" (50,000–150,000 kr. each, 2023 prices).
"""

import datetime
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import timezone

from activities.models import Activity, ActivityRecord, IndicatorValue, Target
from advice.models import OutcomeKind
from advice.tests.conftest import add_outcome, make_case, make_household
from boligsocial.models import Area, Organisation
from boligsocial.periods import Period
from reports.models import ReportRun, UnitValue
from reports.services import request_report
from safety.conftest import make_signup
from safety.models import (
    Finding,
    FindingCategory,
    Incident,
    IncidentNotification,
    ResidentReport,
    SignUpTarget,
    Walk,
    WalkTarget,
)

TODAY = datetime.date(2026, 5, 4)
YEAR = Period.year(2025)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def own_media_folder(settings, tmp_path):
    """Each test writes its PDFs to a folder of its own: run numbers repeat
    between tests, files would not."""
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour, minute))
    )


def record(activity: Activity, area: str, day, participants: int, *, by, **fields):
    values = fields.pop("values", {})
    created = ActivityRecord.objects.create(
        activity=activity,
        area=Area.objects.get(slug=area),
        date=day,
        participants=participants,
        created_by=by,
        **fields,
    )
    for indicator, value in values.items():
        IndicatorValue.objects.create(record=created, indicator=indicator, value=value)
    return created


@pytest.fixture
def fixed_data(departments, staff, coordinator):
    rising_east, rising_west, vollsmose = departments
    _activities(staff, coordinator)
    _signups(rising_east, rising_west, vollsmose)
    _walks_and_findings()
    _incidents()
    _advice(rising_east, vollsmose)
    _unit_values(coordinator)
    return departments


def unit_value(by, **fields) -> UnitValue:
    """A unit value as the admin saves one: with its first version."""
    indicators = fields.pop("indicators", [])
    activities = fields.pop("activities", [])
    value = UnitValue.objects.create(
        **{
            "price_year": 2024,
            "source_title": "Testkilde",
            "source_publisher": "Testforlaget",
            "source_year": 2024,
            "source_page": "7",
            **fields,
        }
    )
    value.indicators.set(indicators)
    value.activities.set(activities)
    value.record_change(by=by, previous=None)
    return value


def _unit_values(coordinator) -> None:
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    unit_value(
        coordinator,
        name="Ung i fritidsjob",
        basis=UnitValue.Basis.INDICATOR,
        indicators=[jobs.indicators.get(name="Unge der har fået et fritidsjob")],
        low=10_000,
        high=25_000,
        order=1,
    )
    unit_value(
        coordinator,
        name="Udsættelse afværget",
        basis=UnitValue.Basis.OUTCOME,
        outcome_kind=OutcomeKind.objects.get(code="eviction_avoided"),
        low=50_000,
        high=150_000,
        price_year=2023,
        order=2,
    )


def _activities(staff, coordinator) -> None:
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    got_job = jobs.indicators.get(name="Unge der har fået et fritidsjob")
    record(
        jobs,
        "rising",
        datetime.date(2025, 3, 10),
        12,
        by=staff,
        participants_new=5,
        participants_returning=7,
        volunteers=2,
        values={got_job: 3},
    )
    record(
        jobs, "vollsmose", datetime.date(2025, 6, 2), 8, by=staff, values={got_job: 2}
    )
    record(jobs, "rising", datetime.date(2024, 5, 5), 6, by=staff, values={got_job: 1})
    Target.objects.create(indicator=got_job, year=2025, value=10)
    Target.objects.create(indicator=got_job, year=2024, value=8)
    status = jobs.year_statuses.create(
        year=2025,
        status="done",
        narrative="Fem unge fik fritidsjob i Rising og to i Vollsmose.",
        written_by=staff,
    )
    status.approve(by=coordinator)
    community = Activity.objects.get(name="Medborgerskab og frivillighed")
    record(
        community, "vollsmose", datetime.date(2025, 9, 1), 30, by=staff, volunteers=6
    )
    advice = Activity.objects.get(name="Beskæftigelsesrådgivning")
    record(advice, "rising", datetime.date(2025, 2, 1), 4, by=staff)


def _signups(rising_east, rising_west, vollsmose) -> None:
    for n in range(3):
        signup = make_signup(
            rising_east, name=f"Tidlig {n}", signed_up_on=datetime.date(2024, 6, 1)
        )
    signup.withdraw(on=datetime.date(2025, 8, 1))
    for n in range(2):
        make_signup(
            rising_west, name=f"Forår {n}", signed_up_on=datetime.date(2025, 4, 1)
        )
    make_signup(vollsmose, name="Efterår", signed_up_on=datetime.date(2025, 10, 10))
    SignUpTarget.objects.create(
        area=Area.objects.get(slug="rising"), year=2025, value=12
    )


def _walks_and_findings() -> None:
    rising, vollsmose = (
        Area.objects.get(slug="rising"),
        Area.objects.get(slug="vollsmose"),
    )
    for month in (2, 5, 9):
        Walk.objects.create(
            area=rising,
            starts_at=at(datetime.date(2025, month, 3)),
            status=Walk.Status.HELD,
        )
    Walk.objects.create(
        area=vollsmose, starts_at=at(datetime.date(2025, 4, 7)), status=Walk.Status.HELD
    )
    Walk.objects.create(
        area=rising, starts_at=at(datetime.date(2024, 4, 7)), status=Walk.Status.HELD
    )
    WalkTarget.objects.create(area=rising, year=2025, value=4)
    police = Organisation.objects.get(name="Fyns Politi")
    found = at(datetime.date(2025, 3, 1))
    for fixed in (True, False):
        finding = Finding.objects.create(
            area=rising,
            category=FindingCategory.objects.get(name="Hærværk"),
            responsible=police,
            description="Knust lygte",
            place="Stien ved nr. 12",
            found_at=found,
            due_date=datetime.date(2025, 4, 1),
            status=Finding.Status.FIXED if fixed else Finding.Status.SENT,
            fixed_at=found + datetime.timedelta(days=10) if fixed else None,
        )
    # The open one came from a resident's report; another report was declined.
    ResidentReport.objects.create(
        area=rising,
        category=finding.category,
        description="Knust lygte",
        place="Stien ved nr. 12",
        created_at=found,
        status=ResidentReport.Status.ACCEPTED,
        finding=finding,
        decided_at=found,
    )
    ResidentReport.objects.create(
        area=vollsmose,
        category=finding.category,
        description="Graffiti",
        place="Muren ved skolen",
        created_at=at(datetime.date(2025, 5, 2)),
        status=ResidentReport.Status.DECLINED,
        decline_reason=ResidentReport.DeclineReason.KNOWN,
        decided_at=at(datetime.date(2025, 5, 3)),
    )


def _incidents() -> None:
    rising = Area.objects.get(slug="rising")
    police = Organisation.objects.get(name="Fyns Politi")
    incident = Incident.objects.create(
        title="Brand i kælder",
        kind=Incident.Kind.FIRE,
        area=rising,
        place="Opgang 12",
        occurred_at=at(datetime.date(2025, 7, 1)),
        severity=Incident.Severity.SERIOUS,
        reported_by=Incident.ReportedBy.RESIDENT,
        description="Røg i kælderen.",
    )
    told = IncidentNotification.objects.create(incident=incident, organisation=police)
    told.mark_sent(recipients=["politi@example.org"])
    IncidentNotification.objects.filter(pk=told.pk).update(
        sent_at=at(datetime.date(2025, 7, 1), 12, 30)
    )
    Incident.objects.create(
        title="Råb på legepladsen",
        kind=Incident.Kind.OTHER,
        area=rising,
        place="Legepladsen",
        occurred_at=at(datetime.date(2024, 3, 1)),
        severity=Incident.Severity.MINOR,
        reported_by=Incident.ReportedBy.RESIDENT,
        description="Uro om aftenen.",
    )


def _advice(rising_east, vollsmose) -> None:
    for n in range(6):
        case = make_case(
            make_household(rising_east, name=f"Rising husstand {n}", number=str(n + 1)),
            opened_on=datetime.date(2025, 2, 1 + n),
        )
        if n == 0:
            add_outcome(case, "eviction_avoided", on=datetime.date(2025, 5, 1))
    for n in range(2):
        make_case(
            make_household(
                vollsmose, name=f"Vollsmose husstand {n}", number=str(n + 1)
            ),
            opened_on=datetime.date(2025, 3, 1 + n),
        )
    make_case(
        make_household(rising_east, name="Rising 2024", number="99"),
        opened_on=datetime.date(2024, 9, 1),
    )


@pytest.fixture
def run(coordinator) -> ReportRun:
    """The municipality's report for 2025 in Rising, asked for (not queued: the
    test's transaction never commits)."""
    made, _ = request_report(
        kind=ReportRun.Kind.MUNICIPALITY,
        period=Period.year(2025),
        areas=list(Area.objects.filter(slug="rising")),
        by=coordinator,
    )
    return made


def two_areas() -> list[Area]:
    return list(Area.objects.filter(slug__in=["rising", "vollsmose"]).order_by("name"))


class TableReader(HTMLParser):
    """The rows of one table of a page, each as the list of its cells' text."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_rows(html: str, slug: str) -> list[list[str]]:
    """The header row and body rows of the page's table `slug`, as text."""
    reader = TableReader(f"table-{slug}")
    reader.feed(html)
    return reader.rows
