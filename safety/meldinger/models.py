"""Meld et problem: residents report what makes their area feel unsafe between
walks (a broken lamp, fresh vandalism). A report waits for a tryghedsrådgiver,
who turns it into a finding (routed as findings are) or declines it with a
reason the resident may read. The resident follows it on a private status page,
and by e-mail if they left an address.
"""

import datetime
import re
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from boligsocial.clock import day_start
from boligsocial.editing import SubmittedOnce
from boligsocial.models import Area, person_who
from boligsocial.periods import months_before
from boligsocial.places import point_errors
from safety.walks.models import Finding, FindingCategory, FindingPhoto, FindingStatus
from safety.walks.photos import THUMBNAIL_LONG_SIDE

# The resident's e-mail is kept while the report can still change, and a calendar
# month after it ended (fixed, closed or declined), from the start of the local
# day: time for the last mail and an answer.
CONTACT_KEPT_MONTHS = 1
STATUS_KEY = re.compile(r"[\w-]{20,64}", re.ASCII)


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Modtaget")
    ACCEPTED = "accepted", _("Gjort til fund")
    DECLINED = "declined", _("Afvist")


class DeclineReason(models.TextChoices):
    NOT_SAFETY = "not_safety", _("Ikke et tryghedsproblem")
    KNOWN = "known", _("Allerede kendt")
    ELSEWHERE = "elsewhere", _("Hører ikke under os")
    NOT_FOUND = "not_found", _("Kunne ikke findes på stedet")


class ResidentReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ResidentReportQuerySet":
        """The reports name a place and may carry a resident's e-mail and photo:
        those who keep findings see them; partners never. A partner sees the
        finding a report became: never the e-mail, and the photo only when the
        tryghedsrådgiver let it go with the finding."""
        if not user.is_authenticated or not user.can_keep_findings:
            return self.none()
        return self

    def waiting(self) -> "ResidentReportQuerySet":
        return self.filter(status=ReportStatus.RECEIVED)

    def for_list(self) -> "ResidentReportQuerySet":
        return self.select_related("area", "category").order_by("-created_at", "-pk")

    def contact_expired(self, today: datetime.date) -> "ResidentReportQuerySet":
        """Reports still holding an e-mail that ended CONTACT_KEPT_MONTHS before
        the start of `today` (a finding since deleted ends it at its decision)."""
        before = day_start(months_before(today, CONTACT_KEPT_MONTHS))
        ended = (
            Q(status=ReportStatus.DECLINED, decided_at__lt=before)
            | Q(
                status=ReportStatus.ACCEPTED,
                finding__in=Finding.objects.ended_before(before),
            )
            | Q(
                status=ReportStatus.ACCEPTED,
                finding__isnull=True,
                decided_at__lt=before,
            )
        )
        return self.exclude(email="").filter(ended)


def new_status_key() -> str:
    """43 URL-safe characters: letters, digits, "-" and "_"."""
    return secrets.token_urlsafe(32)


def report_photo_path(report: "ResidentReport", filename: str) -> str:
    return f"resident-reports/{uuid.uuid4().hex}.jpg"


class ResidentReport(SubmittedOnce):
    """A resident's report of a safety problem in one area, from its public page."""

    Status = ReportStatus
    DeclineReason = DeclineReason

    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="resident_reports",
        verbose_name=_("boligområde"),
    )
    category = models.ForeignKey(
        FindingCategory,
        on_delete=models.PROTECT,
        related_name="resident_reports",
        verbose_name=_("kategori"),
    )
    description = models.TextField(_("beskrivelse"), max_length=2000)
    place = models.CharField(_("sted"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("breddegrad"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("længdegrad"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    # One photo, re-encoded without its metadata as findings' photos are; it goes
    # to the finding, or is deleted when the report is declined.
    image = models.FileField(_("billede"), upload_to=report_photo_path, blank=True)
    thumbnail = models.FileField(
        _("miniature"), upload_to=report_photo_path, blank=True
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    email = models.EmailField(_("e-mail til opdateringer"), blank=True)
    language = models.CharField(_("sprog"), max_length=10, default="da")
    # The private status page's key. Kept as it is (not hashed), so every update
    # mailed can carry the link: the page shows no more than the report's
    # category, place and status, never the resident's e-mail or photo.
    status_key = models.CharField(
        max_length=64, unique=True, editable=False, default=new_status_key
    )
    created_at = models.DateTimeField(_("modtaget"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.RECEIVED,
    )
    finding = models.OneToOneField(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident_report",
        verbose_name=_("fund"),
    )
    decline_reason = models.CharField(
        _("begrundelse"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    public_note = models.TextField(
        _("svar til beboeren"),
        max_length=1000,
        blank=True,
        help_text=_("Beboeren kan læse det. Skriv ingen navne."),
    )
    decided_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    decided_by = person_who(_("behandlet af"))
    is_demo = models.BooleanField(default=False, editable=False)

    objects = ResidentReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("melding fra en beboer")
        verbose_name_plural = _("meldinger fra beboere")
        indexes = [
            # The list (newest first) and "Mit arbejde" (the waiting ones).
            models.Index(fields=["-created_at", "-id"], name="report_list"),
            models.Index(
                fields=["status", "-created_at", "-id"], name="report_waiting"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="report_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DECLINED) | ~Q(decline_reason=""),
                name="report_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(place="") | Q(latitude__isnull=False),
                name="report_has_a_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.where}"

    def get_absolute_url(self) -> str:
        return reverse("safety:report_detail", args=[self.pk])

    def status_url(self) -> str:
        return reverse("meld:status", args=[self.status_key])

    @property
    def where(self) -> str:
        """The address given, or the point on the map."""
        if self.place:
            return self.place
        return _("punkt på kortet (%(lat)s, %(lon)s)") % {
            "lat": f"{self.latitude:.5f}",
            "lon": f"{self.longitude:.5f}",
        }

    @property
    def category_label(self) -> str:
        """The category in the language active (the seeded ones are translated)."""
        return gettext(self.category.name)

    @property
    def is_waiting(self) -> bool:
        return self.status == ReportStatus.RECEIVED

    @classmethod
    def by_status_key(cls, key: str) -> "ResidentReport | None":
        if not STATUS_KEY.fullmatch(key or ""):
            return None
        return (
            cls.objects.filter(status_key=key)
            .select_related("area", "category", "finding__responsible")
            .first()
        )

    def clean(self) -> None:
        if errors := point_errors(self.latitude, self.longitude):
            raise ValidationError(errors)

    # --- What becomes of it ----------------------------------------------------------

    def claim(self, **changes) -> bool:
        """Decide a waiting report: only one decision wins (two tryghedsrådgivere
        at the same report, or one form sent twice)."""
        changes["decided_at"] = timezone.now()
        won = ResidentReport.objects.filter(
            pk=self.pk, status=ReportStatus.RECEIVED
        ).update(**changes)
        if won:
            for name, value in changes.items():
                setattr(self, name, value)
        return bool(won)

    @transaction.atomic
    def accept(self, finding: Finding, *, by, keep_photo: bool = True) -> bool:
        """The report became `finding` (just saved). Its photo goes with it, to be
        seen by the organisation that fixes it, unless the tryghedsrådgiver kept it
        back (it shows people); either way the report's own copy is deleted.
        False (and nothing changed) when someone else decided it first."""
        if not self.claim(status=ReportStatus.ACCEPTED, finding=finding, decided_by=by):
            return False
        if self.image and keep_photo:
            self._copy_photo_to(finding)
        self._drop_photo()
        return True

    def _copy_photo_to(self, finding: Finding) -> None:
        try:
            with self.image.open("rb") as image, self.thumbnail.open("rb") as thumb:
                image_bytes, thumbnail_bytes = image.read(), thumb.read()
        except FileNotFoundError:
            # Gone from the disk (a restore without its files): the finding is
            # made without it rather than not at all.
            return
        photo = FindingPhoto(finding=finding, uploaded_by=None)
        photo.width, photo.height = self.photo_size
        photo.image.save("photo.jpg", ContentFile(image_bytes), save=False)
        photo.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail_bytes), save=False)
        photo.save()

    @transaction.atomic
    def decline(self, *, by, reason: str, note: str) -> bool:
        """Declined with a reason the resident reads; its photo is deleted."""
        if reason not in DeclineReason.values:
            raise ValidationError({"decline_reason": _("Vælg en begrundelse.")})
        if not self.claim(
            status=ReportStatus.DECLINED,
            decline_reason=reason,
            public_note=note.strip(),
            decided_by=by,
        ):
            return False
        self._drop_photo()
        return True

    @property
    def photo_size(self) -> tuple[int, int]:
        return self.photo_width or 0, self.photo_height or 0

    @property
    def thumbnail_size(self) -> tuple[int, int] | None:
        """The thumbnail's width and height (the photo's, shrunk to fit
        THUMBNAIL_LONG_SIDE), for the page to keep its place while it loads: a
        link below it must not move under a finger. None when unknown."""
        width, height = self.photo_size
        if not (width and height):
            return None
        scale = min(1, THUMBNAIL_LONG_SIDE / max(width, height))
        return round(width * scale), round(height * scale)

    def _drop_photo(self) -> None:
        """The report's own copy of the photo: the row forgets it first, then the
        files go once the transaction commits (one left behind is taken by the
        nightly sweep of orphaned files, boligsocial/retention.py)."""
        names = [name for name in (self.image.name, self.thumbnail.name) if name]
        if not names:
            return
        ResidentReport.objects.filter(pk=self.pk).update(image="", thumbnail="")
        storage = self.image.storage
        self.image, self.thumbnail = "", ""
        transaction.on_commit(lambda: [storage.delete(name) for name in names])

    # --- What the resident sees ---------------------------------------------------

    def public_status(self) -> dict:
        """The status page's steps: received → sent to the responsible
        organisation → fixed or closed. Only what may be shown to anyone holding
        the link: no e-mail, no photo, no staff member's name or internal note."""
        finding = self.finding if self.status == ReportStatus.ACCEPTED else None
        steps = [{"label": _("Modtaget"), "at": self.created_at, "done": True}]
        reason = ""
        if self.status == ReportStatus.DECLINED:
            steps.append({"label": _("Afvist"), "at": self.decided_at, "done": True})
            reason = self.get_decline_reason_display()
            current = "declined"
        else:
            steps.append(
                {
                    "label": _("Sendt til den ansvarlige"),
                    "at": self.decided_at if finding else None,
                    "done": finding is not None,
                    "who": finding.responsible.name if finding else "",
                }
            )
            current = "received"
            if finding is not None:
                current = "sent"
                if finding.status == FindingStatus.IN_PROGRESS:
                    current = "in_progress"
                elif finding.status == FindingStatus.FIXED:
                    current = "fixed"
                elif finding.status == FindingStatus.CLOSED:
                    current = "closed"
                    reason = finding.get_close_reason_display()
            last = {
                "fixed": _("Udbedret"),
                "closed": _("Lukket uden udbedring"),
            }.get(current, _("Udbedret"))
            steps.append(
                {
                    "label": last,
                    "at": finding.fixed_at if current == "fixed" else None,
                    "done": current in ("fixed", "closed"),
                }
            )
        return {
            "current": current,
            "label": PUBLIC_STATUS[current],
            "steps": steps,
            "reason": reason,
            "note": self.public_note if self.status == ReportStatus.DECLINED else "",
        }

    @classmethod
    def forget_contacts(cls, today: datetime.date | None = None) -> int:
        """Clear the e-mails kept past CONTACT_KEPT_MONTHS (the nightly
        retention)."""
        today = today or timezone.localdate()
        return cls.objects.contact_expired(today).update(email="")


PUBLIC_STATUS = {
    "received": _("Modtaget: vi kigger på den"),
    "sent": _("Sendt til den ansvarlige"),
    "in_progress": _("I gang"),
    "fixed": _("Udbedret"),
    "closed": _("Lukket uden udbedring"),
    "declined": _("Afvist"),
}
