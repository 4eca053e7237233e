"""The audit trail of advice cases: every view, change and export of a case leaves
its access-log entries (checklist item 30), and nobody changes an entry through
the app (item 31).

VISITS is every URL of the advice app with each method it takes, and the entries
a successful request writes there: which case, what was done and for what
purpose. A page that shows no case writes none, and says so here. A URL or a
method the table leaves out fails a test below, so a page added later must state
what it writes. tests/test_log_canary.py walks the same table for its figure.

Dates are counted back from the real today (no frozen clock): the PostgreSQL
trigger's retention rule reads the database's clock.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.db import ProgrammingError, connection, models, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from advice import urls
from advice.models import (
    ACCESS_LOG_RETENTION,
    AccessLogIsAppendOnly,
    Case,
    CaseAccess,
    CaseOutcome,
    DropIn,
    Household,
    Meeting,
    OutcomeKind,
    Referral,
    log_access,
)
from advice.tasks import anonymise_expired_cases
from boligsocial.models import Role, User
from conftest import make_user

A = CaseAccess.Action
P = CaseAccess.Purpose

# What the world's household and its case hold: none of it may reach an entry.
HOUSEHOLD = {
    "name": "Zenobia Kvistgaard",
    "street": "Rising Allé",
    "number": "7",
    "floor_door": "4. mf",
    "phone": "+4528173645",
    "composition": Household.Composition.SINGLE_PARENT,
}
CASE_NOTE = "Gæld til Ulvsborg Inkasso efter tredje rykker"
ARREARS = (Decimal("48213.57"), Decimal("31877.25"))
MEETING_NOTE = "Budget gennemgået med Zenobia i stuen"
OUTCOME = (Decimal("9183.40"), "Afdragsordning hos Ulvsborg")
RECIPIENT = "Gældsrådgiver Brønnumshøj"
# The case a new form makes, and a colleague's flagged case (another household).
NEW_HOUSEHOLD = {"name": "Ingolf Aagaard-Brøndsted", "floor_door": "1. sal"}
NEW_NOTE = "Ingolf skylder Sparekassen Hvidbjerg"
COLLEAGUES_HOUSEHOLD = {"name": "Oskar Tvede", "street": "Østergade", "number": "12"}
CONTENT = [
    "Zenobia",
    "Kvistgaard",
    "4. mf",
    "28173645",
    "Ulvsborg",
    "48213",
    "31877",
    "9183",
    "Brønnumshøj",
    "Ingolf",
    "Aagaard",
    "Hvidbjerg",
    "Oskar",
    "Tvede",
]
JOIN_REASON = "Dækker for en kollega i ferien"
ERASE_REASON = "Bad om det på mødet i sidste uge"


@dataclass
class World:
    people: dict[str, User]
    cases: dict[
        str, Case
    ]  # case (advisor's, open), earlier (its closed one), colleagues
    meeting: Meeting
    referral: Referral
    drop_in: DropIn

    @property
    def today(self) -> datetime.date:
        return timezone.localdate()


def build_world(people: dict[str, User], departments) -> World:
    """`advisor` works on a household's open case and on its earlier, closed one
    (with a meeting, an outcome and a referral); `other_advisor` on a colleague's
    case whose resident agreed colleagues may know of it."""
    today = timezone.localdate()
    opened = today - datetime.timedelta(days=60)
    household = Household.objects.create(department=departments[0], **HOUSEHOLD)
    earlier = Case.objects.create(
        household=household,
        opened_on=today - datetime.timedelta(days=400),
        source=Case.Source.SELF,
        status=Case.Status.CLOSED,
        closed_on=today - datetime.timedelta(days=300),
    )
    case = Case.objects.create(
        household=household,
        opened_on=opened,
        source=Case.Source.REMINDER_LETTER,
        issue_rent_arrears=True,
        eviction_risk=Case.EvictionRisk.REMINDER,
        arrears_at_start=ARREARS[0],
        arrears_now=ARREARS[1],
        note=CASE_NOTE,
    )
    for each in (earlier, case):
        each.advisors.set([people["advisor"]])
    CaseOutcome.objects.create(
        case=case,
        kind=OutcomeKind.objects.get(code="payment_plan"),
        amount=OUTCOME[0],
        note=OUTCOME[1],
        achieved_on=opened,
    )
    colleagues = Case.objects.create(
        household=Household.objects.create(
            department=departments[0], **COLLEAGUES_HOUSEHOLD
        ),
        opened_on=opened,
        source=Case.Source.SELF,
        colleagues_may_know=True,
    )
    colleagues.advisors.set([people["other_advisor"]])
    return World(
        people=people,
        cases={"case": case, "earlier": earlier, "colleagues": colleagues},
        meeting=Meeting.objects.create(
            case=case,
            held_on=opened,
            place=Meeting.Place.HOME,
            duration_minutes=60,
            note=MEETING_NOTE,
        ),
        referral=Referral.objects.create(
            case=case, to=Referral.To.DEBT_COUNSELLING, recipient=RECIPIENT
        ),
        drop_in=DropIn.objects.create(
            name="Beboerhuset",
            area=departments[0].area,
            weekday=today.weekday(),
            starts_at=datetime.time(0, 0),
            ends_at=datetime.time(23, 59),
        ),
    )


def world_people(*, advisor, staff, coordinator, housing_org) -> dict[str, User]:
    """The people of the world: the given personas, a second advisor and a
    housing organisation's partner (who enters the eviction figures)."""
    return {
        "advisor": advisor,
        "other_advisor": make_user(
            "advisor2", Role.ADVISOR, organisation="BoligSocialt Hus"
        ),
        "staff": staff,
        "coordinator": coordinator,
        "drift": make_user("drift", Role.PARTNER, organisation=housing_org.name),
    }


# --- The table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    name: str  # in the advice namespace
    method: str
    who: str
    writes: tuple[tuple[str, str, str], ...] = ()  # (case, action, purpose)
    case: str = "case"  # the case in the URL
    status: int = 200

    @property
    def id(self) -> str:
        return f"{self.name}-{self.method}"


def _view(name: str, case: str = "case", purpose: str = P.CASEWORK) -> Visit:
    return Visit(name, "GET", "advisor", ((case, A.VIEW, purpose),), case=case)


def _change(name: str, action: str, *, case: str = "case", on: str = "") -> Visit:
    """A change by the advisor to `case` (in the URL), logged on `on` (a new
    case, for one) or else on the same case."""
    writes = ((on or case, action, P.CASEWORK),)
    return Visit(name, "POST", "advisor", writes, case, 302)


VISITS = [
    # The lists: the advisor's own cases (names and addresses), the team's open
    # cases without a household, today's drop-ins with my open cases to choose.
    # Opening a case from them is the logged view.
    Visit("case_list", "GET", "advisor"),
    Visit("drop_in_list", "GET", "advisor"),
    Visit("case_create", "GET", "advisor"),
    _change("case_create", A.CREATE, on="new"),
    _view("case_detail"),
    _view("case_edit"),
    _change("case_edit", A.EDIT),
    _view("case_followup"),
    _change("case_followup", A.CREATE, on="new"),
    _view("outcome_create"),
    _change("outcome_create", A.OUTCOME),
    _view("case_close"),
    _change("case_close", A.CLOSE),
    _change("case_reopen", A.REOPEN, case="earlier"),
    # The join page shows what the team's list shows (area, date, advisors).
    Visit("case_join", "GET", "advisor", case="colleagues"),
    Visit(
        "case_join",
        "POST",
        "advisor",
        (("colleagues", A.JOIN, P.COVER),),
        "colleagues",
        302,
    ),
    _view("meeting_create"),
    _change("meeting_create", A.MEETING),
    _view("meeting_edit"),
    _change("meeting_edit", A.MEETING),
    Visit(
        "drop_in_visit", "POST", "advisor", (("case", A.MEETING, P.CASEWORK),), "", 302
    ),
    _view("referral_create"),
    _change("referral_create", A.REFERRAL),
    _view("referral_move"),
    _change("referral_move", A.REFERRAL),
    # Every case of the household is in the workbook, and in the log.
    Visit(
        "household_export",
        "GET",
        "advisor",
        (("earlier", A.EXPORT, P.ACCESS_REQUEST), ("case", A.EXPORT, P.ACCESS_REQUEST)),
    ),
    _view("household_erase", purpose=P.ERASURE),
    Visit(
        "household_erase",
        "POST",
        "advisor",
        (("earlier", A.ERASE, P.ERASURE), ("case", A.ERASE, P.ERASURE)),
        status=302,
    ),
    # A colleague told whom to ask has learnt the household has an open case.
    Visit("case_lookup", "GET", "staff", (("colleagues", A.LOOKUP, P.COLLEAGUE),)),
    # Case numbers, counts and organisations' figures: no case.
    Visit("access_log", "GET", "coordinator"),
    # The log's raw rows as a file: reading the log opens no case.
    Visit("access_log_export", "GET", "coordinator"),
    Visit("advice_figures", "GET", "advisor"),
    Visit("advice_figures_export", "GET", "advisor"),
    Visit("network", "GET", "coordinator"),
    Visit("network_export", "GET", "coordinator"),
    Visit("network_report", "GET", "drift"),
    Visit("network_report", "POST", "drift", status=302),
]
CASE_VISITS = [visit for visit in VISITS if visit.writes]


def url_of(world: World, visit: Visit) -> str:
    kwargs = {}
    pattern = next(p for p in urls.urlpatterns if p.name == visit.name)
    keys = pattern.pattern.converters
    if "pk" in keys:
        kwargs["pk"] = world.cases[visit.case].pk
    if "meeting_pk" in keys:
        kwargs["meeting_pk"] = world.meeting.pk
    if "referral_pk" in keys:
        kwargs["referral_pk"] = world.referral.pk
    if "drop_in_pk" in keys:
        kwargs["drop_in_pk"] = world.drop_in.pk
    if "year" in keys:
        kwargs["year"] = world.today.year
    if "fmt" in keys:
        kwargs["fmt"] = "csv"
    if "slug" in keys:
        kwargs["slug"] = "advice"
    return reverse(f"advice:{visit.name}", kwargs=kwargs)


def form_data(world: World, visit: Visit) -> dict:
    """Enough for each form to pass; GETs that take a query get it here too."""
    case, today = world.cases["case"], world.today.isoformat()
    new_case = {
        "opened_on": today,
        "source": Case.Source.SELF,
        "eviction_risk": Case.EvictionRisk.NONE,
        "arrears_at_start": "0",
        "arrears_now": "0",
        "note": NEW_NOTE,
    }
    household = {
        **{k: v for k, v in HOUSEHOLD.items() if k != "phone"},
        "department": case.household.department_id,
        "phone": "28 17 36 45",
    }
    meeting = {"held_on": today, "place": Meeting.Place.HOME, "duration_minutes": 45}
    forms = {
        "case_create": {**household, **NEW_HOUSEHOLD, **new_case},
        "case_edit": {
            **household,
            **new_case,
            "opened_on": case.opened_on.isoformat(),
            "version": case.version,
        },
        "case_followup": new_case,
        "outcome_create": {
            "kind": OutcomeKind.objects.get(code="budget_made").pk,
            "achieved_on": today,
        },
        "case_close": {"closed_on": today, "version": case.version},
        "case_reopen": {"version": world.cases["earlier"].version},
        "case_join": {"reason": JOIN_REASON},
        "meeting_create": meeting,
        "meeting_edit": {**meeting, "version": getattr(world.meeting, "version", 1)},
        "drop_in_visit": {
            f"visit-{world.drop_in.pk}-case": case.pk,
            f"visit-{world.drop_in.pk}-duration_minutes": 20,
        },
        "referral_create": {
            "to": Referral.To.MUNICIPALITY,
            "recipient": "Borgerservice",
        },
        "referral_move": {"to": Referral.Status.CONSENTED, "consent_note": "Mundtligt"},
        "household_erase": {"requested": "on", "reason": ERASE_REASON},
        "case_lookup": {"street": "østergade", "number": " 12 "},
        "network_report": {
            "reminder_letters": 40,
            "reminders_settled": 30,
            "bailiff_cases": 4,
            "evictions": 1,
        },
    }
    return forms.get(visit.name, {})


def make_visit(client, world: World, visit: Visit):
    """The person's request; its answer and the entries it wrote."""
    client.force_login(world.people[visit.who])
    last = CaseAccess.objects.aggregate(last=models.Max("pk"))["last"] or 0
    url, data = url_of(world, visit), form_data(world, visit)
    if visit.method == "POST":
        response = client.post(url, data)
    else:
        response = client.get(url, data)
    written = list(CaseAccess.objects.filter(pk__gt=last).order_by("pk"))
    return response, written


def expected_entries(world: World, visit: Visit) -> list[tuple]:
    user = world.people[visit.who]
    cases = {**world.cases, "new": Case.objects.order_by("pk").last()}
    return [
        (cases[case].pk, cases[case].pk, user.pk, action, purpose)
        for case, action, purpose in visit.writes
    ]


def entries_of(written: list[CaseAccess]) -> list[tuple]:
    return [(e.case_id, e.case_number, e.user_id, e.action, e.purpose) for e in written]


def content_in(entry: CaseAccess) -> list[str]:
    """Any of the cases' content found in the entry's text fields (the others are
    numbers and a time)."""
    text = " ".join(
        str(getattr(entry, field.attname))
        for field in CaseAccess._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    ).casefold()
    return [needle for needle in CONTENT if needle.casefold() in text]


def wrote_as_expected(world: World, visit: Visit, response, written) -> bool:
    """The figure's test, for tests/test_log_canary.py: the right answer and
    exactly the expected entries, each in UTC and without any case content."""
    return (
        response.status_code == visit.status
        and entries_of(written) == expected_entries(world, visit)
        and all(e.at.utcoffset() == datetime.timedelta(0) for e in written)
        and not any(content_in(e) for e in written)
    )


@pytest.fixture
def world(advisor, staff, coordinator, housing_org, departments) -> World:
    people = world_people(
        advisor=advisor, staff=staff, coordinator=coordinator, housing_org=housing_org
    )
    return build_world(people, departments)


# --- Every request that shows, changes or exports a case ------------------------------


@pytest.mark.parametrize("visit", VISITS, ids=lambda visit: visit.id)
def test_each_advice_request_writes_exactly_its_access_log_entries(
    client, world, visit
):
    start = timezone.now()

    response, written = make_visit(client, world, visit)

    assert response.status_code == visit.status, response.content.decode()[:3000]
    assert entries_of(written) == expected_entries(world, visit)
    for entry in written:
        assert entry.at.utcoffset() == datetime.timedelta(0)
        assert start <= entry.at <= timezone.now()
        assert content_in(entry) == []
        expected_reason = {A.JOIN: JOIN_REASON, A.ERASE: ERASE_REASON}
        assert entry.reason == expected_reason.get(entry.action, "")


def test_every_advice_url_is_in_the_table():
    names = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)}
    assert not [p for p in urls.urlpatterns if isinstance(p, URLResolver)]
    assert {visit.name for visit in VISITS} == names


UNLISTED = [
    (visit.name, method, visit.who, visit.case)
    for visit in {v.name: v for v in VISITS}.values()
    for method in ("GET", "POST")
    if (visit.name, method) not in {(v.name, v.method) for v in VISITS}
]


@pytest.mark.parametrize(
    ("name", "method", "who", "case"), UNLISTED, ids=lambda value: str(value)
)
def test_a_method_the_table_leaves_out_is_one_the_page_refuses(
    client, world, name, method, who, case
):
    visit = Visit(name, method, who, case=case)

    response, written = make_visit(client, world, visit)

    assert response.status_code == 405
    assert written == []


# --- Nobody changes an entry through the app -----------------------------------------


def access_log_urls(resolver=None, prefix: str = "") -> list[str]:
    """Every URL name of the portal that reaches the access log."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found += access_log_urls(entry, inner)
        elif entry.name and ("caseaccess" in entry.name or "access_log" in entry.name):
            found.append(f"{prefix}{entry.name}")
    return sorted(found)


@pytest.fixture
def entry(world) -> CaseAccess:
    return log_access(world.people["advisor"], world.cases["case"], A.VIEW)


def frozen(entry: CaseAccess) -> tuple:
    return tuple(
        CaseAccess.objects.filter(pk=entry.pk).values_list(
            "case", "case_number", "user", "at", "action", "purpose", "reason"
        )
    )


def test_the_urls_that_reach_the_access_log_are_the_page_and_the_read_only_admin():
    assert access_log_urls() == [
        "admin:advice_caseaccess_add",
        "admin:advice_caseaccess_change",
        "admin:advice_caseaccess_changelist",
        "admin:advice_caseaccess_delete",
        "admin:advice_caseaccess_history",
        "advice:access_log",
        "advice:access_log_export",
    ]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_no_url_adds_changes_or_deletes_an_entry_not_even_for_the_admin(
    client, personas, entry, role
):
    before = frozen(entry)
    client.force_login(personas[role])
    args = [entry.pk]
    attempts = [
        (reverse("advice:access_log"), {}, 405),
        (
            reverse("admin:advice_caseaccess_add"),
            {"case_number": 1, "action": "view"},
            403,
        ),
        (reverse("admin:advice_caseaccess_change", args=args), {"action": "edit"}, 403),
        (reverse("admin:advice_caseaccess_delete", args=args), {"post": "yes"}, 403),
        (
            reverse("admin:advice_caseaccess_changelist"),
            {"action": "delete_selected", "_selected_action": args, "post": "yes"},
            # The coordinator's list has no delete action; the admin role no list.
            {Role.COORDINATOR: 200, Role.ADMIN: 403}[role],
        ),
    ]
    for url, data, status in attempts:
        assert client.post(url, data).status_code == status, url
    assert frozen(entry) == before
    assert CaseAccess.objects.count() == 1


def test_a_coordinator_reads_the_log_in_the_admin_without_a_field_to_edit(
    client, coordinator, entry
):
    client.force_login(coordinator)

    listing = client.get(reverse("admin:advice_caseaccess_changelist"))
    page = client.get(reverse("admin:advice_caseaccess_change", args=[entry.pk]))

    assert listing.status_code == 200
    assert entry.get_purpose_display() in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    for field in ("case_number", "action", "purpose", "reason", "_save"):
        assert f'name="{field}"' not in html
    assert "deletelink" not in html


def test_the_admin_role_does_not_read_the_log_in_the_admin(client, admin_user, entry):
    client.force_login(admin_user)
    url = reverse("admin:advice_caseaccess_changelist")
    assert client.get(url).status_code == 403


def test_the_model_refuses_to_change_or_delete_an_entry(entry):
    before = frozen(entry)
    entry.reason = "Rettet bagefter"
    attempts = [
        entry.save,
        entry.delete,
        lambda: CaseAccess.objects.filter(pk=entry.pk).update(reason="Rettet"),
        lambda: CaseAccess.objects.all().delete(),
        lambda: CaseAccess.objects.bulk_update([entry], ["reason"]),
    ]
    for attempt in attempts:
        with pytest.raises(AccessLogIsAppendOnly), transaction.atomic():
            attempt()
    assert frozen(entry) == before


def test_on_postgresql_the_database_refuses_an_update_from_any_client(entry):
    """bin/test and CI run PostgreSQL: the trigger refuses. A quick local run on
    SQLite has no trigger (the migration installs it on PostgreSQL only), and the
    same UPDATE goes through there: the database is the guard only in production."""
    before = frozen(entry)
    update = "UPDATE advice_caseaccess SET reason = 'Rettet' WHERE id = %s"
    if connection.vendor == "postgresql":
        with pytest.raises(ProgrammingError, match="cannot be changed"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(update, [entry.pk])
        assert frozen(entry) == before
    else:
        assert connection.vendor == "sqlite"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'advice_caseaccess'"
            )
            assert cursor.fetchall() == []
            cursor.execute(update, [entry.pk])
        assert frozen(entry) != before


def at_age(world: World, age: datetime.timedelta) -> CaseAccess:
    """An entry written `age` ago (by the real clock, which the database reads)."""
    with time_machine.travel(timezone.now() - age, tick=False):
        return log_access(world.people["advisor"], world.cases["case"], A.VIEW)


def test_on_postgresql_the_database_lets_only_an_expired_entry_be_deleted(world):
    day = datetime.timedelta(days=1)
    kept = at_age(world, ACCESS_LOG_RETENTION - day)
    expired = at_age(world, ACCESS_LOG_RETENTION + day)
    delete = "DELETE FROM advice_caseaccess WHERE id = %s"
    if connection.vendor == "postgresql":
        with pytest.raises(ProgrammingError, match="kept for 1830 days"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(delete, [kept.pk])
    else:
        assert connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(delete, [expired.pk])
    assert list(CaseAccess.objects.all()) == [kept]


def test_the_retention_job_deletes_the_expired_entries_and_keeps_the_rest(world):
    day = datetime.timedelta(days=1)
    kept = [
        at_age(world, ACCESS_LOG_RETENTION - day),
        log_access(world.people["advisor"], world.cases["case"], A.VIEW),
    ]
    at_age(world, ACCESS_LOG_RETENTION + day)
    at_age(world, ACCESS_LOG_RETENTION * 2)

    anonymise_expired_cases()

    assert sorted(CaseAccess.objects.values_list("pk", flat=True)) == [
        entry.pk for entry in kept
    ]


def test_a_case_deleted_outright_leaves_its_entries_with_every_fact(world, entry):
    """Demo data is reloaded by deleting it: the entry loses only its link, which
    the trigger allows."""
    case_number, before = entry.case_number, frozen(entry)

    world.cases["case"].household.delete()

    assert frozen(entry) == ((None, *before[0][1:]),)
    assert CaseAccess.objects.get().case_number == case_number


@pytest.mark.parametrize("language", ["da", "en"])
def test_each_entry_names_its_action_and_purpose_as_the_choices_do(language):
    field = {name: CaseAccess._meta.get_field(name) for name in ("action", "purpose")}
    with translation.override(language):
        for action, label in field["action"].flatchoices:
            assert CaseAccess(action=action).get_action_display() == str(label)
        for purpose, label in field["purpose"].flatchoices:
            assert CaseAccess(purpose=purpose).get_purpose_display() == str(label)
    assert CaseAccess(action="unheard-of").get_action_display() == "unheard-of"
