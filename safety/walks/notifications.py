"""E-mails to the organisations that fix findings: when one is routed to them,
and when theirs are overdue. Plain functions; the walks' tasks run them in the
background."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from boligsocial.models import User

from .models import Finding


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
