"""Background work of Tryghedsvandringer: e-mails to the organisations that fix
findings, when one is routed to them and when theirs are overdue."""

from celery import shared_task

from . import notifications
from .models import Finding


@shared_task(name="safety.tasks.send_finding_routed", ignore_result=True)
def send_finding_routed(finding_id: int) -> int:
    finding = (
        Finding.objects.select_related("area", "category", "responsible", "walk")
        .filter(pk=finding_id)
        .first()
    )
    return notifications.mail_routed(finding) if finding else 0


@shared_task(name="safety.tasks.send_overdue_reminders")
def send_overdue_reminders() -> int:
    return notifications.mail_overdue()
