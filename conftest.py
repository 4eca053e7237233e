"""Personas and small deterministic factories shared by every app's tests."""

import datetime
import os
import time
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from boligsocial.models import Area, HousingDepartment, Organisation, Role, User

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "a-long-test-passphrase-2026"  # noqa: S105
# RFC 6238's test key: the authenticator app of the tests' advisors and coordinators.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


class TwoFactorClient(Client):
    """Django's test client, whose force_login also gets past the second factor.

    The two-factor twin of force_login: for a person who needs two factors
    (advisors, coordinators) it gives them a confirmed authenticator app, once, and
    marks the session verified exactly as django_otp.login does, so tests of every
    other page start past the code prompt, where a real login ends. Tests of the
    prompt itself log in through the login form instead.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.needs_two_factor:
            device, _ = TOTPDevice.objects.get_or_create(
                user=user,
                confirmed=True,
                defaults={"name": "default", "key": TEST_TOTP_KEY},
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> TwoFactorClient:
    """pytest-django's client, with the two-factor force_login."""
    return TwoFactorClient()


def authenticator_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now; or, when that one was
    used already (a code works once), the next one, as if they waited for it."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    # The first time step the device still accepts (its t() counts in the drift).
    unused = device.t0 + (device.last_t + 1 - device.drift) * device.step
    totp.time = max(time.time(), unused)
    return f"{totp.token():0{device.digits}d}"


def a_wrong_code(device: TOTPDevice) -> str:
    """Six digits the device accepts at no time step near now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    near = set()
    for offset in range(-3, 4):
        totp.time = time.time() + offset * device.step
        near.add(f"{totp.token():06d}")
    return next(code for code in ("000000", "111111", "222222") if code not in near)


def pytest_configure(config) -> None:
    """Under pytest-xdist each process keeps its cache in a Redis database of its
    own (gw0 in 2, gw1 in 3 …): tests clear the cache (the rate-limit counts), and
    one process clearing another's counts in the middle of its test would make that
    test pass or fail by chance. bin/test's broker is database 0, the cache 1."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    cache = settings.CACHES["default"]
    if worker.startswith("gw") and str(cache.get("LOCATION", "")).startswith("redis"):
        server = cache["LOCATION"].rpartition("/")[0]
        cache["LOCATION"] = f"{server}/{2 + int(worker.removeprefix('gw'))}"


def summer_time_switches(year: int) -> tuple[datetime.date, datetime.date]:
    """The days the portal's clocks go forward (an hour skipped) and back (an hour
    repeated) in the year, read from the time zone itself, not from a calendar."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    day, found = datetime.date(year, 1, 1), {}
    while day.year == year:
        morning = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
        evening = datetime.datetime.combine(day, datetime.time(23), tzinfo=zone)
        if morning.utcoffset() != evening.utcoffset():
            found[evening.utcoffset() > morning.utcoffset()] = day
        day += datetime.timedelta(days=1)
    return found[True], found[False]


def make_user(username: str, role: str, *, organisation: str, areas=()) -> User:
    org = Organisation.objects.get(name=organisation)
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=username.title(),
        role=role,
        organisation=org,
    )
    user.areas.set(Area.objects.filter(slug__in=areas))
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests hash passwords cheaply; the hasher itself is Django's, not ours."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def housing_org(db) -> Organisation:
    return Organisation.objects.create(
        name="Testboligselskabet", kind=Organisation.Kind.HOUSING, is_demo=True
    )


@pytest.fixture
def departments(housing_org) -> list[HousingDepartment]:
    """Rising: 2 departments, 500 households; Vollsmose: 1 department, 900."""
    rows = [
        ("rising", "11", "Rising Øst", 300),
        ("rising", "12", "Rising Vest", 200),
        ("vollsmose", "21", "Vollsmose Nord", 900),
    ]
    return [
        HousingDepartment.objects.create(
            organisation=housing_org,
            area=Area.objects.get(slug=slug),
            number=number,
            name=name,
            households=households,
        )
        for slug, number, name, households in rows
    ]


@pytest.fixture
def staff(db) -> User:
    return make_user(
        "staff", Role.STAFF, organisation="BoligSocialt Hus", areas=["rising"]
    )


@pytest.fixture
def advisor(db) -> User:
    return make_user(
        "advisor", Role.ADVISOR, organisation="BoligSocialt Hus", areas=["rising"]
    )


@pytest.fixture
def safety_advisor(db) -> User:
    return make_user(
        "tryghed",
        Role.SAFETY_ADVISOR,
        organisation="BoligSocialt Hus",
        areas=["korslokkeparken", "rising"],
    )


@pytest.fixture
def coordinator(db) -> User:
    return make_user("coordinator", Role.COORDINATOR, organisation="BoligSocialt Hus")


@pytest.fixture
def partner(db) -> User:
    """A partner from Fyns Politi granted Rising only."""
    return make_user(
        "partner", Role.PARTNER, organisation="Fyns Politi", areas=["rising"]
    )


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def personas(staff, advisor, safety_advisor, coordinator, partner, admin_user) -> dict:
    return {
        Role.STAFF: staff,
        Role.ADVISOR: advisor,
        Role.SAFETY_ADVISOR: safety_advisor,
        Role.COORDINATOR: coordinator,
        Role.PARTNER: partner,
        Role.ADMIN: admin_user,
    }


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker) -> str:
    """`manage.py demo_data` run once for a module's tests that only look at what
    it made (returns what it printed): in a transaction rolled back at the module's
    end, each test in a savepoint of it (pytest-django's `db`). Tests of running
    it twice, or of its refusals, run it themselves."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("demo_data", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def artefacts() -> Path:
    """A folder the test run keeps, passed or failed (bin/test names it:
    var/test-artefacts), for pictures of PDF pages and the fault tests' figures."""
    default = Path(__file__).resolve().parent / "var" / "test-artefacts"
    folder = Path(os.environ.get("PORTAL_TEST_ARTEFACTS", default))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
