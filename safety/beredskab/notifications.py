"""E-mails to the partners told of an incident. Plain functions; the beredskab's
tasks run them in the background."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Contact, IncidentNotification

log = logging.getLogger(__name__)


def incident_recipients(notification: IncidentNotification) -> list[str]:
    """The e-mail addresses on the organisation's contact list for the area."""
    addresses = (
        Contact.objects.filter(organisation_id=notification.organisation_id)
        .for_area(notification.incident.area_id)
        .with_email()
        .order_by("rank", "name")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(addresses))


def mail_incident(notification: IncidentNotification, to: list[str]) -> int:
    incident = notification.incident
    with translation.override("da"):
        subject = _("Beredskab: %(severity)s hændelse i %(area)s – %(title)s") % {
            "severity": incident.get_severity_display().lower(),
            "area": incident.area,
            # A header holds one line, whatever was typed.
            "title": " ".join(incident.title.split()),
        }
        body = render_to_string(
            "safety/mail/incident_notification.txt",
            {
                "incident": incident,
                "organisation": notification.organisation,
                "url": settings.PORTAL_URL.rstrip("/") + incident.get_absolute_url(),
            },
        )
    return send_mail(subject, body, None, to)


def send_incident_notification(notification_id: int) -> str:
    """One try at telling an organisation of an incident; returns how it went.

    The try claims the notification (committed at once), mails, then records how
    it went; no transaction is open while the mail goes out, so a slow mail
    server holds no lock. Only a pending, unclaimed notification is taken: the
    same try queued twice sends one mail, and a try that fails after its mail
    went out (the database away when it came to record it) keeps its claim, so
    nothing sends again (the sweeper shows it failed once the try is clearly
    lost). A mail server that cannot be reached (or any other error) leaves it
    pending for a later try, until the last try marks it failed; an
    organisation with no e-mail on its contact list fails at once (trying again
    cannot help until one is added).
    """
    notification = (
        IncidentNotification.objects.select_related("incident__area", "organisation")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or not notification.claim():
        return "skipped"
    to = incident_recipients(notification)
    if not to:
        with translation.override("da"):
            error = _("Organisationen har ingen kontaktperson med e-mail for området.")
        notification.mark_attempt_failed(error=error, final=True)
        return notification.status
    try:
        mail_incident(notification, to)
    # Any error counts as a try, not only a mail server that is down: one that
    # escaped would leave the row claimed until the sweeper gives it up as lost.
    except Exception as error:  # noqa: BLE001
        log.warning("Notification %s not sent.", notification.pk, exc_info=True)
        notification.mark_attempt_failed(error=f"{type(error).__name__}: {error}")
        return notification.status
    notification.mark_sent(recipients=to)
    return notification.status
