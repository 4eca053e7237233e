"""Telling the organisations that fix findings: in the portal (and by e-mail as
each person chose) when one is routed to them or moved by someone else, and by
e-mail when theirs are overdue."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from boligsocial.models import Notification, User
from boligsocial.notices import notify

from .models import Finding


def recipients(organisation_id: int) -> list[str]:
    """The organisation's active partner users with an e-mail address."""
    return list(
        User.objects.partners_of(organisation_id)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def link(finding: Finding) -> str:
    return settings.PORTAL_URL.rstrip("/") + finding.get_absolute_url()


def describe(finding: Finding) -> str:
    return f"{finding.category}: {finding.place}, {finding.area}"


def notify_routed(finding: Finding) -> None:
    """Tell the responsible organisation's partners that a finding is theirs."""
    notify(
        Notification.Kind.FINDING_ROUTED,
        about=finding,
        users=User.objects.partners_of(finding.responsible_id),
        text=describe(finding),
    )


def send_on(finding: Finding, *, by) -> None:
    """A new finding goes to its responsible organisation at once: "new" only for
    the moment between, and its partners are told."""
    finding.change_status(to=Finding.Status.SENT, by=by, version=finding.version)
    notify_routed(finding)


def notify_reporter(finding: Finding, *, by) -> None:
    """Tell the person who recorded the finding that someone else moved it."""
    if finding.created_by_id in (None, by.pk):
        return
    notify(
        Notification.Kind.FINDING_CHANGED,
        about=finding,
        users=[finding.created_by],
        text=f"{describe(finding)} · {finding.get_status_display()}",
    )


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
