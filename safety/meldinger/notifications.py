"""Who hears of a resident's report: the tryghedsrådgivere under the bell when it
comes in; the resident by e-mail (if they left one) when it is received, sent to
the organisation responsible, fixed, closed or declined."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from boligsocial.models import Notification, Role, User
from boligsocial.notices import notify
from safety.public import mail_resident

from .models import ResidentReport


def notify_keepers(report: ResidentReport) -> None:
    """The tryghedsrådgivere (the coordinators, where there is none) are told."""
    keepers = User.objects.filter(is_active=True, role=Role.SAFETY_ADVISOR)
    if not keepers.exists():
        keepers = User.objects.filter(is_active=True, role=Role.COORDINATOR)
    # What it is and where, as a finding routed is named (its kind says the
    # rest under the bell).
    with translation.override(settings.LANGUAGE_CODE):
        text = f"{report}, {report.area}"
    notify(Notification.Kind.RESIDENT_REPORT, about=report, users=keepers, text=text)


def status_link(report: ResidentReport) -> str:
    link = settings.PORTAL_URL.rstrip("/") + report.status_url()
    if report.language != settings.LANGUAGE_CODE:
        link += f"?lang={report.language}"
    return link


def mail_received(report: ResidentReport, *, request) -> None:
    """The resident's receipt, with the link to follow the report."""
    mail_resident(
        report.email,
        _("Vi har modtaget din melding"),
        "safety/mail/report_received.txt",
        {"report": report, "link": status_link(report)},
        request=request,
    )


def mail_update(report: ResidentReport | None) -> None:
    """The resident is told where their report has got to, in their language
    (nothing when they left no e-mail, or it has been erased)."""
    if report is None or not report.email:
        return
    with translation.override(report.language):
        status = report.public_status()
        mail_resident(
            report.email,
            _("Nyt om din melding: %(status)s") % {"status": status["label"]},
            "safety/mail/report_update.txt",
            {"report": report, "status": status, "link": status_link(report)},
            language=report.language,
        )


def report_of(finding) -> ResidentReport | None:
    """The resident's report a finding was made from, if any."""
    return ResidentReport.objects.filter(finding=finding).first()
