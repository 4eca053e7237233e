"""Nabohjælp: residents' sign-ups, the consent they gave, and the yearly targets.

A sign-up holds a resident's name, address and contact. Withdrawing it erases all
of that in place: the row keeps only its area, channel and the months it began and
ended, so the figures of earlier months stay true and nobody can be found in it.
The database refuses a withdrawn row that still holds a person (see Meta).
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from boligsocial.models import Area, HousingDepartment


class ConsentText(models.Model):
    """A version of the consent text residents accept. Versions are never edited:
    a new wording is a new version, and each sign-up points at the one accepted."""

    text = models.TextField(_("tekst"))
    created_at = models.DateTimeField(_("taget i brug"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("samtykketekst")
        verbose_name_plural = _("samtykketekster")

    def __str__(self) -> str:
        return _("Samtykketekst fra %(date)s") % {
            "date": timezone.localtime(self.created_at).strftime("%d.%m.%Y")
        }

    @classmethod
    def current(cls) -> "ConsentText":
        """The wording in use: the newest version."""
        return cls.objects.first()


class Channel(models.TextChoices):
    DOOR = "door", _("Dørbank")
    EVENT = "event", _("Arrangement eller møde")
    PUBLIC_PAGE = "public_page", _("Tilmeldingssiden")
    OTHER = "other", _("Andet")


class Status(models.TextChoices):
    TO_CONFIRM = "to_confirm", _("Skal bekræftes")
    ACTIVE = "active", _("Aktiv")
    WITHDRAWN = "withdrawn", _("Udmeldt")


def active_on(day: datetime.date) -> Q:
    """Active at the end of that day, withdrawn ones included while they lasted (a
    withdrawn row keeps the first of its months, which is enough). A condition, so
    the figures can count it for many days in one aggregate."""
    return Q(status__in=[Status.ACTIVE, Status.WITHDRAWN], signed_up_on__lte=day) & ~Q(
        withdrawn_on__lte=day
    )


class SignUpQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SignUpQuerySet":
        """Names and addresses: only the roles that recruit and follow up."""
        if not (user.is_authenticated and user.can_see_signups):
            return self.none()
        return self

    def current(self) -> "SignUpQuerySet":
        """The sign-ups that still hold a person: active or waiting for confirmation."""
        return self.exclude(status=Status.WITHDRAWN)

    def active(self) -> "SignUpQuerySet":
        return self.filter(status=Status.ACTIVE)

    def in_areas(self, areas) -> "SignUpQuerySet":
        return self.filter(area__in=areas)

    def from_submission(self, token) -> "SignUp | None":
        """The sign-up an earlier submission of the same form made, if any."""
        try:
            token = uuid.UUID(str(token))
        except ValueError:
            return None
        return self.filter(submission=token).first()

    def same_person(self, *, name, department, street, number, floor_door):
        """Sign-ups holding that person at that address (values or OuterRefs)."""
        return self.current().filter(
            name__iexact=name,
            department=department,
            street__iexact=street,
            number__iexact=number,
            floor_door__iexact=floor_door,
        )

    def duplicates_of(self, signup: "SignUp") -> "SignUpQuerySet":
        return self.same_person(
            name=signup.name,
            department=signup.department_id,
            street=signup.street,
            number=signup.number,
            floor_door=signup.floor_door,
        ).exclude(pk=signup.pk)

    def for_list(self) -> "SignUpQuerySet":
        others = SignUp.objects.same_person(
            **{field: OuterRef(field) for field in PERSON_KEY}
        ).exclude(pk=OuterRef("pk"))
        # A withdrawn row has no department, so it matches nothing.
        return (
            self.select_related("area", "department")
            .annotate(possible_duplicate=Exists(others))
            .order_by("-signed_up_on", "-pk")
        )


# What makes two sign-ups the same person at the same address.
PERSON_KEY = ("name", "department", "street", "number", "floor_door")


class SignUp(models.Model):
    """A resident's sign-up for Nabohjælp in one of the areas."""

    Channel = Channel
    Status = Status

    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="signups",
        verbose_name=_("boligområde"),
    )
    department = models.ForeignKey(
        HousingDepartment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signups",
        verbose_name=_("boligafdeling"),
    )
    name = models.CharField(_("navn"), max_length=150, blank=True)
    street = models.CharField(_("vej"), max_length=150, blank=True)
    number = models.CharField(_("husnummer"), max_length=10, blank=True)
    floor_door = models.CharField(_("etage og dør"), max_length=20, blank=True)
    phone = PhoneNumberField(_("telefon"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    channel = models.CharField(
        _("hvordan vi mødte beboeren"), max_length=20, choices=Channel.choices
    )
    signed_up_on = models.DateField(_("tilmeldt"))
    consent_text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signups",
        verbose_name=_("samtykketekst"),
    )
    consented_at = models.DateTimeField(_("samtykke givet"), null=True, blank=True)
    is_ambassador = models.BooleanField(
        _("ambassadør"),
        default=False,
        help_text=_("Frivillig, der hjælper med at få naboerne med i Nabohjælp."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    withdrawn_on = models.DateField(_("udmeldt"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # One sign-up per form shown: a double click or a resubmitted page sends the
    # same token again and finds the sign-up it already made.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registreret af"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bekræftet af"),
    )
    is_demo = models.BooleanField(_("demodata"), default=False)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_up_on", "-pk"]
        verbose_name = _("Nabohjælp-tilmelding")
        verbose_name_plural = _("Nabohjælp-tilmeldinger")
        indexes = [
            models.Index(fields=["area", "signed_up_on"]),
            # The list's order: the newest page is read off the index, so its
            # duplicate check runs for the rows shown, not for every row.
            models.Index(fields=["-signed_up_on", "-id"], name="signup_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="signup_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="signup_channel_valid"
            ),
            # A person's sign-up says who, where, how to reach them, and what
            # they agreed to.
            models.CheckConstraint(
                condition=Q(status=Status.WITHDRAWN)
                | (
                    ~Q(name="")
                    & Q(department__isnull=False)
                    & ~Q(street="")
                    & ~Q(number="")
                    & (~Q(phone="") | ~Q(email=""))
                    & Q(consent_text__isnull=False, consented_at__isnull=False)
                    & Q(withdrawn_on__isnull=True)
                ),
                name="signup_holds_person_and_consent",
            ),
            # Withdrawn: nothing of the person is left.
            models.CheckConstraint(
                condition=~Q(status=Status.WITHDRAWN)
                | Q(
                    name="",
                    department__isnull=True,
                    street="",
                    number="",
                    floor_door="",
                    phone="",
                    email="",
                    note="",
                    consent_text__isnull=True,
                    consented_at__isnull=True,
                    submission__isnull=True,
                    created_by__isnull=True,
                    confirmed_by__isnull=True,
                    is_ambassador=False,
                    withdrawn_on__isnull=False,
                ),
                name="signup_withdrawn_is_anonymous",
            ),
        ]

    def __str__(self) -> str:
        if self.status == Status.WITHDRAWN:
            return _("Udmeldt tilmelding i %(area)s") % {"area": self.area}
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("safety:signup_detail", args=[self.pk])

    @property
    def address(self) -> str:
        parts = [f"{self.street} {self.number}".strip(), self.floor_door]
        return ", ".join(part for part in parts if part)

    def clean(self) -> None:
        errors = {}
        if self.department_id and self.area_id:
            if self.department.area_id != self.area_id:
                errors["department"] = _("Afdelingen ligger ikke i %(area)s.") % {
                    "area": self.area
                }
            elif self.street and not self.department.has_street(self.street):
                errors["street"] = _("Vejen hører ikke til %(department)s.") % {
                    "department": self.department
                }
        if errors:
            raise ValidationError(errors)

    def confirm(self, *, by) -> None:
        """A sign-up from the public page becomes active once staff have checked it."""
        self.status = Status.ACTIVE
        self.confirmed_by = by
        self.save(update_fields=["status", "confirmed_by"])

    def withdraw(self, *, on: datetime.date | None = None) -> None:
        """Erase the person; keep area, channel and months for the figures."""
        on = on or timezone.localdate()
        self.status = Status.WITHDRAWN
        self.withdrawn_on = on.replace(day=1)
        self.signed_up_on = self.signed_up_on.replace(day=1)
        for name in (
            "name",
            "street",
            "number",
            "floor_door",
            "phone",
            "email",
            "note",
        ):
            setattr(self, name, "")
        self.department = self.consent_text = self.consented_at = None
        self.submission = self.created_by = self.confirmed_by = None
        self.is_ambassador = False
        self.save()


class AreaYearTarget(models.Model):
    """A number an area is to reach in a year. Each kind of target is its own table
    (sign-ups, walks); the figures set what was reached against it."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, verbose_name=_("boligområde")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    value = models.PositiveIntegerField(_("måltal"))
    is_demo = models.BooleanField(_("demodata"), default=False)

    class Meta:
        abstract = True
        ordering = ["year", "area__name"]

    def __str__(self) -> str:
        return _("%(area)s %(year)s: %(value)s") % {
            "area": self.area,
            "year": self.year,
            "value": self.value,
        }


def target_constraints(prefix: str) -> list:
    """One target per area and year, in a year that makes sense."""
    return [
        models.UniqueConstraint(
            fields=["area", "year"], name=f"{prefix}_unique_per_area_year"
        ),
        models.CheckConstraint(
            condition=Q(year__gte=2000, year__lte=2100),
            name=f"{prefix}_year_sensible",
        ),
    ]


class SignUpTarget(AreaYearTarget):
    """The plan's target for an area: active sign-ups at the end of a year."""

    value = models.PositiveIntegerField(
        _("måltal"), help_text=_("Aktive tilmeldinger ved årets udgang.")
    )

    class Meta(AreaYearTarget.Meta):
        verbose_name = _("Nabohjælp-mål")
        verbose_name_plural = _("Nabohjælp-mål")
        constraints = target_constraints("signup_target")


class WalkTarget(AreaYearTarget):
    """The plan's target for an area: tryghedsvandringer held in a year."""

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
    def suggest(cls, *, category_id: int, area_id: int):
        """The organisation for the category in the area: the area's own rule,
        else the category's default, else None."""
        rules = cls.objects.filter(category_id=category_id).filter(
            Q(area_id=area_id) | Q(area__isnull=True)
        )
        rule = min(rules, key=lambda r: r.area_id is None, default=None)
        return rule.organisation if rule else None


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

    def for_list(self) -> "WalkQuerySet":
        return (
            self.select_related("area")
            .annotate(finding_count=models.Count("findings"))
            .order_by("-starts_at")
        )


class Walk(models.Model):
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oprettet af"),
    )

    objects = WalkQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("tryghedsvandring")
        verbose_name_plural = _("tryghedsvandringer")
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


class FindingStatus(models.TextChoices):
    NEW = "new", _("Ny")
    SENT = "sent", _("Sendt til ansvarlig")
    IN_PROGRESS = "in_progress", _("I gang")
    FIXED = "fixed", _("Udbedret")
    CLOSED = "closed", _("Lukket uden udbedring")


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
ODENSE_BOUNDS = {"lat": (55.25, 55.55), "lon": (10.15, 10.65)}


class StaleFinding(Exception):
    """Someone else changed the finding after this person opened it."""


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FindingQuerySet":
        """Inside: every finding. A partner: those routed to its organisation."""
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


class Finding(models.Model):
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
    recheck_on = models.DateField(
        _("tjekkes igen"),
        null=True,
        blank=True,
        help_text=_("Næste vandring bekræfter, at det virkelig er udbedret."),
    )
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    # Raised by every change: a form sent from an older view of the finding is
    # refused instead of overwriting what someone else did meanwhile.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registreret af"),
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("fund")
        verbose_name_plural = _("fund")
        indexes = [models.Index(fields=["responsible", "status"])]
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
        for name, (low, high) in (
            ("latitude", ODENSE_BOUNDS["lat"]),
            ("longitude", ODENSE_BOUNDS["lon"]),
        ):
            value = getattr(self, name)
            if value is not None and not low <= float(value) <= high:
                errors[name] = _("Punktet ligger uden for Odense.")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = _("Angiv både bredde- og længdegrad, eller ingen.")
        if self.walk_id and self.area_id and self.walk.area_id != self.area_id:
            errors["area"] = _("Fundet skal ligge i vandringens område.")
        if errors:
            raise ValidationError(errors)

    def confirm_fix(self, *, by, version: int) -> "FindingEvent":
        """A later walk saw that the fix holds: no more re-check, a dated entry."""
        if self.status != FindingStatus.FIXED:
            raise ValidationError(_("Kun et udbedret fund kan bekræftes."))
        with transaction.atomic():
            updated = Finding.objects.filter(pk=self.pk, version=version).update(
                version=models.F("version") + 1, recheck_on=None
            )
            if not updated:
                raise StaleFinding
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
        honest reason, and a change made from an outdated view (StaleFinding)."""
        if to not in TRANSITIONS[self.status]:
            raise ValidationError(
                _("Et fund med status »%(from)s« kan ikke gå til »%(to)s«.")
                % {"from": self.get_status_display(), "to": FindingStatus(to).label}
            )
        changes = _status_changes(
            self,
            to=to,
            reason=reason,
            passed_to=passed_to,
            duplicate_of=duplicate_of,
            recheck_on=recheck_on,
        )
        with transaction.atomic():
            updated = Finding.objects.filter(pk=self.pk, version=version).update(
                version=models.F("version") + 1, **changes
            )
            if not updated:
                raise StaleFinding
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

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("billede af fund")
        verbose_name_plural = _("billeder af fund")

    def __str__(self) -> str:
        return _("Billede af %(finding)s") % {"finding": self.finding}

    def get_absolute_url(self) -> str:
        return reverse("safety:finding_photo", args=[self.finding_id, self.pk])
