"""Beredskab operations that span models and reach outside: opening an incident
and telling partner organisations of it by e-mail in the background.

A notification row is saved in the same transaction as what it tells of, and its
first try is queued only once that transaction commits. If the queue cannot be
reached the row simply waits as pending: safety.tasks.send_due_notifications
takes it on its next round, as it takes every try that went wrong.
"""

from django.db import transaction
from django.utils import timezone

from boligsocial.celery import enqueue
from boligsocial.models import Notification, Organisation, User
from boligsocial.notices import notify

from .models import Incident, IncidentNotification


def enqueue_notification(notification_id: int) -> None:
    """Queue one try now; a broker that is down only delays it: the sweeper
    takes every pending notification whose turn has come."""
    enqueue("safety.tasks.send_incident_notification", notification_id)


@transaction.atomic
def notify_organisations(
    *, incident: Incident, organisations: list[Organisation], by: User
) -> list[IncidentNotification]:
    """Tell organisations of an incident; one already told is not told twice."""
    told = set(incident.notifications.values_list("organisation_id", flat=True))
    grace = timezone.now() + IncidentNotification.FIRST_GRACE
    notifications = []
    for organisation in organisations:
        if organisation.pk in told:
            continue
        # Added as it goes: an organisation chosen twice is told once.
        told.add(organisation.pk)
        notifications.append(
            IncidentNotification.objects.create(
                incident=incident,
                organisation=organisation,
                created_by=by,
                next_attempt_at=grace,
            )
        )
    for notification in notifications:
        transaction.on_commit(
            lambda pk=notification.pk: enqueue_notification(pk), robust=True
        )
        # Its partners find it under the bell too (the mail above goes to the
        # contact list, who need not have a login).
        notify(
            Notification.Kind.INCIDENT_TOLD,
            about=incident,
            users=User.objects.partners_of(notification.organisation_id),
            text=f"{incident.title} ({incident.area})",
        )
    return notifications


@transaction.atomic
def open_incident(
    *, incident: Incident, organisations: list[Organisation], by: User
) -> Incident:
    """Save a new incident and tell the chosen partners of it at once."""
    incident.created_by = by
    incident.save()
    notify_organisations(incident=incident, organisations=organisations, by=by)
    return incident


@transaction.atomic
def retry_notification(*, notification: IncidentNotification) -> None:
    """Try a failed notification again, at once."""
    notification.retry()
    transaction.on_commit(lambda: enqueue_notification(notification.pk), robust=True)
