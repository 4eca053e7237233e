"""No personal data and no secret reaches the application log (checklist item 32).

A handler at DEBUG on the root logger keeps every record while the portal's
representative flows run through the test client: logins (a wrong password, the
right one, a wrong and a right code, a lockout, a logout), a resident's public
Nabohjælp sign-up, an advice case with its debt and notes (and then every request
of the audit table, advice/tests/test_audit.py), a refused request, an incident, a
report request and a password reset. Every record (its line as the console writes
it, its arguments, its traceback, whatever was added to it) is then searched for
every canary: the residents' names, phone numbers in several writings, addresses,
a CPR-like number, the amounts; and the passwords, codes, authenticator key, session
ids, CSRF tokens and reset token used. Zero hits.

SQL is not in the search: it is logged, with its parameters, only at DEBUG on
django.db.backends, which our settings never allow (asserted here too).

The figure goes to audit.txt in the artefacts folder.
"""

import datetime
import logging
import re
import uuid

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from advice.models import Case
from advice.tests import test_audit as audit
from boligsocial.logging import LineFormatter
from boligsocial.models import Area, Role
from conftest import PASSWORD, TEST_TOTP_KEY, authenticator_code, make_user
from safety.models import Incident

WRONG_PASSWORD = "kanariefugl-forkert-kode-8842"
NEW_PASSWORD = "kanariefugl ny adgangssætning 5561"
RESIDENT = {
    "name": "Valdemar Østerbye-Quist",
    "street": "Vestergade",
    "number": "119",
    "floor_door": "5. mf",
    "phone": "+45 42 51 60 79",
    "email": "valdemar.quist@example.net",
}
CASE_HOUSEHOLD = {
    "name": "Henrietta Lykkegaard-Moos",
    "street": "Østergade",
    "number": "63",
    "floor_door": "8. th",
    "phone": "61 72 83 94",
}
CASE_NOTE = "Henrietta skylder Inkasso Nordstjernen; CPR 010190-1234 på brevet"
DEBT = "57319.86"
INCIDENT_DESCRIPTION = "Naboen Gunnhild Ravnkilde så røgen fra opgang 63"
PII = [
    *audit.CONTENT,
    "Valdemar",
    "Østerbye",
    "Quist",
    "5. mf",
    "valdemar.quist",
    "Henrietta",
    "Lykkegaard",
    "8. th",
    "Nordstjernen",
    "Gunnhild",
    "Ravnkilde",
    "010190-1234",
    "0101901234",
]
# Found also when written with spaces, dots, dashes or commas in between.
PII_DIGITS = ["42516079", "61728394", "28173645", "5731986", "4821357", "3187725"]

STANDARD = {*vars(logging.makeLogRecord({})), "message", "asctime"}


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured():
    """Every record of the test, at DEBUG and up, from every logger that lets it
    through with our settings."""
    root, handler = logging.getLogger(), Capture()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class Secrets:
    """What the flows used that must never be logged."""

    def __init__(self):
        self.values = {PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, TEST_TOTP_KEY}
        self.codes: set[str] = set()

    def cookies(self, client) -> None:
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            if name in client.cookies and client.cookies[name].value:
                self.values.add(client.cookies[name].value)


def texts(record: logging.LogRecord) -> list[str]:
    formatter = LineFormatter(settings.LOGGING["formatters"]["line"]["fmt"])
    extras = {k: v for k, v in vars(record).items() if k not in STANDARD}
    return [
        formatter.format(record),
        record.getMessage(),
        repr(record.args),
        record.exc_text or "",
        record.stack_info or "",
        repr(extras),
    ]


def hits(records, needles: set[str], codes: set[str] = frozenset()) -> list[str]:
    found = []
    for record in records:
        for text in texts(record):
            compact = re.sub(r"[\s.,\-]", "", text)
            found += [n for n in needles if n.casefold() in text.casefold()]
            found += [d for d in PII_DIGITS if d in compact]
            found += [c for c in codes if re.search(rf"(?<!\d){c}(?!\d)", text)]
    return found


def a_wrong_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    near = set()
    for offset in range(-3, 4):
        totp.time = timezone.now().timestamp() + offset * device.step
        near.add(f"{totp.token():06d}")
    return next(code for code in ("135790", "246801", "975312") if code not in near)


# --- The flows -------------------------------------------------------------------


def log_in_and_out(advisor, staff, secrets: Secrets) -> None:
    """Through the real forms: a wrong password, the right one, a wrong code and
    (once django-otp's throttle has passed) the right one, a logout; and another
    person locked out."""
    device = TOTPDevice.objects.create(
        user=advisor, name="default", key=TEST_TOTP_KEY, confirmed=True
    )
    browser, login = Client(), reverse("login")
    browser.get(login)
    secrets.cookies(browser)
    browser.post(login, {"username": "advisor", "password": WRONG_PASSWORD})
    browser.post(login, {"username": "advisor", "password": PASSWORD})
    secrets.cookies(browser)
    wrong, right = a_wrong_code(device), authenticator_code(device)
    secrets.codes |= {wrong, right}
    browser.post(reverse("two_factor_verify"), {"code": wrong})
    later = timezone.now() + datetime.timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        browser.post(reverse("two_factor_verify"), {"code": right})
    secrets.cookies(browser)
    assert browser.get(reverse("home")).status_code == 200
    browser.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        Client().post(login, {"username": staff.username, "password": WRONG_PASSWORD})


def sign_up_for_nabohjaelp(departments) -> None:
    departments[1].streets = "Vestergade"
    departments[1].save(update_fields=["streets"])
    response = Client().post(
        reverse("nabohjaelp:signup", args=["rising"]),
        {
            **RESIDENT,
            "department": "",
            "consent": "on",
            "submission": str(uuid.uuid4()),
            "website": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def open_an_advice_case(client, advisor, departments) -> None:
    """A case with a debt, notes and a CPR number typed by mistake (and kept, as
    the advisor may confirm it is not one)."""
    client.force_login(advisor)
    response = client.post(
        reverse("advice:case_create"),
        {
            **CASE_HOUSEHOLD,
            "department": departments[0].pk,
            "composition": "single",
            "opened_on": timezone.localdate().isoformat(),
            "source": Case.Source.SELF,
            "issue_rent_arrears": "on",
            "eviction_risk": Case.EvictionRisk.NONE,
            "arrears_at_start": DEBT,
            "arrears_now": DEBT,
            "note": CASE_NOTE,
            "confirm_cpr": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(household__name=CASE_HOUSEHOLD["name"])
    # Someone not on the case: refused, and the refusal is logged by Django.
    client.force_login(
        make_user("advisor3", Role.ADVISOR, organisation="BoligSocialt Hus")
    )
    assert client.get(case.get_absolute_url()).status_code == 403


def walk_the_audit_table(client, people: dict, departments, secrets) -> tuple:
    """Every request of the audit table, each on a fresh world (rolled back after
    it); the case requests that wrote exactly their entries, of all of them."""
    right, wrote_nothing_wrongly = 0, True
    for visit in audit.VISITS:
        with transaction.atomic():
            world = audit.build_world(people, departments)
            response, written = audit.make_visit(client, world, visit)
            secrets.cookies(client)
            ok = audit.wrote_as_expected(world, visit, response, written)
            transaction.set_rollback(True)
        if visit.writes:
            right += ok
        else:
            wrote_nothing_wrongly &= ok
    assert wrote_nothing_wrongly
    return right, len(audit.CASE_VISITS)


def open_an_incident(client, staff) -> None:
    client.force_login(staff)
    occurred = timezone.localtime() - datetime.timedelta(hours=1)
    response = client.post(
        reverse("safety:incident_create"),
        {
            "title": "Brand i kælder",
            "kind": Incident.Kind.FIRE,
            "area": Area.objects.get(slug="rising").pk,
            "place": "Opgang 63, Østergade",
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "severity": Incident.Severity.SERIOUS,
            "reported_by": Incident.ReportedBy.RESIDENT,
            "description": INCIDENT_DESCRIPTION,
            "submission": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def request_a_report(client, coordinator) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("reports:run_list"),
        {"kind": "municipality", "period": "year", "year": "2025"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def reset_a_password(staff, mailoutbox, secrets: Secrets) -> None:
    browser = Client()
    browser.post(reverse("password_reset"), {"email": staff.email})
    link = re.search(
        r"http://testserver(/account/password/reset/(\S+)/(\S+)/)", mailoutbox[-1].body
    )
    secrets.values.add(link.group(3))  # the token
    form_page = browser.get(link.group(1), follow=True)
    secrets.cookies(browser)
    done = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302


# --- The search ------------------------------------------------------------------


def test_no_personal_data_or_secret_reaches_the_log(
    client,
    captured,
    advisor,
    staff,
    coordinator,
    housing_org,
    departments,
    mailoutbox,
    artefacts,
):
    assert not logging.getLogger("django.db.backends").isEnabledFor(logging.DEBUG)
    secrets = Secrets()
    people = audit.world_people(
        advisor=advisor, staff=staff, coordinator=coordinator, housing_org=housing_org
    )

    log_in_and_out(advisor, staff, secrets)
    sign_up_for_nabohjaelp(departments)
    open_an_advice_case(client, advisor, departments)
    right, case_visits = walk_the_audit_table(client, people, departments, secrets)
    open_an_incident(client, staff)
    request_a_report(client, coordinator)
    reset_a_password(staff, mailoutbox, secrets)

    pii = hits(captured, set(PII))
    leaked = hits(captured, secrets.values, secrets.codes)
    figure = (
        f"audit rows written for {right} of {case_visits} case views/edits/exports; "
        f"PII canaries in logs: {len(pii)}; secrets in logs: {len(leaked)}"
    )
    (artefacts / "audit.txt").write_text(figure + "\n")
    print(figure)

    # The flows were logged: each authentication event, the lockout, the refusal.
    logged = {
        (r.name, getattr(r, "event", ""), getattr(r, "outcome", "")) for r in captured
    }
    for event in [
        ("boligsocial.auth", "login", "failure"),
        ("boligsocial.auth", "login", "success"),
        ("boligsocial.auth", "code", "failure"),
        ("boligsocial.auth", "code", "success"),
        ("boligsocial.auth", "lockout", "locked"),
        ("boligsocial.auth", "logout", "success"),
        ("django.request", "", ""),
    ]:
        assert event in logged, event
    assert right == case_visits
    assert pii == []
    assert leaked == []
