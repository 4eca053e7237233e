"""Every rule that erases, proved at its limit: rows and files just past it go,
those just short of it stay, and a second run changes nothing.

The rules: advice cases (ADVICE_RETENTION_MONTHS) and a household's erasure on
request; Nabohjælp sign-ups withdrawn or rejected; contacts deleted; sessions
and login records (LOGIN_LOG_RETENTION, the lock-out's cool-off); uploaded
sheets nobody can confirm any more; files whose row is gone (a finding's photos,
a report's PDF); Celery's results. Each erasure on request is journalled
(boligsocial.journal) for a restore to apply again; rules by age are not, as
restore runs them again. Exports are made in memory: no file is left behind.
"""

import datetime
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from celery.backends.filesystem import FilesystemBackend
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from advice.models import Case, Household
from advice.tasks import anonymise_expired_cases
from advice.tests.conftest import make_case, make_household
from advice.tests.test_retention import NEEDLES, fill_case
from boligsocial import journal
from boligsocial.backups import erasure_steps, run_retention
from boligsocial.celery import app
from boligsocial.models import Area, ExportJob, Organisation
from boligsocial.periods import Period
from boligsocial.retention import ORPHAN_GRACE, file_fields
from boligsocial.tasks import housekeeping
from reports.models import ReportRun
from reports.services import build_report_run, request_report
from safety.conftest import make_signup
from safety.models import Contact, Finding, FindingCategory, FindingPhoto, SignUp
from safety.walks.photos import add_photo
from tests.database import found_in_database
from tests.privacy import record_figures

NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)
# ADVICE_RETENTION_MONTHS (24) before TODAY: closed before this day is due.
ADVICE_LIMIT = datetime.date(2024, 5, 4)
MINUTE = datetime.timedelta(minutes=1)

# Its figures add up over the module: under pytest-xdist it runs in one process.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("privacy-figures")]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def journalled() -> list[tuple[str, str]]:
    return [(entry["model"], entry["action"]) for entry in journal.entries()]


def aged(path: Path, moment: datetime.datetime) -> Path:
    """Give the file (or folder) the time it was last written: file times are the
    real clock's, not the travelled one."""
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    return path


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# --- Advice cases -------------------------------------------------------------------


def test_a_case_closed_a_day_before_the_limit_is_anonymised_one_on_it_is_kept(
    departments, advisor, artefacts
):
    expired_household = make_household(
        departments[0], name="Ydun Udløbsen", street="Rising Allé", number="71"
    )
    expired = fill_case(
        make_case(
            expired_household,
            opened_on=datetime.date(2024, 1, 8),
            status=Case.Status.CLOSED,
            closed_on=ADVICE_LIMIT - datetime.timedelta(days=1),
        ),
        advisor=advisor,
    )
    kept = make_case(
        make_household(departments[1], name="Kaj Beholdsen"),
        opened_on=datetime.date(2024, 1, 8),
        status=Case.Status.CLOSED,
        closed_on=ADVICE_LIMIT,
        note="Aftale med Kajsen",
    )

    assert anonymise_expired_cases() == 1
    after_first = [list(m.objects.order_by("pk").values()) for m in (Household, Case)]
    assert anonymise_expired_cases() == 0
    after_second = [list(m.objects.order_by("pk").values()) for m in (Household, Case)]

    remaining = Case.objects.due_for_anonymising(TODAY).count() + len(
        found_in_database(["Ydun", "Udløbsen", *NEEDLES[6:]])
    )
    record_figures(artefacts, "retention", "advice", remaining=remaining, files_left=0)
    assert remaining == 0
    assert after_second == after_first
    assert {n for _, n in found_in_database(["Beholdsen", "Kajsen"])} == {
        "Beholdsen",
        "Kajsen",
    }
    assert journalled() == [
        ("advice.case", "anonymise"),
        ("advice.household", "anonymise"),
    ]
    assert [e["pk"] for e in journal.entries()] == [expired.pk, expired_household.pk]
    # A day later the kept one has reached the limit too.
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        assert anonymise_expired_cases() == 1
    kept.refresh_from_db()
    assert kept.anonymised_at is not None


def test_erasing_a_household_on_request_journals_each_case_and_the_household(
    client, departments, advisor, artefacts
):
    household = make_household(departments[0], name="Eske Slettesen")
    first = make_case(household, advisors=[advisor], note="Eskes budget")
    second = make_case(
        household, advisors=[advisor], opened_on=datetime.date(2026, 4, 1)
    )
    client.force_login(advisor)
    erase = reverse("advice:household_erase", args=[first.pk])
    data = {"requested": "on", "reason": "Bad om det på mødet"}

    assert client.post(erase, data).status_code == 302
    assert client.post(erase, data).status_code in (302, 403, 404)

    left = found_in_database(["Eske", "Slettesen", "Eskes"])
    record_figures(artefacts, "retention", "erasure", remaining=len(left), files_left=0)
    assert left == []
    assert sorted(journalled()) == [
        ("advice.case", "anonymise"),
        ("advice.case", "anonymise"),
        ("advice.household", "anonymise"),
    ]
    assert {e["pk"] for e in journal.entries() if e["model"] == "advice.case"} == {
        first.pk,
        second.pk,
    }
    # Applied again (as a restore does), the journal finds nothing left to erase.
    assert journal.replay(erasure_steps()) == {"lines": 3, "applied": 0, "unknown": 0}
    # Nothing in the journal tells about the person: model, id, action, time.
    assert all(
        set(entry) == {"at", "model", "pk", "action"} for entry in journal.entries()
    )


# --- Nabohjælp and contacts ----------------------------------------------------------


def test_a_withdrawn_signup_keeps_nobody_and_is_journalled_with_its_date(
    departments, artefacts
):
    signup = make_signup(departments[0], name="Vilma Udmeldsen", note="Vilmas nabo")
    other = make_signup(departments[0], name="Bo Bliversen", number="14")

    signup.withdraw()
    signup.refresh_from_db()
    once = list(SignUp.objects.order_by("pk").values())

    left = found_in_database(["Vilma", "Udmeldsen", "Vilmas"])
    record_figures(
        artefacts, "retention", "withdrawal", remaining=len(left), files_left=0
    )
    assert left == []
    assert signup.status == SignUp.Status.WITHDRAWN
    assert SignUp.objects.get(pk=other.pk).name == "Bo Bliversen"
    assert list(journal.entries()) == [
        {
            "at": NOW.isoformat(),
            "model": "safety.signup",
            "pk": signup.pk,
            "action": "withdraw",
            "on": "2026-05-04",
        }
    ]
    assert list(SignUp.objects.order_by("pk").values()) == once


def test_a_rejected_signup_and_a_deleted_contact_are_gone_and_journalled(
    departments, artefacts
):
    prank = make_signup(
        departments[0], name="Anders And", status=SignUp.Status.TO_CONFIRM, number="13"
    )
    contact = Contact.objects.create(
        organisation=Organisation.objects.get(name="Fyns Politi"),
        name="Kirsten Kontaktsen",
        role="Områdebetjent",
        phone="+4520000000",
    )

    prank.reject()
    contact.erase()

    left = found_in_database(["Anders And", "Kontaktsen"])
    record_figures(
        artefacts, "retention", "deletion", remaining=len(left), files_left=0
    )
    assert left == []
    assert journalled() == [("safety.signup", "delete"), ("safety.contact", "delete")]


# --- Sessions and login records -------------------------------------------------------


def login_log(username: str, at: datetime.datetime) -> AccessLog:
    row = AccessLog.objects.create(
        username=username, ip_address="10.0.0.1", user_agent="test"
    )
    AccessLog.objects.filter(pk=row.pk).update(attempt_time=at)
    return row


def login_failure(username: str, at: datetime.datetime) -> AccessFailureLog:
    row = AccessFailureLog.objects.create(
        username=username, ip_address="10.0.0.1", user_agent="test"
    )
    AccessFailureLog.objects.filter(pk=row.pk).update(attempt_time=at)
    return row


def login_attempt(username: str, at: datetime.datetime) -> AccessAttempt:
    row = AccessAttempt.objects.create(
        username=username,
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=2,
    )
    AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=at)
    return row


def session(expires: datetime.datetime) -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=expires)
    return store.session_key


def test_sessions_and_login_records_go_a_minute_past_their_limit_not_before(artefacts):
    log_limit = NOW - settings.LOGIN_LOG_RETENTION
    cooloff = NOW - settings.AXES_COOLOFF_TIME
    old = [
        login_log("gammel", log_limit - MINUTE),
        login_attempt("gammel", cooloff - MINUTE),
        login_failure("gammel", log_limit - MINUTE),
    ]
    new = [
        login_log("ny", log_limit + MINUTE),
        login_attempt("ny", cooloff + MINUTE),
        login_failure("ny", log_limit + MINUTE),
    ]
    expired, live = session(NOW - MINUTE), session(NOW + MINUTE)

    first, second = housekeeping(), housekeeping()

    remaining = (
        sum(type(row).objects.filter(pk=row.pk).exists() for row in old)
        + Session.objects.filter(pk=expired).exists()
    )
    record_figures(artefacts, "retention", "logins", remaining=remaining, files_left=0)
    assert remaining == 0
    assert first == {
        "sessions": 1,
        "attempts": 1,
        "logs": 1,
        "failures": 1,
        "orphaned_files": 0,
    }
    assert second == {
        "sessions": 0,
        "attempts": 0,
        "logs": 0,
        "failures": 0,
        "orphaned_files": 0,
    }
    assert all(type(row).objects.filter(pk=row.pk).exists() for row in new)
    assert Session.objects.filter(pk=live).exists()


# --- Files ----------------------------------------------------------------------------


def test_uploaded_sheets_go_once_no_session_can_confirm_them(media_root, artefacts):
    oldest = NOW - settings.SESSION_MAX_AGE
    stale = aged(
        Path(default_storage.path(spreadsheets_path("a" * 32))), oldest - MINUTE
    )
    fresh = aged(
        Path(default_storage.path(spreadsheets_path("b" * 32))), oldest + MINUTE
    )

    housekeeping()
    housekeeping()

    files_left = int(stale.exists())
    record_figures(
        artefacts, "retention", "uploads", remaining=0, files_left=files_left
    )
    assert files_left == 0
    assert fresh.exists()


def spreadsheets_path(token: str) -> str:
    """A sheet waiting for its confirmation, as the import stores it."""
    name = f"imports/{token}.json"
    Path(default_storage.path(name)).parent.mkdir(parents=True, exist_ok=True)
    Path(default_storage.path(name)).write_bytes(b"sheet naming residents")
    return name


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), "image/jpeg")


def finding_with_photo(place: str) -> Finding:
    finding = Finding.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude",
        place=place,
        responsible=Organisation.objects.get(name="Fyns Politi"),
    )
    photo = add_photo(finding=finding, upload=jpeg(), by=None)
    for field in (photo.image, photo.thumbnail):
        aged(Path(field.path), NOW)
        aged(Path(field.path).parent, NOW)
    return finding


def test_a_deleted_findings_photos_are_deleted_a_day_later_and_others_kept(
    media_root, artefacts
):
    gone, kept = finding_with_photo("Opgang 3"), finding_with_photo("Opgang 5")
    gone_files = {
        name
        for photo in gone.photos.all()
        for name in (photo.image.name, photo.thumbnail.name)
    }
    kept_files = files_under(media_root) - gone_files
    # Deleted as the admin, the shell or the demo data would: the rows go at once,
    # the files do not.
    Finding.objects.filter(pk=gone.pk).delete()
    assert gone_files <= files_under(media_root)

    later = NOW + ORPHAN_GRACE + MINUTE
    with time_machine.travel(later, tick=False):
        # Written a minute ago, its row not saved yet: left alone.
        in_flight = aged(
            write_in_flight(media_root / "findings" / "999" / "new.jpg"), later - MINUTE
        )
        first, second = housekeeping(), housekeeping()

    files_left = len(gone_files & files_under(media_root))
    record_figures(artefacts, "retention", "photos", remaining=0, files_left=files_left)
    assert files_left == 0
    assert (first["orphaned_files"], second["orphaned_files"]) == (2, 0)
    assert files_under(media_root) == kept_files | {"findings/999/new.jpg"}
    assert in_flight.exists()
    assert not (media_root / "findings" / str(gone.pk)).exists()
    assert FindingPhoto.objects.filter(finding=kept).count() == 1


def write_in_flight(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8")
    return path


def test_a_deleted_report_runs_pdf_is_deleted_a_day_later(
    media_root, coordinator, artefacts
):
    runs = []
    for year in (2024, 2025):
        run = ReportRun.objects.create(
            kind=ReportRun.Kind.MUNICIPALITY,
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            request_key=str(year),
        )
        default_storage.save(run.pdf_name, ContentFile(b"%PDF-1.7"))
        aged(Path(default_storage.path(run.pdf_name)), NOW)
        run.mark_ready(pages=1, figures={})
        runs.append(run)
    gone, kept = runs
    gone_file = gone.pdf.name
    gone.delete()

    with time_machine.travel(NOW + ORPHAN_GRACE + MINUTE, tick=False):
        run_retention()
        again = run_retention()

    files_left = int(default_storage.exists(gone_file))
    record_figures(
        artefacts, "retention", "reports", remaining=0, files_left=files_left
    )
    assert files_left == 0
    assert again["orphaned_files"] == 0
    assert default_storage.exists(kept.pdf.name)


def test_every_model_with_files_is_swept_for_orphans():
    from reports.models import ReportRun
    from safety.models import FindingPhoto, ResidentReport

    assert file_fields() == {
        FindingPhoto: ("image", "thumbnail"),
        ResidentReport: ("image", "thumbnail"),
        ReportRun: ("pdf",),
        ExportJob: ("file",),
    }


# --- Derived data: reports and exports ---------------------------------------------


RESIDENTS = ["Ragna Rapportsen", "Rapportvej", "Ragnas", "Fundine Fotosen", "Tryggesen"]


def test_a_report_names_no_resident_in_its_pdf_or_in_the_figures_it_keeps(
    departments, coordinator, tmp_path
):
    household = make_household(
        departments[0], name="Ragna Rapportsen", street="Rapportvej"
    )
    make_case(household, opened_on=datetime.date(2025, 3, 1), note="Ragnas gæld")
    make_signup(
        departments[0], name="Fundine Fotosen", signed_up_on=datetime.date(2025, 2, 1)
    )
    Finding.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Trygge Tryggesen så det",
        place="Trygges opgang",
        responsible=Organisation.objects.get(name="Fyns Politi"),
        found_at=timezone.make_aware(datetime.datetime(2025, 6, 1, 12)),
    )
    run, _new = request_report(
        kind=ReportRun.Kind.MUNICIPALITY,
        period=Period.year(2025),
        areas=list(Area.objects.all()),
        by=coordinator,
    )

    assert build_report_run(run.pk, task_id="retention-test") == "ready"

    run.refresh_from_db()
    text = subprocess.run(
        ["pdftotext", run.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    figures = json.dumps(run.figures, ensure_ascii=False)
    assert "Økonomisk rådgivning" in text
    assert [r for r in RESIDENTS if r in text or r in figures] == []


def test_exports_are_made_in_memory_and_leave_no_file_behind(
    client, media_root, departments, advisor, staff
):
    case = make_case(make_household(departments[0]), advisors=[advisor])
    before = files_under(Path(settings.VAR_DIR)) | files_under(media_root)
    client.force_login(advisor)
    assert (
        client.get(reverse("advice:household_export", args=[case.pk])).status_code
        == 200
    )
    client.force_login(staff)
    signups = reverse("safety:signup_export", args=["xlsx"])
    assert client.get(signups).status_code == 200

    after = files_under(Path(settings.VAR_DIR)) | files_under(media_root)
    assert after - before == set()


# --- Celery's results ---------------------------------------------------------------


def test_celery_result_files_go_once_older_than_result_expires(tmp_path):
    """The file backend (development's) is swept by the cleanup beat schedules
    when results expire (Redis expires them by itself). Celery counts its epoch in
    the app's time zone, so its limit is an hour early here: hence two hours."""
    backend = FilesystemBackend(app=app, url=f"file://{tmp_path}")
    expires = app.conf.result_expires
    margin = datetime.timedelta(hours=2)
    backend.store_result("old-task", {"cases": 3}, "SUCCESS")
    backend.store_result("new-task", {"cases": 1}, "SUCCESS")
    old, new = (
        tmp_path / backend.get_key_for_task(task).decode()
        for task in ("old-task", "new-task")
    )
    aged(old, NOW - expires - margin)
    aged(new, NOW - expires + margin)

    backend.cleanup()
    backend.cleanup()

    assert expires == datetime.timedelta(days=1)
    assert not old.exists()
    assert new.exists()
