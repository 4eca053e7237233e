"""E-mails to the organisations that fix findings (when one is routed to them, and
when theirs are overdue) and to the partners told of an incident. Plain functions;
safety.tasks runs them in the background."""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from boligsocial.models import User

from .models import Contact, Finding, IncidentNotification

log = logging.getLogger(__name__)


def recipients(organisation_id: int) -> list[str]:
    """The organisation's active partner users with an e-mail address."""
    return list(
        User.objects.filter(
            organisation_id=organisation_id,
            role=User.Role.PARTNER,
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


def link(finding: Finding) -> str:
    return settings.PORTAL_URL.rstrip("/") + finding.get_absolute_url()


def mail_routed(finding: Finding) -> int:
    """Tell the responsible organisation that a finding is theirs to fix."""
    to = recipients(finding.responsible_id)
    if not to:
        return 0
    with translation.override("da"):
        subject = _("Nyt fund til %(organisation)s: %(category)s i %(area)s") % {
            "organisation": finding.responsible,
            "category": finding.category,
            "area": finding.area,
        }
        body = render_to_string(
            "safety/mail/finding_routed.txt", {"finding": finding, "url": link(finding)}
        )
    return send_mail(subject, body, None, to)


def mail_overdue(today: datetime.date | None = None) -> int:
    """One mail per organisation listing its findings that passed their due date
    since the last reminder; each finding is reminded of once per due date."""
    today = today or timezone.localdate()
    findings = (
        Finding.objects.overdue(today)
        .exclude(overdue_notified_on__gte=F("due_date"))
        .select_related("area", "category", "responsible")
        .order_by("responsible", "due_date")
    )
    by_organisation = defaultdict(list)
    for finding in findings:
        by_organisation[finding.responsible].append(finding)
    sent = 0
    for organisation, overdue in by_organisation.items():
        to = recipients(organisation.pk)
        if to:
            with translation.override("da"):
                subject = _(
                    "%(count)s fund har overskredet fristen: %(organisation)s"
                ) % {
                    "count": len(overdue),
                    "organisation": organisation,
                }
                body = render_to_string(
                    "safety/mail/findings_overdue.txt",
                    {
                        "organisation": organisation,
                        "findings": [(f, link(f)) for f in overdue],
                    },
                )
            sent += send_mail(subject, body, None, to)
        Finding.objects.filter(pk__in=[f.pk for f in overdue]).update(
            overdue_notified_on=today
        )
    return sent


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

    The row is locked while the mail goes out and only a pending one is sent, so
    the same try queued twice sends one mail. A mail server that cannot be
    reached (or any other error) leaves it pending for a later try, until the
    last try marks it failed; an organisation with no e-mail on its contact list
    fails at once (trying again cannot help until one is added).
    """
    with transaction.atomic():
        pending = IncidentNotification.objects.filter(
            pk=notification_id, status=IncidentNotification.Status.PENDING
        )
        notification = (
            pending.select_for_update(skip_locked=True, of=("self",))
            .select_related("incident__area", "organisation")
            .first()
        )
        if notification is None:
            return "skipped"
        to = incident_recipients(notification)
        if not to:
            with translation.override("da"):
                error = _(
                    "Organisationen har ingen kontaktperson med e-mail for området."
                )
            notification.mark_attempt_failed(error=error, final=True)
            return notification.status
        try:
            mail_incident(notification, to)
        # Any error counts as a try, not only a mail server that is down: one
        # that escaped would leave the row pending for ever with no error shown,
        # taken again by every round of the sweeper.
        except Exception as error:  # noqa: BLE001
            log.warning("Notification %s not sent.", notification.pk, exc_info=True)
            notification.mark_attempt_failed(error=f"{type(error).__name__}: {error}")
            return notification.status
        notification.mark_sent(recipients=to)
        return notification.status
