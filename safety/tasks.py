"""The safety app's background work, for Celery's autodiscovery (which reads
`<app>.tasks`). The tasks live with their parts; their names stay
`safety.tasks.<name>`, so the beat schedule and any message already queued
under the old name still find them. The retention rules span the parts and
live here."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from boligsocial.clock import day_start
from boligsocial.periods import months_before

from .beredskab.models import Contact, Incident
from .beredskab.tasks import send_due_notifications, send_incident_notification
from .meldinger.models import ResidentReport
from .nabohjaelp.models import WithdrawalRequest
from .walks.models import FindingPhoto
from .walks.tasks import send_overdue_reminders

__all__ = [
    "apply_retention",
    "send_due_notifications",
    "send_incident_notification",
    "send_overdue_reminders",
]


@shared_task(name="safety.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    """Erase what has been kept as long as its setting says; what each rule erased.

    - the photos (files and rows) of findings fixed or closed before
      FINDING_PHOTO_RETENTION_MONTHS; the finding stays;
    - the texts of incidents closed before INCIDENT_RETENTION_MONTHS
      (Incident.anonymise); the incident stays in the figures;
    - the contacts nobody has saved for CONTACT_RETENTION_MONTHS;
    - residents' requests for a withdrawal code, once the code is dead (a day);
    - the e-mails residents left on their reports, a month after the report
      ended (declined, or its finding fixed or closed).

    A period ends at the start of a local day: something ended on 4 May goes on
    5 May six months on, from midnight Danish time. The rules erase by age alone,
    so they are not journalled: `manage.py restore` runs them again
    (boligsocial.backups.run_retention). Each incident is anonymised in its own
    transaction: should one fail, those before it stay done and the next run
    takes the rest.
    """
    return {
        "finding_photos": erase_expired_finding_photos(),
        "incidents": anonymise_expired_incidents(),
        "contacts": delete_stale_contacts(),
        "withdrawal_requests": WithdrawalRequest.sweep(),
        "report_contacts": ResidentReport.forget_contacts(),
    }


def _limit(months: int):
    """The start of the local day `months` calendar months before today."""
    return day_start(months_before(timezone.localdate(), months))


def erase_expired_finding_photos() -> int:
    before = _limit(settings.FINDING_PHOTO_RETENTION_MONTHS)
    photos = FindingPhoto.objects.expired(before).order_by("pk")
    count = 0
    for photo in photos:
        photo.erase()
        count += 1
    return count


def anonymise_expired_incidents() -> int:
    before = _limit(settings.INCIDENT_RETENTION_MONTHS)
    due = Incident.objects.due_for_anonymising(before).select_related("area")
    count = 0
    for incident in due.order_by("pk"):
        incident.anonymise()
        count += 1
    return count


def delete_stale_contacts() -> int:
    """Those the deleted stood in for are left without a stand-in (SET_NULL)."""
    before = _limit(settings.CONTACT_RETENTION_MONTHS)
    _deleted, by_model = Contact.objects.not_updated_since(before).delete()
    return by_model.get(Contact._meta.label, 0)
