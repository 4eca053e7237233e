"""The safety app's background work, for Celery's autodiscovery (which reads
`<app>.tasks`). The tasks live with their parts; their names stay
`safety.tasks.<name>`, so the beat schedule and any message already queued
under the old name still find them."""

from .beredskab.tasks import send_due_notifications, send_incident_notification
from .walks.tasks import send_overdue_reminders

__all__ = [
    "send_due_notifications",
    "send_incident_notification",
    "send_overdue_reminders",
]
