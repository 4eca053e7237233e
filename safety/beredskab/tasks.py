"""Background work of the beredskab: telling partners of an incident, one try at
a time, and the sweeper that retries."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import notifications
from .models import IncidentNotification


# No result is kept: nobody waits for one, and with a result store (Redis) that
# is down, queueing a task whose result is kept first subscribes to it there,
# retrying for some 20 s before giving up (measured), while the request waits.
@shared_task(name="safety.tasks.send_incident_notification", ignore_result=True)
def send_incident_notification(notification_id: int) -> str:
    """One try at telling an organisation of an incident (safe to run twice)."""
    return notifications.send_incident_notification(notification_id)


@shared_task(name="safety.tasks.send_due_notifications")
def send_due_notifications() -> int:
    """The sweeper: queue every pending notification whose next try has come,
    including those whose first try never reached the queue; and fail those
    whose try was lost midway (it may have sent its mail: a person decides)."""
    from .services import enqueue_notification

    now = timezone.now()
    for lost in IncidentNotification.objects.lost_tries(now):
        lost.mark_try_lost()
    # Each is leased for a while, so a queue that is slow to deliver does not
    # have it queued again on every round; the lock keeps a round that overlaps
    # a slow one from taking the same rows.
    with transaction.atomic():
        due = list(
            IncidentNotification.objects.due(now)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        IncidentNotification.objects.filter(pk__in=due).update(
            next_attempt_at=now + IncidentNotification.FIRST_GRACE
        )
    for pk in due:
        enqueue_notification(pk)
    return len(due)
