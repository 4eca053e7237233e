"""Tryghedsvandringer: safety walks, the findings they turn up, and the
lifecycle each finding follows until the responsible organisation has fixed it."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boligsocial.clock import CalendarDays
from boligsocial.editing import SubmittedOnce, Versioned
from boligsocial.lists import how_many
from boligsocial.models import Area, AreaYearTarget, person_who, target_constraints
from boligsocial.periods import AMOUNT
from boligsocial.places import point_errors, validate_route


class WalkTarget(AreaYearTarget):
    """The plan's target for an area: tryghedsvandringer held in a year."""

    kind = AMOUNT

    value = models.PositiveIntegerField(
        _("måltal"), help_text=_("Gennemførte tryghedsvandringer i året.")
    )

    class Meta(AreaYearTarget.Meta):
        verbose_name = _("mål for tryghedsvandringer")
        verbose_name_plural = _("mål for tryghedsvandringer")
        constraints = target_constraints("walk_target")


# --- Tryghedsvandringer: safety walks and their findings ---------------------------


class FindingCategory(models.Model):
    """What a finding is about (hærværk, belysning, ...): kept by coordinators."""

    name = models.CharField(_("navn"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("fundkategori")
        verbose_name_plural = _("fundkategorier")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Who normally fixes a category of finding, in one area or (no area) anywhere.
    The finding form suggests it; the person recording can choose another."""

    category = models.ForeignKey(
        FindingCategory,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("kategori"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("boligområde"),
        help_text=_("Tom: alle områder, medmindre et område har sin egen regel."),
    )
    organisation = models.ForeignKey(
        "boligsocial.Organisation",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("ansvarlig organisation"),
    )

    class Meta:
        ordering = ["category", "area"]
        verbose_name = _("ansvarsregel")
        verbose_name_plural = _("ansvarsregler")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"], name="routing_rule_unique_per_area"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(area__isnull=True),
                name="routing_rule_one_default_per_category",
            ),
        ]

    def __str__(self) -> str:
        where = self.area or _("alle områder")
        return f"{self.category} · {where} → {self.organisation}"

    @classmethod
    def for_area(cls, area_id: int) -> dict[str, int]:
        """Category id → the organisation that normally fixes it in the area: the
        area's own rule, else the category's default (none: not in the dict)."""
        rules = cls.objects.filter(Q(area_id=area_id) | Q(area__isnull=True))
        routing = {}
        for rule in sorted(rules, key=lambda r: r.area_id is not None):
            routing[str(rule.category_id)] = rule.organisation_id
        return routing


class WalkQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WalkQuerySet":
        """Walks are shared: partners see those of their areas."""
        if not user.is_authenticated:
            return self.none()
        if user.is_partner:
            return self.filter(area__in=user.areas.all())
        return self

    def held(self) -> "WalkQuerySet":
        return self.filter(status=Walk.Status.HELD)

    def routes(self, limit: int) -> list[dict]:
        """The newest walks' routes, as the map script reads them (one query)."""
        walks = (
            self.exclude(route_line=[])
            .select_related("area")
            .only("starts_at", "route_line", "area__name")
            .order_by("-starts_at")
        )
        return [walk.route_for_map() for walk in walks[:limit]]

    def for_list(self) -> "WalkQuerySet":
        return (
            self.select_related("area")
            .annotate(
                finding_count=how_many(Finding.objects.filter(walk=OuterRef("pk")))
            )
            .order_by("-starts_at")
        )


class Walk(Versioned, SubmittedOnce):
    """A tryghedsvandring: residents, staff and partners walk an area together."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        HELD = "held", _("Gennemført")
        CANCELLED = "cancelled", _("Aflyst")

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="walks", verbose_name=_("område")
    )
    starts_at = models.DateTimeField(_("tidspunkt"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    route = models.TextField(_("rute"), blank=True)
    route_line = models.JSONField(
        _("ruten på kortet"),
        default=list,
        blank=True,
        validators=[validate_route],
        help_text=_(
            "Tryk på kortet for hvert hjørne af ruten, eller skriv ét punkt pr. "
            "linje som breddegrad, længdegrad."
        ),
    )
    organisations = models.ManyToManyField(
        "boligsocial.Organisation",
        blank=True,
        related_name="walks",
        verbose_name=_("organisationer med på turen"),
    )
    residents = models.PositiveIntegerField(_("beboere med på turen"), default=0)
    clear_stretches = models.TextField(
        _("strækninger uden problemer"),
        blank=True,
        help_text=_("Det, der blev gået igennem uden fund, så det også tæller."),
    )
    notes = models.TextField(_("noter"), blank=True)
    created_by = person_who(_("oprettet af"))

    objects = WalkQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("tryghedsvandring")
        verbose_name_plural = _("tryghedsvandringer")
        # The list's planned walks (ahead) and held ones (back in time).
        indexes = [models.Index(fields=["starts_at"], name="walk_starts_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "held", "cancelled"]),
                name="walk_status_valid",
            )
        ]

    def __str__(self) -> str:
        return _("Tryghedsvandring i %(area)s %(date)s") % {
            "area": self.area,
            "date": timezone.localtime(self.starts_at).strftime("%d.%m.%Y"),
        }

    def get_absolute_url(self) -> str:
        return reverse("safety:walk_detail", args=[self.pk])

    def route_for_map(self) -> dict:
        return {
            "line": self.route_line,
            "label": str(self),
            "url": self.get_absolute_url(),
        }


class FindingStatus(models.TextChoices):
    NEW = "new", _("Ny")
    SENT = "sent", _("Sendt til ansvarlig")
    IN_PROGRESS = "in_progress", _("I gang")
    FIXED = "fixed", _("Udbedret")
    CLOSED = "closed", _("Lukket uden udbedring")


# Each status's colour (a Bootstrap badge), the same in lists, on the map and in
# its legend (static/js/finding_map.js reads the legend's colours).
STATUS_BADGES = {
    FindingStatus.NEW: "text-bg-warning",
    FindingStatus.SENT: "text-bg-info",
    FindingStatus.IN_PROGRESS: "text-bg-info",
    FindingStatus.FIXED: "text-bg-success",
    FindingStatus.CLOSED: "text-bg-secondary",
}


class CloseReason(models.TextChoices):
    NOT_OURS = "not_ours", _("Ikke vores ansvar: givet videre")
    NO_ACTION = "no_action", _("Intet kan gøres")
    DUPLICATE = "duplicate", _("Dublet af et andet fund")


# The lifecycle: from each status, where a finding may go next. Fixed and closed are
# ends that can be reopened (back to "sent": someone must act again).
TRANSITIONS = {
    FindingStatus.NEW: {FindingStatus.SENT, FindingStatus.CLOSED},
    FindingStatus.SENT: {
        FindingStatus.IN_PROGRESS,
        FindingStatus.FIXED,
        FindingStatus.CLOSED,
    },
    FindingStatus.IN_PROGRESS: {FindingStatus.FIXED, FindingStatus.CLOSED},
    FindingStatus.FIXED: {FindingStatus.SENT},
    FindingStatus.CLOSED: {FindingStatus.SENT},
}
OPEN_STATUSES = [FindingStatus.NEW, FindingStatus.SENT, FindingStatus.IN_PROGRESS]


# Odense Kommune's extent, generously: a point outside it is a slip of the finger
# or a phone that guessed its position wrongly.


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FindingQuerySet":
        """Inside: every finding. A partner: every finding routed to its
        organisation, wherever it is (the organisation is the one to fix it, as a
        body is in FixMyStreet), and none of another organisation's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.can_keep_findings:
            return self
        if user.is_partner and user.organisation_id:
            return self.filter(responsible_id=user.organisation_id)
        return self.none()

    def open(self) -> "FindingQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> "FindingQuerySet":
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def due_for_recheck(self, *, area, day: datetime.date) -> "FindingQuerySet":
        """Fixed findings of the area that a walk on that day should look at again."""
        return self.filter(
            area=area, status=FindingStatus.FIXED, recheck_on__lte=day
        ).select_related("category")

    def for_list(self) -> "FindingQuerySet":
        return self.select_related("area", "category", "responsible").order_by(
            "-found_at", "-pk"
        )

    def ended_before(self, moment: datetime.datetime) -> "FindingQuerySet":
        """Findings fixed, or closed without a fix, before `moment` (and not
        reopened since). A fixed one ended at fixed_at; a closed one at its last
        step to closed in its history (at its finding, should it have none)."""
        closed_at = Coalesce(
            Subquery(
                FindingEvent.objects.filter(
                    finding=OuterRef("pk"), to_status=FindingStatus.CLOSED
                )
                .order_by("-at", "-pk")
                .values("at")[:1]
            ),
            F("found_at"),
        )
        return self.annotate(closed_at=closed_at).filter(
            Q(status=FindingStatus.FIXED, fixed_at__lt=moment)
            | Q(status=FindingStatus.CLOSED, closed_at__lt=moment)
        )


class Finding(Versioned, SubmittedOnce):
    """Something on a walk that makes the area feel unsafe, followed until fixed."""

    Status = FindingStatus
    CloseReason = CloseReason

    class Severity(models.TextChoices):
        LOW = "low", _("Lav")
        MEDIUM = "medium", _("Middel")
        HIGH = "high", _("Høj")

    walk = models.ForeignKey(
        Walk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("tryghedsvandring"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("område"),
    )
    category = models.ForeignKey(
        FindingCategory,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("kategori"),
    )
    description = models.TextField(_("beskrivelse"), max_length=2000)
    place = models.CharField(_("sted"), max_length=200)
    latitude = models.DecimalField(
        _("breddegrad"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("længdegrad"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    severity = models.CharField(
        _("alvor"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    responsible = models.ForeignKey(
        "boligsocial.Organisation",
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("ansvarlig organisation"),
    )
    found_at = models.DateTimeField(_("fundet"), default=timezone.now)
    due_date = models.DateField(_("frist"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FindingStatus.choices, default="new"
    )
    close_reason = models.CharField(
        _("begrundelse"), max_length=20, choices=CloseReason.choices, blank=True
    )
    passed_to = models.CharField(_("givet videre til"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("dublet af"),
    )
    fixed_at = models.DateTimeField(_("udbedret"), null=True, blank=True)
    # The calendar days from found to fixed (a switch to or from summer time
    # changes nothing) that the median days to a fix takes (walks/figures.py).
    # Kept by the database from the two times, whatever writes them, so ten years
    # of findings are not converted to the wall clock each time a median is read.
    # A finding recorded after the fact can carry a fix before its finding: that
    # counts as fixed at once. None until it is fixed (PostgreSQL's GREATEST would
    # make that 0, SQLite's None).
    days_to_fix = models.GeneratedField(
        expression=Case(
            When(fixed_at=None, then=None),
            default=Greatest(CalendarDays("found_at", "fixed_at"), Value(0.0)),
        ),
        output_field=models.FloatField(),
        db_persist=True,
    )
    recheck_on = models.DateField(
        _("tjekkes igen"),
        null=True,
        blank=True,
        help_text=_("Næste vandring bekræfter, at det virkelig er udbedret."),
    )
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    created_by = person_who(_("registreret af"))

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("fund")
        verbose_name_plural = _("fund")
        indexes = [
            models.Index(fields=["responsible", "status"]),
            # The search's days, months and years of findings (boligsocial/search.py).
            models.Index(fields=["found_at"]),
            # The worklist: the open ones by due date (no date last), then found.
            models.Index(
                fields=["due_date", "found_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="finding_worklist",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FindingStatus.values),
                name="finding_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=FindingStatus.CLOSED) | ~Q(close_reason=""),
                name="finding_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=FindingStatus.FIXED) | Q(fixed_at__isnull=False),
                name="finding_fixed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.place}"

    def get_absolute_url(self) -> str:
        return reverse("safety:finding_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.status]

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today

    def next_statuses(self) -> list[str]:
        return [s for s in FindingStatus.values if s in TRANSITIONS[self.status]]

    def clean(self) -> None:
        errors = {}
        found = timezone.localdate(self.found_at) if self.found_at else None
        if self.due_date and found and self.due_date < found:
            errors["due_date"] = _("Fristen ligger før fundet.")
        errors.update(point_errors(self.latitude, self.longitude))
        if self.walk_id and self.area_id and self.walk.area_id != self.area_id:
            errors["area"] = _("Fundet skal ligge i vandringens område.")
        if errors:
            raise ValidationError(errors)

    def confirm_fix(self, *, by, version: int) -> "FindingEvent":
        """A later walk saw that the fix holds: no more re-check, a dated entry."""
        if self.status != FindingStatus.FIXED:
            raise ValidationError(_("Kun et udbedret fund kan bekræftes."))
        with transaction.atomic():
            self.claim(version, recheck_on=None)
            event = FindingEvent.objects.create(
                finding=self,
                by=by,
                from_status=self.status,
                to_status=self.status,
                note=_("Bekræftet udbedret på en senere vandring."),
            )
        self.refresh_from_db()
        return event

    def change_status(
        self,
        *,
        to: str,
        by,
        version: int,
        note: str = "",
        reason: str = "",
        passed_to: str = "",
        duplicate_of: "Finding | None" = None,
        recheck_on: datetime.date | None = None,
    ) -> "FindingEvent":
        """Move the finding along its lifecycle and keep a dated entry of who and
        why. Refuses a step the lifecycle does not have, a closing without an
        honest reason, and a change made from an outdated view (StaleEdit)."""
        changes = self.status_changes(
            to=to,
            reason=reason,
            passed_to=passed_to,
            duplicate_of=duplicate_of,
            recheck_on=recheck_on,
        )
        with transaction.atomic():
            self.claim(version, **changes)
            event = FindingEvent.objects.create(
                finding=self,
                by=by,
                from_status=self.status,
                to_status=to,
                note=note,
                reason=reason,
            )
        self.refresh_from_db()
        return event

    def status_changes(
        self,
        *,
        to: str,
        reason: str = "",
        passed_to: str = "",
        duplicate_of: "Finding | None" = None,
        recheck_on: datetime.date | None = None,
    ) -> dict:
        """The fields a change to `to` sets; ValidationError for a step the
        lifecycle does not have or a closing without an honest reason (asked
        before a change is confirmed, and again as it is saved)."""
        if to not in TRANSITIONS[self.status]:
            raise ValidationError(
                _("Et fund med status »%(from)s« kan ikke gå til »%(to)s«.")
                % {"from": self.get_status_display(), "to": FindingStatus(to).label}
            )
        return _status_changes(
            self,
            to=to,
            reason=reason,
            passed_to=passed_to,
            duplicate_of=duplicate_of,
            recheck_on=recheck_on,
        )


def _status_changes(finding, *, to, reason, passed_to, duplicate_of, recheck_on):
    """The fields a status change sets; the honest reason a closing needs."""
    if to == FindingStatus.CLOSED:
        if reason not in CloseReason.values:
            raise ValidationError({"reason": _("Vælg, hvorfor fundet lukkes.")})
        if reason == CloseReason.NOT_OURS and not passed_to.strip():
            raise ValidationError(
                {"passed_to": _("Skriv, hvem fundet er givet videre til.")}
            )
        if reason == CloseReason.DUPLICATE and (
            duplicate_of is None or duplicate_of.pk == finding.pk
        ):
            raise ValidationError(
                {"duplicate_of": _("Vælg det fund, det er en dublet af.")}
            )
        return {
            "status": to,
            "close_reason": reason,
            "passed_to": passed_to.strip() if reason == CloseReason.NOT_OURS else "",
            "duplicate_of": duplicate_of if reason == CloseReason.DUPLICATE else None,
            "fixed_at": None,
        }
    changes = {"status": to, "close_reason": "", "passed_to": "", "duplicate_of": None}
    if to == FindingStatus.FIXED:
        changes.update(fixed_at=timezone.now(), recheck_on=recheck_on)
    else:
        changes["fixed_at"] = None
    return changes


class FindingEvent(models.Model):
    """One dated entry in a finding's history: who moved it where, and why."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("af"),
    )
    from_status = models.CharField(
        _("fra"), max_length=20, choices=FindingStatus.choices, blank=True
    )
    to_status = models.CharField(_("til"), max_length=20, choices=FindingStatus.choices)
    reason = models.CharField(
        _("begrundelse"), max_length=20, choices=CloseReason.choices, blank=True
    )
    note = models.TextField(_("kommentar"), max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("hændelse for fund")
        verbose_name_plural = _("hændelser for fund")

    def __str__(self) -> str:
        return f"{self.finding}: {self.from_status} → {self.to_status}"


def finding_photo_path(photo: "FindingPhoto", filename: str) -> str:
    """findings/<finding id>/<random>.jpg: never the uploader's file name, which
    can hold a name or a place. The files are served only through a door."""
    return f"findings/{photo.finding_id}/{uuid.uuid4().hex}.jpg"


class FindingPhotoQuerySet(models.QuerySet):
    def expired(self, before: datetime.datetime) -> "FindingPhotoQuerySet":
        """The photos of findings that ended (fixed or closed) before `before`."""
        return self.filter(finding__in=Finding.objects.ended_before(before))


class FindingPhoto(models.Model):
    """A photo of a finding, re-encoded as JPEG without its metadata (no location),
    with a thumbnail. See safety/photos.py for the checks and add_photo()."""

    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("fund"),
    )
    image = models.FileField(_("billede"), upload_to=finding_photo_path)
    thumbnail = models.FileField(_("miniature"), upload_to=finding_photo_path)
    width = models.PositiveIntegerField(_("bredde"))
    height = models.PositiveIntegerField(_("højde"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploadet af"),
    )
    created_at = models.DateTimeField(_("uploadet"), auto_now_add=True)

    objects = FindingPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("billede af fund")
        verbose_name_plural = _("billeder af fund")

    def __str__(self) -> str:
        return _("Billede af %(finding)s") % {"finding": self.finding}

    def get_absolute_url(self) -> str:
        return reverse("safety:finding_photo", args=[self.finding_id, self.pk])

    def erase(self) -> None:
        """Delete the photo and its two files; the finding stays. The row goes
        first: should a file not go (a full or read-only disk), no row names it
        and the nightly sweep of orphaned files takes it."""
        storage = self.image.storage
        names = [name for name in (self.image.name, self.thumbnail.name) if name]
        self.delete()
        for name in names:
            storage.delete(name)
