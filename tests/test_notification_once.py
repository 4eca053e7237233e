"""An incident's partners get its mail exactly once, on every broker: under the
development default (SQLite and the file-system broker, the worker as bin/dev
starts it) and on PostgreSQL and Redis with the real worker; also when the sweeper
runs, when a try is queued twice, and when the database refuses to record a mail
that went out (that try is never sent again; a person decides)."""

import datetime
import email
import email.message
import email.policy
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from boligsocial.models import Area, Organisation
from safety.beredskab import services, tasks
from safety.models import Contact, Incident, IncidentNotification

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
TIMEOUT = 30
Status = IncidentNotification.Status
# Past every wait the sweeper keeps: the first try's grace, and the time after
# which a try that never ended is given up as lost.
LATER = IncidentNotification.TRY_LOST_AFTER + datetime.timedelta(minutes=1)


def mails_in(folder: Path) -> list[email.message.EmailMessage]:
    """Every mail Django's file backend wrote to the folder: one file per
    connection, which may hold several mails, each ended by 79 dashes."""
    return [
        email.message_from_bytes(chunk.strip(), policy=email.policy.default)
        for path in sorted(folder.glob("*.log"))
        for chunk in path.read_bytes().split(b"-" * 79)
        if chunk.strip()
    ]


def mails_to(folder: Path, *addresses: str, about: str = "") -> Counter:
    """How many mails each of the addresses got (that mention `about`)."""
    got = Counter(
        mail["To"] for mail in mails_in(folder) if about in mail.get_content()
    )
    return Counter({address: got[address] for address in addresses})


# --- The development default: SQLite, file-system broker, bin/dev's worker -----------

# Run by `manage.py shell` in the scratch portal: two organisations, each with a
# contact for Rising, told of one incident; their tries are queued on commit.
OPEN_INCIDENT = """
from django.utils import timezone
from boligsocial.models import Area, Organisation, Role, User
from safety.beredskab import services
from safety.models import Contact, Incident

rising = Area.objects.get(slug="rising")
told = []
for name, address in [
    ("Fyns Politi", "dev-politi@example.org"),
    ("SSP Odense", "dev-ssp@example.org"),
]:
    organisation = Organisation.objects.get(name=name)
    Contact.objects.create(
        organisation=organisation, area=rising, name=name, role="Vagt", email=address
    )
    told.append(organisation)
services.open_incident(
    incident=Incident(
        title="Brand i kælder (dev)",
        kind=Incident.Kind.FIRE,
        area=rising,
        place="Opgang 12",
        occurred_at=timezone.now(),
        severity=Incident.Severity.SERIOUS,
        reported_by=Incident.ReportedBy.RESIDENT,
        description="Røg i kælderen.",
    ),
    organisations=told,
    by=User.objects.create_user(
        username="tryghed",
        role=Role.SAFETY_ADVISOR,
        organisation=Organisation.objects.get(name="BoligSocialt Hus"),
    ),
)
"""

# The sweeper's rounds of the next minutes (beat runs it every minute), at once:
# the clock moved past every wait it keeps. Prints how many tries it queued.
SWEEP = f"""
import datetime
import time_machine
from django.utils import timezone
from safety.beredskab.tasks import send_due_notifications

later = timezone.now() + datetime.timedelta(seconds={LATER.total_seconds()})
with time_machine.travel(later):
    print(send_due_notifications())
"""

TRY_ENDED = re.compile(
    r"Task safety\.tasks\.send_incident_notification\[[^]]+\] (succeeded|raised)"
)


def development_env(var_dir: Path) -> dict:
    """Nothing configured, as on a developer's machine (bin/dev), but in a scratch
    folder; mails to files there instead of the terminal."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DATABASE_", "CELERY_", "DJANGO_", "PORTAL_", "EMAIL_", "CACHE_")
        )
    }
    env.update(
        PORTAL_ENVIRONMENT="development",
        PORTAL_VAR_DIR=str(var_dir),
        EMAIL_URL=f"filemail:///{var_dir / 'mail'}",
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def wait_for_tries(log: Path, count: int) -> list[str]:
    """The worker's log lines of the tries that ended, once there are `count`."""
    deadline = time.monotonic() + TIMEOUT
    while len(ended := TRY_ENDED.findall(log.read_text())) < count:
        assert time.monotonic() < deadline, (
            f"{count} tries not ended:\n{log.read_text()}"
        )
        time.sleep(0.2)
    return ended


def test_the_development_default_mails_each_organisation_told_once(tmp_path):
    env = development_env(tmp_path)
    manage(env, "migrate", "-v0")
    # Both first tries are queued before the worker starts, so that its two
    # processes take them at the same moment.
    manage(env, "shell", "-c", OPEN_INCIDENT)
    log = tmp_path / "worker.log"
    # Exactly as bin/dev starts it: two processes take tasks side by side, and
    # beat runs inside the worker.
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                *(str(CELERY), "-A", "boligsocial", "worker", "-B", "-l", "INFO"),
                *("--concurrency", "2"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # Both first tries have ended, however they ended...
        wait_for_tries(log, 2)
        # ...and the sweeper's next rounds: it queues again what it finds waiting.
        swept = int(manage(env, "shell", "-c", SWEEP).split()[-1])
        ended = wait_for_tries(log, 2 + swept)
    finally:
        worker.send_signal(signal.SIGTERM)  # Celery's warm shutdown
        worker.wait(timeout=30)

    mails = mails_to(tmp_path / "mail", "dev-politi@example.org", "dev-ssp@example.org")
    assert mails == {"dev-politi@example.org": 1, "dev-ssp@example.org": 1}, mails
    with sqlite3.connect(tmp_path / "portal.sqlite3") as db:
        told = db.execute(
            "select status, attempts from safety_incidentnotification"
        ).fetchall()
    assert told == [(Status.SENT, 1), (Status.SENT, 1)]
    # Each first try went through, nothing was left for the sweeper to send.
    worker_log = log.read_text()
    assert "filesystem://" in worker_log
    assert (swept, ended) == (0, ["succeeded", "succeeded"]), worker_log


# --- PostgreSQL and Redis, with the real worker bin/test starts -----------------------


def open_incident(*names: str, by) -> Incident:
    """An incident in Rising told to the organisations, each with a contact for
    Rising whose address names it; committed, so its tries are queued."""
    rising = Area.objects.get(slug="rising")
    told = [Organisation.objects.get(name=name) for name in names]
    for organisation in told:
        Contact.objects.create(
            organisation=organisation,
            area=rising,
            name=organisation.name,
            role="Vagt",
            email=address_of(organisation),
        )
    return services.open_incident(
        incident=Incident(
            title="Brand i kælder (once)",
            kind=Incident.Kind.FIRE,
            area=rising,
            place="Opgang 12",
            occurred_at=timezone.now(),
            severity=Incident.Severity.SERIOUS,
            reported_by=Incident.ReportedBy.RESIDENT,
            description="Røg i kælderen.",
        ),
        organisations=told,
        by=by,
    )


def address_of(organisation: Organisation) -> str:
    return f"once-{organisation.pk}@example.org"


def worker_mails_to(incident: Incident) -> Counter:
    """How many of the worker's mails about the incident (its page's address is
    unique) each organisation told of it got."""
    folder = Path(os.environ["PORTAL_TEST_WORKER_MAIL_DIR"])
    told = incident.notifications.select_related("organisation")
    page = settings.PORTAL_URL.rstrip("/") + incident.get_absolute_url()
    return mails_to(folder, *(address_of(n.organisation) for n in told), about=page)


def try_again(notification: IncidentNotification):
    """The notification's try queued once more, with a result to wait for (the
    task itself keeps none)."""
    return tasks.send_incident_notification.apply_async(
        (notification.pk,), ignore_result=False
    )


def wait_until_sent(incident: Incident, *names: str) -> None:
    told = incident.notifications.filter(organisation__name__in=names)
    deadline = time.monotonic() + TIMEOUT
    while told.exclude(status=Status.SENT).exists():
        assert time.monotonic() < deadline, list(told.values("status", "last_error"))
        time.sleep(0.2)


def wait_until_idle(app) -> None:
    """Until the worker is running no task and holds none waiting."""
    inspect = app.control.inspect(timeout=1.0)
    deadline = time.monotonic() + TIMEOUT
    while True:
        busy = [inspect.active(), inspect.reserved()]
        if all(replies and not any(replies.values()) for replies in busy):
            return
        assert time.monotonic() < deadline, f"the worker is still busy: {busy}"
        time.sleep(0.2)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_and_redis_each_organisation_told_gets_one_mail(
    celery_worker, safety_advisor
):
    incident = open_incident("Fyns Politi", "SSP Odense", by=safety_advisor)
    # Each try queued twice: the copy races the first for the same notification.
    copies = [try_again(n) for n in incident.notifications.all()]
    assert {copy.get(timeout=TIMEOUT) for copy in copies} <= {"sent", "skipped"}
    wait_until_sent(incident, "Fyns Politi", "SSP Odense")

    # The sweeper's next rounds find nothing to send, and a late copy skips.
    with time_machine.travel(timezone.now() + LATER):
        assert tasks.send_due_notifications() == 0
    for notification in incident.notifications.all():
        assert try_again(notification).get(timeout=TIMEOUT) == "skipped"

    assert set(worker_mails_to(incident).values()) == {1}
    assert list(incident.notifications.values_list("status", "attempts")) == [
        (Status.SENT, 1),
        (Status.SENT, 1),
    ]


@pytest.fixture
def refused_when_sent():
    """PostgreSQL refuses to record a mail to the organisation as sent, as if the
    database went away just after the mail went out; for the test only."""
    table = IncidentNotification._meta.db_table

    def refuse(organisation: Organisation) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"""
                CREATE FUNCTION refuse_sent() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.status = 'sent' AND NEW.organisation_id = {organisation.pk}
                    THEN RAISE EXCEPTION 'the database went away (test)';
                    END IF;
                    RETURN NEW;
                END $$
            """)
            cursor.execute(
                f"CREATE TRIGGER refuse_sent BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_sent()"
            )

    yield refuse
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS refuse_sent ON {table}")
        cursor.execute("DROP FUNCTION IF EXISTS refuse_sent()")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_that_went_out_but_could_not_be_recorded_is_never_sent_again(
    celery_worker, safety_advisor, refused_when_sent
):
    refused_when_sent(Organisation.objects.get(name="Fyns Politi"))
    incident = open_incident("Fyns Politi", "SSP Odense", by=safety_advisor)
    police = incident.notifications.get(organisation__name="Fyns Politi")
    # Both mails went out, and the worker is done with both tries.
    wait_until_sent(incident, "SSP Odense")
    deadline = time.monotonic() + TIMEOUT
    while sum(worker_mails_to(incident).values()) < 2:
        assert time.monotonic() < deadline, worker_mails_to(incident)
        time.sleep(0.2)
    wait_until_idle(celery_worker)

    # Neither the sweeper's next rounds nor a copy of the try send it again; once
    # the try is clearly lost it fails, for a person to check with the police.
    with time_machine.travel(timezone.now() + LATER):
        assert tasks.send_due_notifications() == 0
    assert try_again(police).get(timeout=TIMEOUT) == "skipped"

    assert set(worker_mails_to(incident).values()) == {1}
    police.refresh_from_db()
    assert (police.status, police.attempts, police.sent_at) == (Status.FAILED, 1, None)
    assert police.last_error == (
        "Forsøget blev afbrudt, og det er uvist, om e-mailen blev sendt. "
        "Spørg organisationen, før I prøver igen."
    )


# --- The claim, without a worker ------------------------------------------------------


@pytest.fixture
def told(db, staff) -> IncidentNotification:
    """Fyns Politi told of an incident; its try not queued (nothing commits)."""
    return open_incident("Fyns Politi", by=staff).notifications.get()


def test_a_notification_claimed_by_one_try_is_not_sent_by_another(told, mailoutbox):
    assert told.claim()

    assert tasks.send_incident_notification(told.pk) == "skipped"
    assert not told.claim()
    assert mailoutbox == []


def test_a_lost_try_is_given_up_as_failed_by_the_sweeper_and_never_sent(
    told, mailoutbox
):
    assert told.claim()
    # Past its first try's grace: still the lost try's, not the sweeper's.
    with time_machine.travel(timezone.now() + 2 * IncidentNotification.FIRST_GRACE):
        assert tasks.send_due_notifications() == 0
    told.refresh_from_db()
    assert (told.status, told.attempts) == (Status.PENDING, 0)

    with time_machine.travel(timezone.now() + LATER):
        assert tasks.send_due_notifications() == 0

    told.refresh_from_db()
    assert (told.status, told.attempts, told.claimed_at) == (Status.FAILED, 1, None)
    assert "uvist, om e-mailen blev sendt" in told.last_error
    assert mailoutbox == []


def test_a_try_is_taken_for_lost_only_once_every_task_has_ended():
    lost_after = IncidentNotification.TRY_LOST_AFTER.total_seconds()
    assert lost_after > settings.CELERY_TASK_TIME_LIMIT
