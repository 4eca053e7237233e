"""The safety app's retention rules, run daily (safety.tasks.apply_retention) and
after a restore: a finding's photos FINDING_PHOTO_RETENTION_MONTHS after it was
fixed or closed, a closed incident's texts INCIDENT_RETENTION_MONTHS after, a
contact nobody has saved for CONTACT_RETENTION_MONTHS. Each proved at its limit
(the start of a local day), at 23:55 and 00:05 Danish time around it, and run
twice."""

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from boligsocial import journal
from boligsocial.backups import run_retention
from boligsocial.models import Area, Notification, Organisation
from safety.beredskab.figures import incident_figures
from safety.beredskab.services import notify_organisations
from safety.conftest import make_incident
from safety.models import (
    Contact,
    Finding,
    FindingCategory,
    FindingEvent,
    FindingPhoto,
    Incident,
    IncidentEntry,
)
from safety.tasks import apply_retention
from safety.walks.photos import add_photo
from tests.database import found_in_database

pytestmark = pytest.mark.django_db


def local(*args) -> datetime.datetime:
    """A moment on the Danish wall clock."""
    return timezone.make_aware(datetime.datetime(*args))


NOW = local(2026, 5, 4, 10, 0)
# Six months (FINDING_PHOTO_RETENTION_MONTHS) before 4 May 2026: what ended
# before 4 November 2025 goes.
PHOTO_LIMIT = datetime.date(2025, 11, 4)
# 24 months (INCIDENT_ and CONTACT_RETENTION_MONTHS): before 4 May 2024.
LIMIT = datetime.date(2024, 5, 4)
DAY = datetime.timedelta(days=1)
NOON = datetime.time(12)


def on(day: datetime.date, clock: datetime.time = NOON) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, clock))


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def police(db) -> Organisation:
    return Organisation.objects.get(name="Fyns Politi")


@pytest.fixture
def rising(db) -> Area:
    return Area.objects.get(slug="rising")


def test_the_periods_have_their_defaults_and_the_job_runs_daily():
    assert settings.FINDING_PHOTO_RETENTION_MONTHS == 6
    assert settings.INCIDENT_RETENTION_MONTHS == 24
    assert settings.CONTACT_RETENTION_MONTHS == 24
    entry = settings.CELERY_BEAT_SCHEDULE["safety-retention"]
    assert entry == {"task": "safety.tasks.apply_retention", "schedule": 86400}


# --- Findings' photos -----------------------------------------------------------------


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), "image/jpeg")


def finding(place: str, **fields) -> Finding:
    """A finding with one photo."""
    row = Finding.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude",
        place=place,
        responsible=Organisation.objects.get(name="Fyns Politi"),
        found_at=on(datetime.date(2025, 6, 2)),
        **fields,
    )
    add_photo(finding=row, upload=jpeg(), by=None)
    return row


def fixed(place: str, at: datetime.datetime) -> Finding:
    return finding(place, status=Finding.Status.FIXED, fixed_at=at)


def closed(place: str, at: datetime.datetime) -> Finding:
    """Closed without a fix at `at`, as its history says."""
    row = finding(
        place,
        status=Finding.Status.CLOSED,
        close_reason=Finding.CloseReason.NO_ACTION,
    )
    event = FindingEvent.objects.create(
        finding=row, from_status="sent", to_status="closed", reason="no_action"
    )
    FindingEvent.objects.filter(pk=event.pk).update(at=at)
    return row


def files_of(row: Finding) -> list[str]:
    return [
        name
        for photo in row.photos.all()
        for name in (photo.image.name, photo.thumbnail.name)
    ]


def test_photos_of_findings_ended_before_the_limit_go_with_their_files(media_root):
    gone = [
        fixed("Opgang 1", on(PHOTO_LIMIT - DAY)),
        closed("Opgang 2", on(PHOTO_LIMIT - DAY)),
    ]
    kept = [
        fixed("Opgang 3", on(PHOTO_LIMIT)),
        closed("Opgang 4", on(PHOTO_LIMIT)),
        finding("Opgang 5", status=Finding.Status.SENT),
    ]
    gone_files = [name for row in gone for name in files_of(row)]
    kept_files = [name for row in kept for name in files_of(row)]
    assert all((media_root / name).exists() for name in gone_files)

    first = apply_retention()
    second = apply_retention()

    assert (first["finding_photos"], second["finding_photos"]) == (2, 0)
    assert not any((media_root / name).exists() for name in gone_files)
    assert all((media_root / name).exists() for name in kept_files)
    assert FindingPhoto.objects.filter(finding__in=gone).count() == 0
    assert FindingPhoto.objects.filter(finding__in=kept).count() == 3
    # The findings stay, with their history.
    assert Finding.objects.filter(pk__in=[row.pk for row in gone]).count() == 2
    # By age alone: a restore runs the rule again, so nothing is journalled.
    assert list(journal.entries()) == []


def test_a_finding_reopened_since_keeps_its_photos():
    row = closed("Opgang 6", on(PHOTO_LIMIT - 30 * DAY))
    Finding.objects.filter(pk=row.pk).update(status=Finding.Status.SENT)
    assert apply_retention()["finding_photos"] == 0
    assert row.photos.count() == 1


def test_a_photo_goes_from_midnight_danish_time_not_before():
    """Fixed at 00:05 on the limit's day: kept at 23:55 the evening before it is
    due, gone at 00:05 (22:05 UTC, the same day in UTC as 23:55 was)."""
    late = fixed("Opgang 7", on(PHOTO_LIMIT, datetime.time(0, 5)))
    earlier = fixed("Opgang 8", on(PHOTO_LIMIT - DAY, datetime.time(23, 55)))

    with time_machine.travel(local(2026, 5, 4, 23, 55), tick=False):
        assert apply_retention()["finding_photos"] == 1
    assert (late.photos.count(), earlier.photos.count()) == (1, 0)

    with time_machine.travel(local(2026, 5, 5, 0, 5), tick=False):
        assert apply_retention()["finding_photos"] == 1
    assert late.photos.count() == 0


def test_the_photo_setting_moves_the_limit(settings):
    settings.FINDING_PHOTO_RETENTION_MONTHS = 1
    row = fixed("Opgang 9", on(datetime.date(2026, 4, 3)))
    assert apply_retention()["finding_photos"] == 1
    assert row.photos.count() == 0


# --- Incidents ----------------------------------------------------------------------

NEEDLES = [
    "Ibrahims lejlighed",
    "Rising Allé 99, 4. tv",
    "Ibrahim Isaksen",
    "Evalueret med Ingolf",
    "Ingrid Indsatsleder",
    "Presse-Preben",
    "Pressetekst om Isaksen",
    "kontakt.isaksen@politi.example",
]


def old_incident(rising, closed_at: datetime.datetime, by) -> Incident:
    """A closed incident whose texts name people, with a timeline, a partner told
    (the addresses it went to) and the partner's notification under the bell."""
    incident = make_incident(
        rising,
        title="Brand i Ibrahims lejlighed",
        place="Rising Allé 99, 4. tv",
        description="Ibrahim Isaksen blev kørt på skadestuen.",
        occurred_at=closed_at - 2 * DAY,
        status=Incident.Status.CLOSED,
        closed_at=closed_at,
        closed_by=by,
        evaluation="Evalueret med Ingolf fra brandvæsenet.",
        created_by=by,
    )
    IncidentEntry.objects.create(
        incident=incident,
        kind=IncidentEntry.Kind.ACTION,
        text="Opgangen ryddet",
        actor="Ingrid Indsatsleder",
        happened_at=closed_at - DAY,
    )
    IncidentEntry.objects.create(
        incident=incident,
        kind=IncidentEntry.Kind.PRESS,
        text="Pressetekst om Isaksen",
        approved_by="Presse-Preben, kommunikation",
        happened_at=closed_at - DAY,
    )
    [told] = notify_organisations(
        incident=incident,
        organisations=[Organisation.objects.get(name="Fyns Politi")],
        by=by,
    )
    told.mark_sent(recipients=["kontakt.isaksen@politi.example"])
    # Told an hour after it happened (the figures' minutes to the first partner).
    told.__class__.objects.filter(pk=told.pk).update(
        sent_at=incident.occurred_at + datetime.timedelta(hours=1)
    )
    return incident


def figures_of_2024(rising):
    figures = incident_figures(
        areas=Area.objects.filter(pk=rising.pk),
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        today=NOW.date(),
    )
    return figures.rows, figures.periods


def test_an_incident_closed_before_the_limit_loses_its_texts_not_its_figures(
    rising, staff, partner
):
    gone = old_incident(rising, on(LIMIT - DAY), staff)
    kept = make_incident(
        rising,
        title="Uro ved Kept-pladsen",
        occurred_at=on(LIMIT - 3 * DAY),
        status=Incident.Status.CLOSED,
        closed_at=on(LIMIT),
        evaluation="Kept evaluering",
    )
    still_open = make_incident(
        rising, title="Åben siden Keptåret", occurred_at=on(datetime.date(2023, 2, 1))
    )
    assert {needle for _t, needle in found_in_database(NEEDLES)} == set(NEEDLES)
    figures = figures_of_2024(rising)
    version = gone.version

    first = apply_retention()
    second = apply_retention()

    assert (first["incidents"], second["incidents"]) == (1, 0)
    assert found_in_database(NEEDLES) == []
    gone.refresh_from_db()
    assert gone.anonymised_at == NOW
    assert (gone.title, gone.place, gone.description, gone.evaluation) == (
        "Brand",
        "",
        "",
        "",
    )
    assert gone.version > version
    # What the figures count stays: the same figures as before.
    assert figures_of_2024(rising) == figures
    assert figures[0][0].total == 2
    assert (gone.area, gone.kind, gone.severity, gone.reported_by) == (
        rising,
        Incident.Kind.FIRE,
        Incident.Severity.SERIOUS,
        Incident.ReportedBy.RESIDENT,
    )
    assert [e.kind for e in gone.entries.all()] == ["action", "press"]
    assert gone.notifications.get().status == "sent"
    assert Notification.objects.get(user=partner).text == f"Brand ({rising})"
    for row, text in ((kept, "Kept evaluering"), (still_open, "Røg i kælderen")):
        row.refresh_from_db()
        assert row.anonymised_at is None
        assert text in row.evaluation + row.description
    assert list(journal.entries()) == []


def test_an_anonymised_incident_cannot_be_reopened(
    client, rising, staff, safety_advisor
):
    incident = old_incident(rising, on(LIMIT - DAY), staff)
    apply_retention()
    incident.refresh_from_db()
    with pytest.raises(ValidationError):
        incident.reopen()

    client.force_login(safety_advisor)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="anonymised"' in page
    assert reverse("safety:incident_reopen", args=[incident.pk]) not in page
    response = client.post(reverse("safety:incident_reopen", args=[incident.pk]))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED


def test_an_incident_is_anonymised_from_midnight_danish_time(rising):
    late = make_incident(
        rising,
        occurred_at=on(LIMIT - DAY),
        status=Incident.Status.CLOSED,
        closed_at=on(LIMIT, datetime.time(0, 5)),
        evaluation="Sent lukket",
    )
    with time_machine.travel(local(2026, 5, 4, 23, 55), tick=False):
        assert apply_retention()["incidents"] == 0
    with time_machine.travel(local(2026, 5, 5, 0, 5), tick=False):
        assert apply_retention()["incidents"] == 1
    late.refresh_from_db()
    assert late.anonymised_at is not None


def test_the_incident_setting_moves_the_limit(settings, rising):
    settings.INCIDENT_RETENTION_MONTHS = 12
    incident = make_incident(
        rising,
        occurred_at=on(datetime.date(2025, 4, 1)),
        status=Incident.Status.CLOSED,
        closed_at=on(datetime.date(2025, 5, 3)),
        evaluation="Et år gammel",
    )
    assert apply_retention()["incidents"] == 1
    incident.refresh_from_db()
    assert incident.evaluation == ""


# --- Contacts ----------------------------------------------------------------------


def contact(name: str, updated_at: datetime.datetime, **fields) -> Contact:
    row = Contact.objects.create(
        organisation=Organisation.objects.get(name="Fyns Politi"),
        name=name,
        role="Områdebetjent",
        phone="+4566141448",
        **fields,
    )
    Contact.objects.filter(pk=row.pk).update(updated_at=updated_at)
    return row


def test_a_contact_nobody_has_saved_since_the_limit_is_deleted():
    stale = contact("Gammel Betjentsen", on(LIMIT - DAY))
    kept = contact("Ny Betjentsen", on(LIMIT), stand_in=stale)
    Contact.objects.filter(pk=kept.pk).update(updated_at=on(LIMIT))

    first = apply_retention()
    second = apply_retention()

    assert (first["contacts"], second["contacts"]) == (1, 0)
    assert not Contact.objects.filter(pk=stale.pk).exists()
    kept.refresh_from_db()
    assert kept.stand_in is None
    assert found_in_database(["Gammel Betjentsen"]) == []
    assert list(journal.entries()) == []


def test_saving_a_contact_unchanged_keeps_it(client, police, safety_advisor):
    row = contact("Tjekket Betjentsen", on(LIMIT - DAY))
    client.force_login(safety_advisor)
    data = {
        "organisation": police.pk,
        "area": "",
        "name": row.name,
        "role": row.role,
        "phone": "66 14 14 48",
        "email": "",
        "stand_in": "",
        "rank": 1,
        "note": "",
        "version": row.version,
    }
    response = client.post(reverse("safety:contact_edit", args=[row.pk]), data)
    assert response.status_code == 302, response.context["form"].errors

    assert apply_retention()["contacts"] == 0
    assert Contact.objects.filter(pk=row.pk).exists()


def test_a_contact_goes_from_midnight_danish_time():
    row = contact("Midnat Betjentsen", on(LIMIT, datetime.time(0, 5)))
    with time_machine.travel(local(2026, 5, 4, 23, 55), tick=False):
        assert apply_retention()["contacts"] == 0
    with time_machine.travel(local(2026, 5, 5, 0, 5), tick=False):
        assert apply_retention()["contacts"] == 1
    assert not Contact.objects.filter(pk=row.pk).exists()


# --- After a restore ---------------------------------------------------------------


def test_a_restore_runs_the_rules_again(rising, staff):
    fixed("Opgang 10", on(PHOTO_LIMIT - DAY))
    old_incident(rising, on(LIMIT - DAY), staff)
    contact("Gendannet Betjentsen", on(LIMIT - DAY))

    done = run_retention()

    assert (done["finding_photos"], done["incidents"], done["contacts"]) == (1, 1, 1)
    assert found_in_database([*NEEDLES, "Gendannet"]) == []
