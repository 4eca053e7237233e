"""Background work of the safety app: e-mails to the organisations that fix findings."""

from celery import shared_task

from . import notifications
from .models import Finding


@shared_task
def send_finding_routed(finding_id: int) -> int:
    finding = (
        Finding.objects.select_related("area", "category", "responsible", "walk")
        .filter(pk=finding_id)
        .first()
    )
    return notifications.mail_routed(finding) if finding else 0


@shared_task
def send_overdue_reminders() -> int:
    return notifications.mail_overdue()
