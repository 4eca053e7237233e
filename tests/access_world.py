"""One small portal for the access matrix: every kind of object a URL can point
at, in Rising (and a little in Vollsmose), the nine points of view that ask for
them, and the real URL of every named pattern with those objects' keys in it.

The people in Rising carry canary personal data (CANARIES): names, phone numbers,
addresses, e-mail addresses and a debt that occur nowhere else, so that a page
showing them to someone who may not see a person can be caught in its bytes.
"""

import datetime
import io
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
import yaml
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from PIL import Image

from activities.models import Activity, CalendarFeed, PlannedEvent, PlanPeriod
from activities.tests.conftest import make_record
from advice.models import CaseAccess, DropIn, Referral, log_access
from advice.tests.conftest import add_meeting, add_outcome, make_case, make_household
from boligsocial.middleware import LOGIN_AT_KEY
from boligsocial.models import (
    Area,
    Delivery,
    ExportJob,
    HousingDepartment,
    ImportJob,
    Invitation,
    Notification,
    Organisation,
    Role,
    User,
)
from boligsocial.periods import Period
from conftest import TwoFactorClient, make_user
from reports.models import ReportRun, ReportSchedule
from reports.services import request_report
from safety.conftest import make_incident, make_meeting, make_signup, make_task
from safety.models import (
    Contact,
    Finding,
    FindingCategory,
    IncidentEntry,
    ResidentReport,
    SignUpTarget,
    Walk,
    WalkTarget,
)
from safety.walks.photos import add_photo, encoded_photo

# Every test of the world runs on this day: the 2024–2028 plan is current.
TODAY = datetime.date(2026, 5, 4)
NOW = datetime.datetime(2026, 5, 4, 10, 0)

ROLES = [
    "anonymous",
    "staff",
    "advisor_on_case",
    "other_advisor",
    "safety_advisor",
    "coordinator",
    "partner_of_area",
    "partner_other_org",
    "admin",
]
PARTNERS = ["partner_of_area", "partner_other_org"]


@dataclass(frozen=True)
class Canary:
    """A person who occurs nowhere but where the world puts them."""

    name: str
    street: str = ""
    phone: str = ""  # E.164, as the phone fields keep it
    email: str = ""
    debt: Decimal | None = None

    def spellings(self, *, money: bool = True) -> list[str]:
        """Every way a page, a spreadsheet or a PDF might write them; `money=False`
        leaves out the debt, which tells nobody who it is."""
        found = [self.name, self.name.split()[-1], self.street, self.email]
        if self.phone:
            local = self.phone.removeprefix("+45")
            pairs = " ".join(local[i : i + 2] for i in range(0, 8, 2))
            found += [local, pairs, self.phone, f"+45 {pairs}"]
        if money and self.debt is not None:
            whole = f"{int(self.debt)}"
            found += [whole, f"{whole[:-3]}.{whole[-3:]}", f"{whole[:-3]} {whole[-3:]}"]
        return [spelling for spelling in found if spelling]


# Each kind of personal record its own person, so a hit tells where it came from.
CANARIES = {
    "household": Canary(
        "Kanarie Fuglsang",
        "Kanariestien",
        "+4571234567",
        "kanarie.fuglsang@example.org",
        Decimal("98765"),
    ),
    "signup": Canary(
        "Kanarie Nabosen", "Kanarievej", "+4571234568", "kanarie.nabo@example.org"
    ),
    "contact": Canary(
        "Kanarie Betjentsen", phone="+4571234569", email="kanarie.vagt@example.org"
    ),
    "recipient": Canary("Kanarie Modtagersen", email="kanarie.modtager@example.org"),
    "record": Canary("Kanarie Deltagersen"),
    "reporter": Canary("Kanarie Melder", email="kanarie.melder@example.org"),
}


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile("lampe.jpg", buffer.getvalue(), "image/jpeg")


@dataclass
class World:
    users: dict[str, User | None]
    objects: dict[str, object]
    browsers: dict[str, "Browser"] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)


def build_world() -> World:
    """Everything the portal's URLs point at; canaries on every person in Rising."""
    police = Organisation.objects.get(name="Fyns Politi")
    users = _people()
    rising, vollsmose = (Area.objects.get(slug=s) for s in ("rising", "vollsmose"))
    departments = _departments(rising, vollsmose)
    objects = {
        "rising": rising,
        "vollsmose": vollsmose,
        "police": police,
        "department": departments[0],
        **_advice(departments[0], users["advisor_on_case"]),
        **_safety(departments, rising, police, users["staff"]),
        **_plan(rising, users["staff"]),
        **_reports(rising, users["coordinator"]),
        **_admin_rows(users),
        "person": users["staff"],
        # The staff member's invitation link, as their e-mail has it.
        "invitation_token": Invitation.issue(
            users["staff"], kind=Invitation.Kind.JOIN, by=None
        )[1],
        "portal_notification": Notification.objects.create(
            user=users["staff"],
            kind=Notification.Kind.FINDING_CHANGED,
            text="Hærværk: Stien, Rising",
            url="/safety/findings/",
            delivery=Delivery.PORTAL,
        ),
        "export_job": _export_job(users["staff"]),
        **{
            f"{name}_job": _import_job(users[who], sheet)
            for name, who, sheet in [
                ("record_import", "staff", "activities:record_import"),
                ("history_import", "coordinator", "activities:history_import"),
                ("signup_import", "staff", "safety:signup_import"),
                ("organisation_import", "coordinator", "organisation_import"),
            ]
        },
    }
    return World(users=users, objects=objects)


def _export_job(user) -> ExportJob:
    """A background export of the walks, ready, asked for by staff."""
    job = ExportJob.objects.create(
        requested_by=user, export="safety.walks", fmt="csv", filename="walks.csv"
    )
    name = default_storage.save(job.file_name, ContentFile(b"Tidspunkt\r\n"))
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.READY, file=name)
    job.refresh_from_db()
    return job


def _import_job(user, sheet: str) -> ImportJob:
    """A sheet `user` uploaded and imported (its page says so)."""
    return ImportJob.objects.create(
        requested_by=user,
        sheet=sheet,
        token=uuid.uuid4().hex,
        name="ark.xlsx",
        status=ImportJob.Status.IMPORTED,
        imported=3,
    )


def _people() -> dict[str, User | None]:
    bsh = "BoligSocialt Hus"
    return {
        "anonymous": None,
        "staff": make_user("staff", Role.STAFF, organisation=bsh, areas=["rising"]),
        "advisor_on_case": make_user(
            "advisor", Role.ADVISOR, organisation=bsh, areas=["rising"]
        ),
        "other_advisor": make_user(
            "advisor2", Role.ADVISOR, organisation=bsh, areas=["vollsmose"]
        ),
        "safety_advisor": make_user(
            "tryghed", Role.SAFETY_ADVISOR, organisation=bsh, areas=["rising"]
        ),
        "coordinator": make_user("coordinator", Role.COORDINATOR, organisation=bsh),
        # A police officer granted Rising, where the world's objects are, and a
        # partner of another organisation (SSP) granted Vollsmose only. (What is
        # routed to an organisation reaches all its partners, whatever their
        # areas: safety/walks/tests/test_routing.py.)
        "partner_of_area": make_user(
            "partner", Role.PARTNER, organisation="Fyns Politi", areas=["rising"]
        ),
        "partner_other_org": make_user(
            "partner2", Role.PARTNER, organisation="SSP Odense", areas=["vollsmose"]
        ),
        "admin": User.objects.create_superuser("root", "root@example.org", "x" * 20),
    }


def _departments(rising, vollsmose) -> list[HousingDepartment]:
    housing = Organisation.objects.create(
        name="Testboligselskabet", kind=Organisation.Kind.HOUSING, is_demo=True
    )
    rows = [
        (rising, "11", "Rising Øst", "Rising Allé\nØstergade"),
        (vollsmose, "21", "Vollsmose Nord", "Nordvej"),
    ]
    return [
        HousingDepartment.objects.create(
            organisation=housing,
            area=area,
            number=number,
            name=name,
            households=300,
            streets=streets,
        )
        for area, number, name, streets in rows
    ]


def _advice(department, advisor) -> dict:
    person = CANARIES["household"]
    household = make_household(
        department,
        name=person.name,
        street=person.street,
        number="98",
        floor_door="7. th",
        phone=person.phone,
    )
    case = make_case(
        household,
        advisors=[advisor],
        note=f"{person.name} skylder {person.debt} kr.; ring {person.phone}",
        arrears_at_start=person.debt,
        arrears_now=person.debt,
    )
    meeting = add_meeting(case, by=advisor, note=f"Budget med {person.name}")
    add_outcome(case, "payment_plan", amount=person.debt, by=advisor)
    referral = Referral.objects.create(
        case=case,
        to=Referral.To.DEBT_COUNSELLING,
        recipient="Gældsrådgivningen",
        note=f"{person.name}, {person.email}",
    )
    drop_in = DropIn.objects.create(
        name="Rising Beboerhus",
        area=department.area,
        weekday=TODAY.weekday(),
        starts_at=datetime.time(9),
        ends_at=datetime.time(12),
    )
    # The access log has a line before anyone asks (its admin pages need one).
    log_access(advisor, case, CaseAccess.Action.VIEW)
    return {
        "household": household,
        "case": case,
        "case_meeting": meeting,
        "referral": referral,
        "drop_in": drop_in,
    }


def _safety(departments, rising, police, staff) -> dict:
    neighbour = CANARIES["signup"]
    signup = make_signup(
        departments[0],
        name=neighbour.name,
        street=neighbour.street,
        number="98",
        floor_door="7. th",
        phone=neighbour.phone,
        email=neighbour.email,
        note=f"Ring til {neighbour.name} på {neighbour.phone}",
        signed_up_on=TODAY,
    )
    walk = Walk.objects.create(
        area=rising,
        starts_at=at(TODAY - datetime.timedelta(days=3)),
        status=Walk.Status.HELD,
        residents=4,
        created_by=staff,
    )
    walk.organisations.set([police])
    finding = Finding.objects.create(
        walk=walk,
        area=rising,
        category=FindingCategory.objects.get(name="Hærværk"),
        responsible=police,
        description="Knust lygte ved stien",
        place="Stien ved nr. 12",
        found_at=walk.starts_at,
        status=Finding.Status.SENT,
        created_by=staff,
    )
    photo = add_photo(finding=finding, upload=jpeg(), by=staff)
    incident = make_incident(rising, notify=[police], by=staff)
    # Who the mail went to is BoligSocialt Hus's business: a contact's address.
    incident.notifications.update(recipients=CANARIES["recipient"].email)
    IncidentEntry.objects.create(
        incident=incident,
        kind=IncidentEntry.Kind.UPDATE,
        happened_at=at(TODAY, 9),
        text="Brandvæsenet har forladt stedet.",
        created_by=staff,
    )
    officer = CANARIES["contact"]
    contact = Contact.objects.create(
        organisation=police,
        area=rising,
        name=officer.name,
        role="Områdebetjent",
        phone=officer.phone,
        email=officer.email,
    )
    meeting = make_meeting(organisations=[police], areas=[rising])
    task = make_task(meeting, police)
    # A resident's report from "Meld et problem", waiting, with a photo.
    reporter = CANARIES["reporter"]
    report = ResidentReport(
        area=rising,
        category=FindingCategory.objects.get(name="Belysning"),
        description=f"{reporter.name} så, at lampen ved stien er gået.",
        place="Stien ved nr. 12",
        email=reporter.email,
    )
    photo_bytes, thumbnail_bytes, report.photo_width, report.photo_height = (
        encoded_photo(jpeg())
    )
    report.image.save("photo.jpg", ContentFile(photo_bytes), save=False)
    report.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail_bytes), save=False)
    report.save()
    # A resident's own sign-up with its private withdrawal link.
    leaving = make_signup(departments[1], name="Beboer med eget link", number="3")
    return {
        "signup": signup,
        "withdrawal_secret": leaving.give_withdrawal_link(),
        "walk": walk,
        "finding": finding,
        "resident_report": report,
        "photo": photo,
        "incident": incident,
        "notification": incident.notifications.get(),
        "contact": contact,
        "network_meeting": meeting,
        "task": task,
        "signup_target": SignUpTarget.objects.create(area=rising, year=2026, value=9),
        "walk_target": WalkTarget.objects.create(area=rising, year=2026, value=4),
    }


def _plan(rising, staff) -> dict:
    plan = PlanPeriod.objects.current(TODAY)
    activity = Activity.objects.get(name="Fritidsjobrådgivning")
    record = make_record(
        activity, staff, note=f"{CANARIES['record'].name} kom med sin søn"
    )
    event = PlannedEvent.objects.create(
        activity=activity,
        title="Jobcafé",
        date=TODAY + datetime.timedelta(days=2),
        place="Rising Beboerhus",
        area=rising,
        organiser=staff.organisation,
        created_by=staff,
    )
    return {
        "plan": plan,
        "focus_area": activity.focus_area,
        "activity": activity,
        "indicator": activity.indicators.first(),
        "record": record,
        "event": event,
        # The staff member's calendar feed: its address opens without a login.
        "calendar_feed": CalendarFeed.renew(staff),
    }


def _reports(rising, coordinator) -> dict:
    run, _new = request_report(
        kind=ReportRun.Kind.MUNICIPALITY,
        period=Period.year(2025),
        areas=[rising],
        by=coordinator,
    )
    # A page of a PDF (the real one is built by the worker; reports/tests test it).
    page = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(page, "PDF")
    default_storage.save(run.pdf_name, ContentFile(page.getvalue()))
    run.mark_ready(pages=1, figures={})
    schedule = ReportSchedule.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        frequency=ReportSchedule.Frequency.YEARLY,
        owner=coordinator,
    )
    return {"run": run, "schedule": schedule}


def _admin_rows(users) -> dict:
    """A row for each model the admin lists that the world has none of yet."""
    when = timezone.now()
    attempt = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "x"}
    return {
        "group": Group.objects.create(name="Testgruppe"),
        "access_attempt": AccessAttempt.objects.create(
            **attempt, failures_since_start=1, get_data="", post_data=""
        ),
        "access_log": AccessLog.objects.create(**attempt, attempt_time=when),
        "access_failure_log": AccessFailureLog.objects.create(
            **attempt, attempt_time=when, locked_out=False
        ),
        "static_device": StaticDevice.objects.create(
            user=users["coordinator"], name="backup"
        ),
    }


# --- The URLs -------------------------------------------------------------------------


def named_patterns(resolver=None, namespace="") -> list[tuple[str, list[str]]]:
    """(name, keyword names) of every named URL pattern, namespaces included."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += named_patterns(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            keys = sorted(entry.pattern.regex.groupindex)
            found.append((f"{namespace}{entry.name}", keys))
    return found


# Which object a URL's `pk` is, by the URL name's prefix (first match wins).
PK_OBJECTS = [
    ("activities:record_import_job", "record_import_job"),
    ("activities:history_import_job", "history_import_job"),
    ("safety:signup_import_job", "signup_import_job"),
    ("organisation_import_job", "organisation_import_job"),
    ("activities:plan_detail", "plan"),
    ("activities:focus_area", "focus_area"),
    ("activities:record_", "record"),
    ("activities:event_", "event"),
    ("activities:", "activity"),
    ("safety:signup_", "signup"),
    ("safety:walk_", "walk"),
    ("safety:finding_create", "walk"),
    ("safety:finding_", "finding"),
    ("safety:report_", "resident_report"),
    ("safety:incident_", "incident"),
    ("safety:entry_", "incident"),
    ("safety:notification_", "incident"),
    ("safety:contact_", "contact"),
    ("safety:meeting_", "network_meeting"),
    ("safety:task_create", "network_meeting"),
    ("safety:task_", "task"),
    ("advice:", "case"),
    ("reports:run_", "run"),
    ("reports:schedule_", "schedule"),
    ("notification_", "portal_notification"),
    ("export_job", "export_job"),
    ("person_", "person"),
]
# The admin's object_id: the world's row of the model, where the world names one.
ADMIN_OBJECTS = {
    "boligsocial.area": "rising",
    "boligsocial.organisation": "police",
    "boligsocial.housingdepartment": "department",
    "boligsocial.user": "staff",
}


def url_for(world: World, name: str, keywords: list[str]) -> str:
    """The URL `name` with the world's objects in it (a pattern without keywords
    is reversed as it is)."""
    kwargs = {key: _value(world, name, key) for key in keywords}
    return reverse(name, kwargs=kwargs)


def _value(world: World, name: str, key: str):
    objects, users = world.objects, world.users
    fixed = {
        "year": TODAY.year,
        "fmt": "csv",
        "photo_pk": objects["photo"].pk,
        "meeting_pk": objects["case_meeting"].pk,
        "referral_pk": objects["referral"].pk,
        "drop_in_pk": objects["drop_in"].pk,
        "feed_token": objects["calendar_feed"].token,
        "notification_pk": objects["notification"].pk,
        "app_label": "boligsocial",
        "content_type_id": ContentType.objects.get_for_model(Area).pk,
        "id": users["staff"].pk,
        "secret": objects["withdrawal_secret"],
        "key": objects["resident_report"].status_key,
    }
    if key in fixed:
        return fixed[key]
    if key == "slug":
        # The figure tables have slugs of their own; every other slug is an area.
        tables = {"reports:dashboard_export": "key_figures"}
        tables["advice:advice_figures_export"] = "advice"
        return tables.get(name, "rising")
    if key == "pk":
        return next(
            objects[obj].pk for prefix, obj in PK_OBJECTS if name.startswith(prefix)
        )
    if key == "object_id":
        return _admin_object(world, name).pk
    if key == "uidb64":
        return urlsafe_base64_encode(force_bytes(users["staff"].pk))
    if key == "token" and name == "invitation_accept":
        return objects["invitation_token"]
    if key == "token":
        return default_token_generator.make_token(users["staff"])
    raise KeyError(f"{name}: the world has no value for {key!r}")


def _admin_object(world: World, name: str):
    """The row an admin page of `name` shows: the world's own where it names one,
    else the model's first (the world makes one of each)."""
    if name == "admin:view_on_site":
        return world.objects["rising"]
    models = {
        f"{model._meta.app_label}_{model._meta.model_name}": model
        for model in admin.site._registry
    }
    model = models[name.removeprefix("admin:").rsplit("_", 1)[0]]
    key = ADMIN_OBJECTS.get(model._meta.label_lower)
    if key:
        return world.users.get(key) or world.objects[key]
    row = model._default_manager.order_by("pk").first()
    if row is None:
        raise LookupError(f"{name}: the world has no {model._meta.label} yet")
    return row


# --- The people's browsers ------------------------------------------------------------


@dataclass
class Browser:
    """A role's test client and the cookies it had once logged in. Every request
    starts from those cookies (a logout or a message of one request reaches no
    other) and runs in a savepoint that is rolled back (a successful POST leaves
    nothing behind for the next role)."""

    client: TwoFactorClient
    cookies: dict[str, str]

    def ask(self, method: str, url: str, **extra):
        """The response to `method` on the URL over HTTPS; a POST sends an empty
        form, as a browser submitting nothing would."""
        if method == "POST":
            extra.setdefault("content_type", "application/x-www-form-urlencoded")
        self.client.cookies = SimpleCookie(self.cookies)
        cache.clear()  # the public form's rate limit counts in the cache
        with transaction.atomic():
            response = self.client.generic(method, url, secure=True, **extra)
            transaction.set_rollback(True)
        return response


def browsers(world: World, **client_options) -> dict[str, Browser]:
    """A browser per point of view, logged in (past the code where one is needed).
    A server error comes back as a 500 response, to be reported with the rest."""
    found = {}
    for role in ROLES:
        client = TwoFactorClient(raise_request_exception=False, **client_options)
        user = world.users[role]
        if user is not None:
            client.force_login(user)
            session = client.session
            session[LOGIN_AT_KEY] = timezone.now().timestamp()
            session.save()
        cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        found[role] = Browser(client, cookies)
    return found


def answer_of(response) -> int | str:
    """The status, or where a redirect leads (the matrix's symbols)."""
    if response.status_code not in (301, 302, 303):
        return response.status_code
    path = urlsplit(response["Location"]).path
    symbols = {
        reverse("login"): "login",
        reverse("two_factor_verify"): "2fa",
        reverse("two_factor_setup"): "2fa",
        reverse("admin:login"): "admin_login",
        reverse("admin:index"): "admin_index",
    }
    return symbols.get(path, 302)


# --- The matrix -----------------------------------------------------------------------

MATRIX = yaml.safe_load(Path(__file__).with_name("access_matrix.yaml").read_text())
URLS: dict[str, dict] = MATRIX["urls"]
# The pages of logging in and out, whose redirect to the login page or the code
# prompt is the page doing its job for someone signed in.
ACCOUNT_PAGES = {*MATRIX["public"], "two_factor_setup", "two_factor_verify"}
ACCOUNT_PAGES.add("admin:logout")


def expected(name: str, method: str, role: str) -> int | str | list:
    """The matrix's answer for one cell: the role's own, else the row's default."""
    row = URLS[name][method]
    return row[role] if role in row else row["default"]


def matches(got: int | str, want: int | str | list) -> bool:
    """Whether an answer is the matrix's (one of them, where it lists several)."""
    wanted = want if isinstance(want, list) else [want]
    return str(got) in {str(answer) for answer in wanted}


def is_allowed(answer: int | str | list, name: str, role: str) -> bool:
    """Through the door: a page, a form's errors (200/400) or a redirect onwards.
    A refusal: 401-405, or a redirect to log in; the admin's logout sends someone
    outside the admin to its index (and on to its login), where its login lets a
    keeper in."""
    if isinstance(answer, list):
        return all(is_allowed(each, name, role) for each in answer)
    if answer in ("login", "2fa", "admin_login"):
        return name in ACCOUNT_PAGES and (
            role != "anonymous" or name in MATRIX["public"]
        )
    if answer == "admin_index":
        return name == "admin:login"
    return int(answer) < 401


def print_past_capture(config, line: str) -> None:
    """Print to the terminal from a fixture's teardown or a test, past the capture."""
    reporter = config.pluginmanager.getplugin("terminalreporter")
    capture = config.pluginmanager.getplugin("capturemanager")
    if reporter and capture:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{line}")


# --- The world, once per test module --------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    """The world, a browser per role and every URL with the world's keys in it;
    all of it rolled back when the module is done. Today is TODAY throughout."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        time_machine.travel(timezone.make_aware(NOW), tick=False),
        transaction.atomic(),
    ):
        built = build_world()
        built.browsers = browsers(built)
        built.urls = {
            name: url_for(built, name, keys) for name, keys in named_patterns()
        }
        yield built
        transaction.set_rollback(True)
