"""Nabohjælp: residents' sign-ups, the consent they gave, and the yearly targets.

A sign-up holds a resident's name, address and contact. Withdrawing it erases all
of that in place: the row keeps only its area, channel and the months it began and
ended, so the figures of earlier months stay true and nobody can be found in it.
The database refuses a withdrawn row that still holds a person (see Meta).
"""

import datetime
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from boligsocial import journal
from boligsocial.clock import MonthStart
from boligsocial.editing import StaleEdit, SubmittedOnce, Versioned
from boligsocial.models import (
    Area,
    AreaYearTarget,
    HousingDepartment,
    person_who,
    target_constraints,
)
from boligsocial.periods import LEVEL


class ConsentText(models.Model):
    """A version of the consent text residents accept. Versions are never edited:
    a new wording is a new version, and each sign-up points at the one accepted.
    A version is the Danish wording; its translations (for the residents' pages
    in other languages) point at it, so a new Danish wording is shown in Danish
    until it is translated in turn."""

    text = models.TextField(_("tekst"))
    language = models.CharField(
        _("sprog"), max_length=10, choices=settings.LANGUAGES, default="da"
    )
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        limit_choices_to={"original__isnull": True},
        verbose_name=_("oversættelse af"),
    )
    created_at = models.DateTimeField(_("taget i brug"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("samtykketekst")
        verbose_name_plural = _("samtykketekster")
        constraints = [
            # A version is Danish; a translation is of a version, in another language.
            models.CheckConstraint(
                condition=Q(original__isnull=True, language="da")
                | (Q(original__isnull=False) & ~Q(language="da")),
                name="consent_text_danish_or_translation",
                violation_error_message=_(
                    "En ny formulering er på dansk; en oversættelse er af en dansk "
                    "formulering og på et andet sprog."
                ),
            ),
            models.UniqueConstraint(
                fields=["original", "language"],
                name="consent_text_one_per_language",
                violation_error_message=_(
                    "Formuleringen er allerede oversat til det sprog."
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("Samtykketekst fra %(date)s (%(language)s)") % {
            "date": timezone.localtime(self.created_at).strftime("%d.%m.%Y"),
            "language": self.language,
        }

    def clean(self) -> None:
        if self.original_id and self.original.original_id:
            raise ValidationError(
                {"original": _("Oversæt den danske formulering, ikke en oversættelse.")}
            )

    @classmethod
    def current(cls, language: str = "da") -> "ConsentText":
        """The wording in use: the newest Danish version, in the language where
        it has been translated."""
        danish = cls.objects.filter(original__isnull=True).first()
        if danish is None or language == danish.language:
            return danish
        return danish.translations.filter(language=language).first() or danish


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


def _ascii_upper(text: str) -> str:
    return "".join(c.upper() if "a" <= c <= "z" else c for c in text)


def person_key(*, name, department, street, number, floor_door) -> tuple:
    """A person at an address as SignUpQuerySet.same_person compares them: the
    texts whatever their case (Django's iexact compares them in upper case)."""
    return (
        name.upper(),
        getattr(department, "pk", department),
        street.upper(),
        number.upper(),
        floor_door.upper(),
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
        """Sign-ups holding that person at that address (values or OuterRefs):
        the same name, street, number and floor/door, whatever their case (as
        `person_key` compares them), in the same department."""
        return self.current().filter(
            name__iexact=name,
            department=department,
            street__iexact=street,
            number__iexact=number,
            floor_door__iexact=floor_door,
        )

    def named(self, names) -> "SignUpQuerySet":
        """The current sign-ups of people with these names, whatever their case:
        those an import's rows may repeat (person_key compares them). The
        database's UPPER may leave letters outside a–z as they are (SQLite; a
        PostgreSQL without a Unicode locale), so a name is looked for that way
        too."""
        wanted = {form for name in names for form in (name.upper(), _ascii_upper(name))}
        return (
            self.current()
            .annotate(upper_name=Upper("name"))
            .filter(upper_name__in=wanted)
            .select_related("area")
        )

    def duplicates_of(self, signup: "SignUp") -> "SignUpQuerySet":
        return self.same_person(
            name=signup.name,
            department=signup.department_id,
            street=signup.street,
            number=signup.number,
            floor_door=signup.floor_door,
        ).exclude(pk=signup.pk)

    def of_person(self, signup: "SignUp") -> "SignUpQuerySet":
        """The sign-up and those the portal takes for the same person (its
        duplicates): what a right-of-access request gives and an erasure on the
        person's request erases."""
        return self.filter(
            Q(pk=signup.pk) | Q(pk__in=self.duplicates_of(signup).values("pk"))
        )

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


def withdrawal_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def contact_hash(contact: str) -> str:
    """An e-mail (in any case) or a phone number, as a key that does not show it."""
    return withdrawal_hash("contact:" + contact.strip().lower())


class SignUp(Versioned, SubmittedOnce):
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
    # The months it began and ended in, kept by the database from the two days,
    # whatever writes them: the month-end counts group ten years of sign-ups by
    # them (nabohjaelp/figures.py) without working each one out again.
    began_in = models.GeneratedField(
        expression=MonthStart("signed_up_on"),
        output_field=models.DateField(),
        db_persist=True,
    )
    ended_in = models.GeneratedField(
        expression=MonthStart("withdrawn_on"),
        output_field=models.DateField(),
        db_persist=True,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # One sign-up per form shown: a double click or a resubmitted page sends the
    # same token again and finds the sign-up it already made.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The resident's own way out: the hash of the secret in their private
    # withdrawal link (give_withdrawal_link); the link itself is never kept.
    withdrawal_key = models.CharField(max_length=64, blank=True, editable=False)
    created_by = person_who(_("registreret af"))
    confirmed_by = person_who(_("bekræftet af"))
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
            # A sign-up's duplicates (same_person): by name in any case within its
            # department, not every sign-up of the department.
            models.Index(Upper("name"), "department", name="signup_same_person"),
        ]
        # (withdrawal_key is found by its unique constraint's index.)
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
                    withdrawal_key="",
                    created_by__isnull=True,
                    confirmed_by__isnull=True,
                    is_ambassador=False,
                    withdrawn_on__isnull=False,
                ),
                name="signup_withdrawn_is_anonymous",
            ),
            models.UniqueConstraint(
                fields=["withdrawal_key"],
                condition=~Q(withdrawal_key=""),
                name="signup_withdrawal_key_unique",
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

    def confirm(self, *, by) -> bool:
        """A sign-up from the public page becomes active once staff have checked
        it. False if it no longer waits: the resident withdrew it by their link
        or code meanwhile (then it is gone), or someone confirmed it first."""
        confirmed = SignUp.objects.filter(pk=self.pk, status=Status.TO_CONFIRM).update(
            status=Status.ACTIVE, confirmed_by=by
        )
        if confirmed:
            self.status, self.confirmed_by = Status.ACTIVE, by
        return bool(confirmed)

    def withdraw(self, *, on: datetime.date | None = None) -> None:
        """Erase the person; keep area, channel and months for the figures."""
        on = on or timezone.localdate()
        journal.record(self, journal.WITHDRAW, on=on)
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
        self.withdrawal_key = ""
        self.is_ambassador = False
        # A new version: an edit form opened before cannot write the person back.
        self.version = models.F("version") + 1
        self.save()
        self.refresh_from_db(fields=["version"])

    def reject(self) -> None:
        """A sign-up from the public page that is not real (a prank, a test) is
        deleted outright: it never counted."""
        journal.record(self, journal.DELETE)
        self.delete()

    def erase(self) -> None:
        """Erased on the person's request. An active sign-up is withdrawn, so the
        months it counted stay true; one still waiting for confirmation never
        counted and is deleted, as a rejected one is (withdrawn, it would count
        from the month it was sent). Both are journalled."""
        if self.status == Status.TO_CONFIRM:
            self.reject()
        else:
            self.withdraw()

    def give_withdrawal_link(self) -> str:
        """A new private withdrawal link's secret for the resident: the portal
        keeps only its hash, so the link cannot be read back (nor from a copy of
        the database). Saves the sign-up's key."""
        secret = secrets.token_urlsafe(32)
        self.withdrawal_key = withdrawal_hash(secret)
        SignUp.objects.filter(pk=self.pk).update(withdrawal_key=self.withdrawal_key)
        return secret

    @classmethod
    def by_withdrawal_secret(cls, secret: str, *, lock=False) -> "SignUp | None":
        """The sign-up a withdrawal link's secret belongs to, if it still does (a
        used link, or one of an erased sign-up, belongs to none); `lock`: its row
        locked until the transaction ends."""
        if not secret or len(secret) > 100:
            return None
        found = cls.objects.filter(withdrawal_key=withdrawal_hash(secret))
        return (found.select_for_update() if lock else found).first()

    @transaction.atomic
    def erase_person(self, *, shown: dict[int, int]) -> int:
        """Erase the person on their request: this sign-up and every other the
        portal takes for the same person (of_person), all in one transaction;
        how many were erased (0: nothing left, someone erased them just now).

        `shown` is what the confirmation page listed, sign-up id → version. The
        rows are locked, and each is claimed at the version shown (the UPDATE
        refuses one changed since): a sign-up edited, added or erased after the
        page was shown raises StaleEdit and nothing is erased, so nothing goes
        that the person erasing did not see.
        """
        rows = SignUp.objects.of_person(self).current().select_for_update()
        rows = list(rows.order_by("pk"))
        if not rows:
            return 0
        if {row.pk for row in rows} != set(shown):
            raise StaleEdit
        # Every claim before any erasure: a stale one stops it before anything
        # is journalled.
        for row in rows:
            row.claim(shown[row.pk])
        for row in rows:
            row.erase()
        return len(rows)


class SignUpTarget(AreaYearTarget):
    """The plan's target for an area: active sign-ups at the end of a year."""

    kind = LEVEL

    value = models.PositiveIntegerField(
        _("måltal"), help_text=_("Aktive tilmeldinger ved årets udgang.")
    )

    class Meta(AreaYearTarget.Meta):
        verbose_name = _("Nabohjælp-mål")
        verbose_name_plural = _("Nabohjælp-mål")
        constraints = target_constraints("signup_target")


class WithdrawalRequest(models.Model):
    """A resident withdrawing without their link: a one-time code, by mail to the
    e-mail they give, or (a phone only) as a text message staff send. Made
    whether or not anyone is signed up under what was given, so the page answers
    the same either way; with none, no code is sent and none fits."""

    class By(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("sms")

    signups = models.ManyToManyField(SignUp, blank=True, related_name="+")
    by = models.CharField(max_length=10, choices=By.choices)
    # What was given, hashed: the code page finds the request by it when the
    # visitor's session has ended (a text message can take a working day).
    contact_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    tries = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    # A mailed code is there at once; a text message waits for staff.
    LIFETIME = {
        By.EMAIL: datetime.timedelta(minutes=30),
        By.SMS: datetime.timedelta(days=1),
    }
    MAX_TRIES = 5

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(by__in=["email", "sms"]), name="withdrawal_request_by_valid"
            )
        ]
        indexes = [models.Index(fields=["created_at"])]
        verbose_name = _("afmelding med kode")
        verbose_name_plural = _("afmeldinger med kode")

    def __str__(self) -> str:
        return _("Afmelding med kode (%(by)s)") % {"by": self.get_by_display()}

    @classmethod
    def start(
        cls, signups, *, by: str, contact: str
    ) -> tuple["WithdrawalRequest", str]:
        """A new request and its code (six digits), for the sign-ups found."""
        cls.sweep()
        code = f"{secrets.randbelow(10**6):06d}"
        request = cls.objects.create(
            by=by, contact_hash=contact_hash(contact), code_hash=withdrawal_hash(code)
        )
        request.signups.set(signups)
        return request, code

    @classmethod
    def sweep(cls) -> int:
        """Delete the requests whose codes are dead (with the hash of what was
        typed and their links to sign-ups); how many."""
        dead = cls.objects.filter(
            created_at__lt=timezone.now() - max(cls.LIFETIME.values())
        )
        return dead.delete()[1].get(cls._meta.label, 0)

    @classmethod
    def latest_for(cls, contact: str) -> "WithdrawalRequest | None":
        return (
            cls.objects.filter(contact_hash=contact_hash(contact))
            .order_by("-created_at", "-pk")
            .first()
        )

    def is_open(self) -> bool:
        return (
            not self.used
            and self.tries < self.MAX_TRIES
            and timezone.now() < self.created_at + self.LIFETIME[self.by]
        )

    @transaction.atomic
    def redeem(self, code: str) -> int | None:
        """Erase the sign-ups if the code fits (how many: 0 when none was
        found); None if it does not, or the request is spent. Each try counts."""
        request = WithdrawalRequest.objects.select_for_update().get(pk=self.pk)
        if not request.is_open():
            return None
        request.tries += 1
        fits = hmac.compare_digest(request.code_hash, withdrawal_hash(code))
        request.used = fits
        request.save(update_fields=["tries", "used"])
        if not fits:
            return None
        signups = list(request.signups.current().select_for_update())
        for signup in signups:
            signup.erase()
        return len(signups)
