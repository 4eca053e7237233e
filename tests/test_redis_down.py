"""With Redis stopped (broker and cache alike), the rest of the portal works
(checklist items 49 and 50): people log in with their code, open a case, sign up
for Nabohjælp on the public page (its rate limit counts in memory meanwhile),
read the dashboard, log an activity, open an incident (its notification waits)
and ask for a report (it waits, queued). Every page answers, without an error
and within PAGE_SECONDS. When Redis is back, what waited is done: the report is
built and the partner is told.

The figures go to redis-down.txt in the artefacts folder."""

import datetime
import math
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.models import Activity, ActivityRecord
from advice.models import Case, Household
from boligsocial.models import Area, HousingDepartment, Organisation
from conftest import PASSWORD, TEST_TOTP_KEY, TwoFactorClient, authenticator_code
from reports.models import ReportRun
from reports.services import sweep_report_runs
from safety.beredskab.tasks import send_due_notifications
from safety.models import Contact, Incident, IncidentNotification, SignUp
from tests.worker import TIMEOUT, YEAR, finished, is_built

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What a person may wait for a page while Redis is away.
PAGE_SECONDS = 2.0


class Timed:
    """Every request of the test, with its status and how long it took."""

    def __init__(self):
        self.pages: list[tuple[str, int, float]] = []

    def __call__(self, client, method: str, url: str, data=None):
        started = time.monotonic()
        response = getattr(client, method)(url, data or {})
        self.pages.append((url, response.status_code, time.monotonic() - started))
        return response

    @property
    def errors(self) -> list:
        return [page for page in self.pages if page[1] >= 500]

    @property
    def p95(self) -> float:
        seconds = sorted(page[2] for page in self.pages)
        return seconds[max(math.ceil(0.95 * len(seconds)) - 1, 0)]


@pytest.fixture
def world(advisor, staff, coordinator):
    """A case the advisor works on, a department with its street for the public
    page, and a police contact with an e-mail, so an incident can tell them."""
    org = Organisation.objects.create(
        name="Boligselskabet Fejl", kind=Organisation.Kind.HOUSING, is_demo=True
    )
    home = HousingDepartment.objects.create(
        organisation=org,
        area=Area.objects.get(slug="rising"),
        number="11",
        name="Rising Øst",
        households=300,
        streets="Rising Allé",
    )
    household = Household.objects.create(
        department=home, name="Fatima Hansen", street="Rising Allé", number="7"
    )
    case = Case.objects.create(
        household=household,
        opened_on=timezone.localdate() - datetime.timedelta(days=10),
        source=Case.Source.REMINDER_LETTER,
        arrears_at_start=Decimal("0"),
        arrears_now=Decimal("0"),
    )
    case.advisors.add(advisor)
    police = Organisation.objects.get(name="Fyns Politi")
    Contact.objects.create(
        organisation=police,
        name="Mette Betjent",
        role="Vagthavende",
        phone="+4566141448",
        email="vagt@politi.example",
        rank=1,
    )
    return {"case": case, "police": police}


def log_in_with_code(timed, user):
    """The real login form, then the code from the person's authenticator app."""
    device = TOTPDevice.objects.create(
        user=user, name="default", key=TEST_TOTP_KEY, confirmed=True
    )
    client = TwoFactorClient()
    login = timed(
        client,
        "post",
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
    )
    assert login.status_code == 302
    # The first page after the password asks for the code.
    prompt = timed(client, "get", login.url)
    assert prompt.url.startswith(reverse("two_factor_verify"))
    verified = timed(client, "post", prompt.url, {"code": authenticator_code(device)})
    assert verified.status_code == 302
    assert reverse("two_factor_verify") not in verified.url
    return client


def signed_in(user) -> TwoFactorClient:
    client = TwoFactorClient()
    client.force_login(user)
    return client


def test_with_redis_stopped_every_page_answers_and_what_waited_is_done_after(
    stopped_redis, world, staff, advisor, coordinator, settings, artefacts
):
    timed = Timed()

    # An advisor logs in with password and code, and opens her case.
    adviser = log_in_with_code(timed, advisor)
    case_page = timed(adviser, "get", world["case"].get_absolute_url())
    assert case_page.status_code == 200

    # A resident signs up on the public page; the rate limit cannot reach Redis.
    public = TwoFactorClient()
    page = reverse("nabohjaelp:signup", args=["rising"])
    form = timed(public, "get", page)
    token = form.context["form"]["submission"].value()
    signed_up = timed(
        public,
        "post",
        page,
        {
            "name": "Hassan Demir",
            "street": "Rising Allé",
            "number": "7",
            "phone": "20 12 34 56",
            "consent": "on",
            "submission": token,
        },
    )
    assert signed_up.url == reverse("nabohjaelp:thanks", args=["rising"])
    assert SignUp.objects.filter(name="Hassan Demir").exists()

    # Staff read the dashboard, log an activity and open an incident.
    colleague = signed_in(staff)
    assert timed(colleague, "get", reverse("reports:dashboard")).status_code == 200
    activity = Activity.objects.open().filter(areas__slug="rising").first()
    logged = timed(
        colleague,
        "post",
        reverse("activities:record_create"),
        {
            "activity": activity.pk,
            "date": timezone.localdate().isoformat(),
            "area": Area.objects.get(slug="rising").pk,
            "participants": 6,
        },
    )
    assert logged.status_code == 302
    assert ActivityRecord.objects.filter(activity=activity).count() == 1
    opened = timed(
        colleague,
        "post",
        reverse("safety:incident_create"),
        {
            "title": "Brand i kælder",
            "kind": Incident.Kind.FIRE,
            "severity": Incident.Severity.SERIOUS,
            "area": Area.objects.get(slug="rising").pk,
            "place": "Opgang 12",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "reported_by": Incident.ReportedBy.RESIDENT,
            "description": "Røg i kælderen.",
            "organisations": [world["police"].pk],
            # The world's police have no partner in the portal: told all the same.
            "route_anyway": "on",
        },
    )
    assert opened.status_code == 302
    notification = IncidentNotification.objects.get()
    assert notification.status == IncidentNotification.Status.PENDING

    # A coordinator asks for a report: kept, queued.
    lead = signed_in(coordinator)
    assert timed(lead, "get", reverse("reports:run_list")).status_code == 200
    asked = timed(
        lead,
        "post",
        reverse("reports:run_list"),
        {"kind": ReportRun.Kind.MUNICIPALITY, "period": "year", "year": YEAR},
    )
    run = ReportRun.objects.get()
    assert asked.url == run.get_absolute_url()
    assert run.status == ReportRun.Status.QUEUED
    assert timed(lead, "get", run.get_absolute_url()).status_code == 200

    assert timed.errors == []
    slow = [
        (url, seconds)
        for url, _status, seconds in timed.pages
        if seconds > PAGE_SECONDS
    ]
    assert slow == []

    # Redis is back: beat's sweepers queue what waited (the next round of the
    # notification sweeper comes after its grace period: it is made due now).
    stopped_redis()
    settings.REPORT_REQUEUE_AFTER = 0
    IncidentNotification.objects.update(next_attempt_at=timezone.now())
    assert sweep_report_runs() == 1
    assert send_due_notifications() == 1

    assert finished(run).status == ReportRun.Status.READY
    assert is_built(run)
    deadline = time.monotonic() + TIMEOUT
    while notification.status == IncidentNotification.Status.PENDING:
        assert time.monotonic() < deadline, "the partner was never told"
        time.sleep(0.1)
        notification.refresh_from_db()
    assert notification.status == IncidentNotification.Status.SENT

    runs = ReportRun.objects.count()
    built = sum(is_built(r) for r in ReportRun.objects.all())
    figures = (
        f"Redis down: {len(timed.pages)} pages, {len(timed.errors)} errors, "
        f"p95 {timed.p95:.2f} s (slowest {max(s for *_, s in timed.pages):.2f} s); "
        f"report requests {runs} submitted, {runs} persisted, {runs - built} lost; "
        f"incident notifications 1 waiting, 1 sent; all completed after recovery"
    )
    (artefacts / "redis-down.txt").write_text(figures + "\n")
    print(figures)
