"""Økonomisk rådgivning: households, their cases, meetings, outcomes and referrals.

This is the most sensitive data in the portal: the finances of vulnerable
households. Only the advisors on a case see it (need-to-know, `advice.access`);
every view of a case leaves a `CaseAccess` entry a coordinator can review without
seeing the case. A closed case's personal data is erased after
ADVICE_RETENTION_MONTHS (`Case.anonymise`, run by a Celery beat task); what stays
(area, dates, source, issues, outcomes, amounts) still counts in the figures and
names nobody.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case as Choose
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models import Window as Over
from django.db.models.functions import Lag, Lead, Now, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from boligsocial import journal
from boligsocial.clock import EpochSeconds
from boligsocial.editing import SubmittedOnce, Versioned
from boligsocial.models import HousingDepartment, Organisation, person_who, street_key
from boligsocial.periods import months_before as _months_before

# No household owes, gains or settles more than this in a case: a larger figure
# is a typing error (an extra zero), not a fact.
MAX_AMOUNT = Decimal("2000000")
AMOUNT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)]


def amount_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=2,
        validators=AMOUNT_VALIDATORS,
        **kwargs,
    )


def amount_in_range(field: str) -> Q:
    return Q(**{f"{field}__gte": 0, f"{field}__lte": MAX_AMOUNT})


# --- Households ---------------------------------------------------------------------


class Composition(models.TextChoices):
    SINGLE = "single", _("Enlig uden børn")
    SINGLE_PARENT = "single_parent", _("Enlig med børn")
    COUPLE = "couple", _("Par uden børn")
    COUPLE_CHILDREN = "couple_children", _("Par med børn")
    OTHER = "other", _("Anden sammensætning")


class HouseholdQuerySet(models.QuerySet):
    def same_as(self, *, department, name: str, street: str, number: str):
        """A household already known by its contact person and address (case and
        spaces ignored): a resident who comes back gets a new case, not a new
        household, so repeat households can be counted."""
        candidates = self.filter(
            department=department,
            anonymised_at__isnull=True,
            number__iexact=number.strip(),
        )
        return [
            h
            for h in candidates
            if street_key(h.name) == street_key(name)
            and street_key(h.street) == street_key(street)
        ]


class Household(models.Model):
    """A household living in one of the housing organisations' departments. No CPR
    numbers: a contact person, an address, a phone and the composition in broad
    terms are what the work needs."""

    Composition = Composition

    department = models.ForeignKey(
        HousingDepartment,
        on_delete=models.PROTECT,
        related_name="households_advised",
        verbose_name=_("boligafdeling"),
    )
    name = models.CharField(_("kontaktperson"), max_length=150, blank=True)
    street = models.CharField(_("vej"), max_length=150, blank=True)
    number = models.CharField(_("husnummer"), max_length=10, blank=True)
    floor_door = models.CharField(_("etage og dør"), max_length=20, blank=True)
    phone = PhoneNumberField(_("telefon"), blank=True)
    composition = models.CharField(
        _("husstanden"), max_length=20, choices=Composition.choices, blank=True
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymiseret"), null=True, blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("husstand")
        verbose_name_plural = _("husstande")
        constraints = [
            # An anonymised household holds nobody; a live one names its contact.
            models.CheckConstraint(
                condition=(
                    Q(anonymised_at__isnull=True, name__gt="")
                    | Q(
                        anonymised_at__isnull=False,
                        name="",
                        street="",
                        number="",
                        floor_door="",
                        phone="",
                        composition="",
                    )
                ),
                name="household_person_or_anonymised",
            ),
            models.CheckConstraint(
                condition=Q(composition__in=[*Composition.values, ""]),
                name="household_composition_valid",
            ),
        ]

    def __str__(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymiseret husstand"))
        return self.name

    @property
    def address(self) -> str:
        return " ".join(p for p in (self.street, self.number, self.floor_door) if p)

    @property
    def area(self):
        return self.department.area

    def clean(self) -> None:
        if (
            self.street
            and self.department_id
            and not self.department.has_street(self.street)
        ):
            raise ValidationError(
                {"street": _("Vejen ligger ikke i den valgte boligafdeling.")}
            )

    def anonymise(self) -> None:
        """Erase the person; the department (and so the area) stays for figures."""
        journal.record(self, journal.ANONYMISE)
        for field in ("name", "street", "number", "floor_door", "phone", "composition"):
            setattr(self, field, "")
        self.anonymised_at = timezone.now()
        self.save(
            update_fields=[
                "name",
                "street",
                "number",
                "floor_door",
                "phone",
                "composition",
                "anonymised_at",
            ]
        )


# --- Cases --------------------------------------------------------------------------


class Source(models.TextChoices):
    REMINDER_LETTER = "reminder_letter", _("Rykkerbrev fra boligorganisationen")
    SELF = "self", _("Beboeren selv")
    MUNICIPALITY = "municipality", _("Odense Kommune")
    STAFF = "staff", _("Anden medarbejder")
    OTHER = "other", _("Andet")


class EvictionRisk(models.TextChoices):
    NONE = "none", _("Ingen")
    REMINDER = "reminder", _("Rykker sendt")
    BAILIFF = "bailiff", _("Sag i fogedretten")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    CLOSED = "closed", _("Lukket")


ISSUE_FIELDS = (
    "issue_rent_arrears",
    "issue_other_debt",
    "issue_budget",
    "issue_benefits",
    "issue_other",
)


class CaseQuerySet(models.QuerySet):
    def known_to(self, user) -> "CaseQuerySet":
        """Cases whose existence the user may know of: the advice team knows the
        team's cases (names only on their own), a coordinator knows case numbers
        from the access log. Everyone else knows of none."""
        if user.is_advisor or user.can_read_access_log:
            return self.all()
        return self.none()

    def worked_by(self, user) -> "CaseQuerySet":
        """The cases the user works on: only these show a household's details."""
        if not user.is_advisor:
            return self.none()
        return self.filter(advisors=user)

    def open(self) -> "CaseQuerySet":
        return self.filter(status=CaseStatus.OPEN)

    def for_list(self) -> "CaseQuerySet":
        return self.select_related("household__department__area").prefetch_related(
            "advisors"
        )

    def due_for_anonymising(self, today: datetime.date) -> "CaseQuerySet":
        months = settings.ADVICE_RETENTION_MONTHS
        cutoff = _months_before(today, months)
        return self.filter(
            status=CaseStatus.CLOSED, closed_on__lt=cutoff, anonymised_at__isnull=True
        )


class Case(Versioned, SubmittedOnce):
    """One course of advice for a household: from how it came in to its outcome."""

    Source = Source
    EvictionRisk = EvictionRisk
    Status = CaseStatus

    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="cases",
        verbose_name=_("husstand"),
    )
    advisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="advice_cases",
        verbose_name=_("rådgivere"),
        limit_choices_to={"role": "advisor"},
    )
    opened_on = models.DateField(_("åbnet"))
    source = models.CharField(
        _("hvordan sagen kom ind"), max_length=20, choices=Source.choices
    )
    issue_rent_arrears = models.BooleanField(_("huslejerestance"), default=False)
    issue_other_debt = models.BooleanField(_("anden gæld"), default=False)
    issue_budget = models.BooleanField(_("budget og overblik"), default=False)
    issue_benefits = models.BooleanField(_("ydelser"), default=False)
    issue_other = models.BooleanField(_("andet"), default=False)
    eviction_risk = models.CharField(
        _("risiko for udsættelse"),
        max_length=10,
        choices=EvictionRisk.choices,
        default=EvictionRisk.NONE,
    )
    bailiff_date = models.DateField(_("dato i fogedretten"), null=True, blank=True)
    arrears_at_start = amount_field(_("restance ved start (kr.)"), default=0)
    arrears_now = amount_field(_("restance nu (kr.)"), default=0)
    note = models.TextField(_("note"), blank=True)
    colleagues_may_know = models.BooleanField(
        _("kolleger må vide, at der er en sag"),
        default=False,
        help_text=_(
            "Kun hvis beboeren har sagt ja: kolleger uden for rådgivningen kan så "
            "se, at husstanden har en åben sag, og at de skal spørge rådgiveren."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    closed_on = models.DateField(_("lukket"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = person_who(_("oprettet af"))
    anonymised_at = models.DateTimeField(_("anonymiseret"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("rådgivningssag")
        verbose_name_plural = _("rådgivningssager")
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="case_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(eviction_risk__in=EvictionRisk.values),
                name="case_eviction_risk_valid",
            ),
            # A case at the bailiff's court has its date; no other case has one.
            models.CheckConstraint(
                condition=Q(eviction_risk="bailiff", bailiff_date__isnull=False)
                | (~Q(eviction_risk="bailiff") & Q(bailiff_date__isnull=True)),
                name="case_bailiff_date_iff_bailiff",
            ),
            models.CheckConstraint(
                condition=amount_in_range("arrears_at_start")
                & amount_in_range("arrears_now"),
                name="case_arrears_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.OPEN, closed_on__isnull=True)
                | Q(status=CaseStatus.CLOSED, closed_on__gte=models.F("opened_on")),
                name="case_closed_iff_closed_on",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True)
                | Q(status=CaseStatus.CLOSED, note=""),
                name="case_anonymised_is_closed_and_blank",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "closed_on"]),
            models.Index(fields=["-opened_on", "-id"], name="case_list"),
        ]

    def __str__(self) -> str:
        return str(_("Sag %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        return reverse("advice:case_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The case's reference, safe to say aloud and to show in the access log."""
        return f"{self.pk:05d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def issues(self) -> list[str]:
        return [
            str(self._meta.get_field(field).verbose_name)
            for field in ISSUE_FIELDS
            if getattr(self, field)
        ]

    def clean(self) -> None:
        errors = {}
        if self.eviction_risk == EvictionRisk.BAILIFF and not self.bailiff_date:
            errors["bailiff_date"] = _("Skriv datoen for sagen i fogedretten.")
        if self.eviction_risk != EvictionRisk.BAILIFF and self.bailiff_date:
            errors["bailiff_date"] = _(
                "En dato i fogedretten hører kun til en sag i fogedretten."
            )
        if self.opened_on and self.opened_on > timezone.localdate():
            errors["opened_on"] = _("En sag kan ikke åbnes i fremtiden.")
        if errors:
            raise ValidationError(errors)

    def is_worked_by(self, user) -> bool:
        return user.is_advisor and self.advisors.filter(pk=user.pk).exists()

    def close(self, *, version: int, closed_on: datetime.date) -> None:
        """A case closes with an outcome: at least one must be recorded first."""
        if not self.is_open:
            raise ValidationError(_("Sagen er allerede lukket."))
        if not self.outcomes.exists():
            raise ValidationError(_("Registrér mindst ét resultat, før sagen lukkes."))
        if closed_on < self.opened_on:
            raise ValidationError(
                {"closed_on": _("Sagen kan ikke lukkes, før den blev åbnet.")}
            )
        if closed_on > timezone.localdate():
            raise ValidationError(
                {"closed_on": _("Sagen kan ikke lukkes i fremtiden.")}
            )
        self.status, self.closed_on = CaseStatus.CLOSED, closed_on
        self.save_edit(version=version, fields=["status", "closed_on"])

    def reopen(self, *, version: int) -> None:
        if self.is_open:
            raise ValidationError(_("Sagen er allerede åben."))
        if self.anonymised_at:
            raise ValidationError(_("En anonymiseret sag kan ikke genåbnes."))
        self.status, self.closed_on = CaseStatus.OPEN, None
        self.save_edit(version=version, fields=["status", "closed_on"])

    @transaction.atomic
    def anonymise(self) -> None:
        """Erase what could point to a person; keep what the figures count.

        The case's note, meeting notes, outcome notes and referral notes go; the
        dates, source, issues, risk, amounts and outcomes stay. The household is
        erased when none of its cases still needs it.
        """
        journal.record(self, journal.ANONYMISE)
        now = timezone.now()
        if self.is_open:
            self.status, self.closed_on = CaseStatus.CLOSED, timezone.localdate()
        self.note, self.anonymised_at = "", now
        self.colleagues_may_know = False
        # A new version, so an edit opened before the erasure cannot save over it.
        self.version = models.F("version") + 1
        self.save(
            update_fields=[
                "status",
                "closed_on",
                "note",
                "anonymised_at",
                "colleagues_may_know",
                "version",
            ]
        )
        self.refresh_from_db(fields=["version"])
        self.meetings.update(note="")
        self.outcomes.update(note="")
        self.referrals.update(note="", consent_note="", recipient="")
        household = self.household
        if (
            household.anonymised_at is None
            and not household.cases.filter(anonymised_at__isnull=True).exists()
        ):
            household.anonymise()


# --- Outcomes -----------------------------------------------------------------------


class AmountKind(models.TextChoices):
    NONE = "none", _("Intet beløb")
    FINANCIAL_GAIN = "financial_gain", _("Økonomisk gevinst")
    DEBT_SETTLED = "debt_settled", _("Gæld afviklet")


class OutcomeKind(models.Model):
    """An outcome on the fixed list coordinators keep in the admin. Figures pick
    outcomes by `code`, so a renamed outcome still counts where it did."""

    AmountKind = AmountKind

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    amount_kind = models.CharField(
        _("beløb"), max_length=20, choices=AmountKind.choices, default=AmountKind.NONE
    )
    amount_required = models.BooleanField(_("beløbet skal udfyldes"), default=False)
    is_active = models.BooleanField(_("i brug"), default=True)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("resultattype")
        verbose_name_plural = _("resultattyper")
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_kind=AmountKind.NONE) | Q(amount_required=False),
                name="outcomekind_required_amount_has_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CaseOutcome(SubmittedOnce):
    """What the advice achieved (or how it ended), with an amount where it applies."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("sag")
    )
    kind = models.ForeignKey(
        OutcomeKind,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resultat"),
    )
    amount = amount_field(_("beløb (kr.)"), null=True, blank=True)
    achieved_on = models.DateField(_("dato"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registreret af"),
    )
    recorded_at = models.DateTimeField(_("registreret"), auto_now_add=True)

    class Meta:
        ordering = ["achieved_on", "pk"]
        verbose_name = _("resultat")
        verbose_name_plural = _("resultater")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | amount_in_range("amount"),
                name="caseoutcome_amount_in_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.kind)

    def clean(self) -> None:
        errors = {}
        kind = self.kind if self.kind_id else None
        if kind and kind.amount_required and self.amount is None:
            errors["amount"] = _("»%(outcome)s« kræver et beløb (%(what)s).") % {
                "outcome": kind.name,
                "what": kind.get_amount_kind_display(),
            }
        elif kind and kind.amount_kind == AmountKind.NONE and self.amount is not None:
            errors["amount"] = _("»%(outcome)s« har intet beløb.") % {
                "outcome": kind.name
            }
        if self.case_id and self.achieved_on:
            if self.achieved_on < self.case.opened_on:
                errors["achieved_on"] = _("Datoen ligger før sagen blev åbnet.")
            elif self.achieved_on > timezone.localdate():
                errors["achieved_on"] = _("Datoen ligger i fremtiden.")
        if errors:
            raise ValidationError(errors)


# --- Meetings and drop-in hours -----------------------------------------------------


class Place(models.TextChoices):
    HOME = "home", _("I hjemmet")
    DROP_IN = "drop_in", _("Åben rådgivning")
    HOUSING_ORG = "housing_org", _("Hos boligorganisationen")
    OFFICE = "office", _("På kontoret")
    PHONE = "phone", _("Telefon")


class DropIn(models.Model):
    """Weekly drop-in hours where residents come without an appointment."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("mandag")
        TUESDAY = 1, _("tirsdag")
        WEDNESDAY = 2, _("onsdag")
        THURSDAY = 3, _("torsdag")
        FRIDAY = 4, _("fredag")
        SATURDAY = 5, _("lørdag")
        SUNDAY = 6, _("søndag")

    name = models.CharField(_("sted"), max_length=150)
    area = models.ForeignKey(
        "boligsocial.Area",
        on_delete=models.PROTECT,
        related_name="drop_ins",
        verbose_name=_("boligområde"),
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    weekday = models.PositiveSmallIntegerField(_("ugedag"), choices=Weekday.choices)
    starts_at = models.TimeField(_("fra"))
    ends_at = models.TimeField(_("til"))
    is_active = models.BooleanField(_("i brug"), default=True)
    is_demo = models.BooleanField(_("demodata"), default=False)

    class Meta:
        ordering = ["weekday", "starts_at", "name"]
        verbose_name = _("åben rådgivning")
        verbose_name_plural = _("åben rådgivning")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="dropin_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="dropin_weekday_valid"
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.starts_at:%H.%M}–{self.ends_at:%H.%M}"
        return f"{self.name}, {self.get_weekday_display()} {hours}"


class Meeting(Versioned, SubmittedOnce):
    """A meeting with the household: where, when, how long, and a short note."""

    Place = Place

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("sag")
    )
    held_on = models.DateField(_("dato"))
    place = models.CharField(_("sted"), max_length=20, choices=Place.choices)
    drop_in = models.ForeignKey(
        DropIn,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("åben rådgivning"),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("varighed (minutter)"),
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    note = models.TextField(_("note"), blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rådgiver"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("møde")
        verbose_name_plural = _("møder")
        constraints = [
            models.CheckConstraint(
                condition=Q(place__in=Place.values), name="meeting_place_valid"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="meeting_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(drop_in__isnull=True) | Q(place=Place.DROP_IN),
                name="meeting_drop_in_only_at_drop_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y} {self.get_place_display()}"

    def clean(self) -> None:
        errors = {}
        if self.case_id and self.held_on:
            if self.held_on < self.case.opened_on:
                errors["held_on"] = _(
                    "Mødet ligger før sagen blev åbnet (%(date)s)."
                ) % {"date": self.case.opened_on.strftime("%d.%m.%Y")}
            elif self.held_on > timezone.localdate():
                errors["held_on"] = _("Et møde kan ikke registreres i fremtiden.")
        if self.drop_in_id and self.place != Place.DROP_IN:
            errors["drop_in"] = _(
                "Åben rådgivning hører kun til stedet åben rådgivning."
            )
        if errors:
            raise ValidationError(errors)


# --- Onward referrals ---------------------------------------------------------------


class ReferralTo(models.TextChoices):
    DEBT_COUNSELLING = "debt_counselling", _("Gældsrådgivning")
    MUNICIPALITY = "municipality", _("Odense Kommune")
    HOUSING_ORG = "housing_org", _("Boligorganisationen")
    LEGAL_AID = "legal_aid", _("Retshjælp")
    OTHER = "other", _("Andet")


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("Foreslået")
    CONSENTED = "consented", _("Samtykke givet")
    SENT = "sent", _("Sendt")
    ACCEPTED = "accepted", _("Modtaget")
    DECLINED = "declined", _("Afvist")
    COMPLETED = "completed", _("Afsluttet")
    WITHDRAWN = "withdrawn", _("Trukket tilbage")


S = ReferralStatus
REFERRAL_TRANSITIONS = {
    S.PROPOSED: {S.CONSENTED, S.WITHDRAWN},
    S.CONSENTED: {S.SENT, S.WITHDRAWN},
    S.SENT: {S.ACCEPTED, S.DECLINED, S.WITHDRAWN},
    S.ACCEPTED: {S.COMPLETED, S.WITHDRAWN},
    S.DECLINED: set(),
    S.COMPLETED: set(),
    S.WITHDRAWN: set(),
}
# The time each status is reached is kept on its own field.
REFERRAL_STAMPS = {
    S.CONSENTED: "consented_at",
    S.SENT: "sent_at",
    S.ACCEPTED: "answered_at",
    S.DECLINED: "answered_at",
    S.COMPLETED: "completed_at",
    S.WITHDRAWN: "withdrawn_at",
}
AFTER_CONSENT = [S.SENT, S.ACCEPTED, S.DECLINED, S.COMPLETED]


class Referral(SubmittedOnce):
    """An onward referral to specialised help. Nothing is sent without the
    resident's recorded consent (a database rule as well as a form rule)."""

    To = ReferralTo
    Status = ReferralStatus

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("sag")
    )
    to = models.CharField(_("henvist til"), max_length=20, choices=ReferralTo.choices)
    recipient = models.CharField(
        _("modtager"),
        max_length=150,
        blank=True,
        help_text=_("Fx afdeling eller rådgivning, ikke en privatperson."),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PROPOSED,
    )
    consent_note = models.CharField(
        _("sådan blev samtykket givet"), max_length=200, blank=True
    )
    proposed_at = models.DateTimeField(_("foreslået"), auto_now_add=True)
    consented_at = models.DateTimeField(_("samtykke"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    answered_at = models.DateTimeField(_("svar"), null=True, blank=True)
    completed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("trukket tilbage"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("senest ændret af"),
    )

    class Meta:
        ordering = ["proposed_at", "pk"]
        verbose_name = _("henvisning")
        verbose_name_plural = _("henvisninger")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values),
                name="referral_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(to__in=ReferralTo.values), name="referral_to_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=AFTER_CONSENT)
                | Q(consented_at__isnull=False, sent_at__isnull=False),
                name="referral_sent_only_with_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status=S.CONSENTED) | Q(consented_at__isnull=False),
                name="referral_consented_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_to_display()}: {self.get_status_display()}"

    @property
    def next_steps(self) -> list[ReferralStatus]:
        return [s for s in ReferralStatus if s in REFERRAL_TRANSITIONS[self.status]]

    def move(self, *, to: str, by, consent_note: str = "") -> None:
        """Take the next step; a step the referral does not have is refused, and
        consent is only recorded with how it was given."""
        if to not in REFERRAL_TRANSITIONS[self.status]:
            raise ValidationError(
                _("En henvisning med status »%(from)s« kan ikke gå til »%(to)s«.")
                % {
                    "from": self.get_status_display(),
                    "to": ReferralStatus(to).label
                    if to in ReferralStatus.values
                    else to,
                }
            )
        fields = ["status", "changed_by"]
        if to == S.CONSENTED:
            if not consent_note.strip():
                raise ValidationError(
                    {"consent_note": _("Skriv, hvordan beboeren gav samtykke.")}
                )
            self.consent_note = consent_note.strip()
            fields.append("consent_note")
        stamp = REFERRAL_STAMPS[to]
        setattr(self, stamp, timezone.now())
        self.status, self.changed_by = to, by
        self.save(update_fields=[*fields, stamp])


# --- The access log -----------------------------------------------------------------

# How long an access-log entry is kept. Longer than any case's personal data (open,
# then ADVICE_RETENTION_MONTHS after closing): a resident may learn the dates and
# purposes of the look-ups in their data for as long as it is held, and a complaint
# about a look-up may come later still. Five years at the most generous count, in
# days, so that Python and the PostgreSQL trigger (migration 0005) agree to the day.
ACCESS_LOG_RETENTION = datetime.timedelta(days=5 * 366)


class AccessAction(models.TextChoices):
    VIEW = "view", _("Så sagen")
    EDIT = "edit", _("Ændrede sagen")
    MEETING = "meeting", _("Registrerede et møde")
    OUTCOME = "outcome", _("Registrerede et resultat")
    REFERRAL = "referral", _("Ændrede en henvisning")
    CLOSE = "close", _("Lukkede sagen")
    REOPEN = "reopen", _("Genåbnede sagen")
    JOIN = "join", _("Tilknyttede sig sagen")
    EXPORT = "export", _("Hentede husstandens data")
    ERASE = "erase", _("Slettede husstandens data")
    CREATE = "create", _("Oprettede sagen")
    LOOKUP = "lookup", _("Spurgte til adressen")


class AccessPurpose(models.TextChoices):
    """Why the case was opened. A resident may learn the dates and purposes of the
    look-ups in their data (Datatilsynet 2024, after CJEU C-579/21), normally
    without who made them, so each entry says why in words a resident understands."""

    CASEWORK = "casework", _("Rådgivning af husstanden")
    COVER = "cover", _("En rådgiver dækker for en kollega")
    ACCESS_REQUEST = "access_request", _("Beboerens ønske om indsigt")
    ERASURE = "erasure", _("Beboerens ønske om sletning")
    COLLEAGUE = "colleague", _("En kollega spurgte, hvem der rådgiver husstanden")


# The review page reads the raw rows as entries (CaseAccessQuerySet.entries): a
# person's views of one case for one purpose, each within VIEWS_WINDOW of the one
# before, are one entry with a count; and the page shown right after a change
# (a redirect writes a view within FOLD_AFTER_CHANGE) belongs to the change's entry.
VIEWS_WINDOW = datetime.timedelta(minutes=10)
FOLD_AFTER_CHANGE = datetime.timedelta(seconds=10)


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The choice's label, or the value itself where it is none of them."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class AccessLogIsAppendOnly(Exception):
    """An access-log entry is written once: never changed, and deleted only by
    the retention job once it is older than ACCESS_LOG_RETENTION."""


class CaseAccessQuerySet(models.QuerySet):
    def for_list(self) -> "CaseAccessQuerySet":
        return self.select_related("user")

    def with_entry_starts(self) -> "CaseAccessQuerySet":
        """Each row with `starts`: it begins an entry (CaseAccess.entries). A
        window function (LAG) over the rows as filtered, in each person's rows
        of one case and purpose by time: one query however many rows, on
        PostgreSQL and SQLite alike; the index caseaccess_entry_order feeds it."""
        view = AccessAction.VIEW
        return self.annotate(
            prev_action=_in_entry_order(Lag("action")),
            gap=ExpressionWrapper(
                EpochSeconds("at") - _in_entry_order(Lag(EpochSeconds("at"))),
                output_field=models.FloatField(),
            ),
        ).annotate(
            starts=_entry_break(
                Q(action=view),
                Q(prev_action=view),
                Q(prev_action__isnull=False) & ~Q(prev_action=view),
                "gap",
            ),
        )

    def with_entry_bounds(self) -> "CaseAccessQuerySet":
        """`with_entry_starts`, and `ends` (the row is an entry's last) and `seq`
        (its place in its person's rows of the case and purpose)."""
        view = AccessAction.VIEW
        return self.with_entry_starts().annotate(
            next_action=_in_entry_order(Lead("action")),
            next_gap=ExpressionWrapper(
                _in_entry_order(Lead(EpochSeconds("at"))) - EpochSeconds("at"),
                output_field=models.FloatField(),
            ),
            seq=_in_entry_order(RowNumber()),
            ends=_entry_break(
                Q(next_action=view), Q(action=view), ~Q(action=view), "next_gap"
            ),
        )

    def entries(self) -> "CaseAccessQuerySet":
        """The ids of the rows that begin an entry, newest first: what the review
        page counts and pages through (`complete` makes the page's entries).

        Whether a row begins an entry depends on the row before it (the same
        person's, case's and purpose's, among the rows as filtered), as in
        `with_entry_starts`; here that row is looked up for each row by the
        index caseaccess_entry_order instead of a window over every row. The
        newest entries are then found by reading the newest rows only, so a page
        costs the same at five years of log as at a week."""
        before = (
            self.filter(
                user_id=OuterRef("user_id"),
                case_number=OuterRef("case_number"),
                purpose=OuterRef("purpose"),
                at__lte=OuterRef("at"),
            )
            .filter(Q(at__lt=OuterRef("at")) | Q(pk__lt=OuterRef("pk")))
            .order_by("-at", "-pk")
        )
        view = AccessAction.VIEW
        return (
            self.annotate(
                prev_action=Subquery(before.values("action")[:1]),
                gap=ExpressionWrapper(
                    EpochSeconds("at")
                    - Subquery(before.values(s=EpochSeconds("at"))[:1]),
                    output_field=models.FloatField(),
                ),
            )
            .annotate(
                starts=_entry_break(
                    Q(action=view),
                    Q(prev_action=view),
                    Q(prev_action__isnull=False) & ~Q(prev_action=view),
                    "gap",
                )
            )
            .filter(starts=True)
            .order_by("-at", "-pk")
            .values_list("pk", flat=True)
        )

    def complete(self, ids: list[int]) -> list["CaseAccess"]:
        """The entries begun by the rows `ids` (from `self.entries()`), newest
        first, each with its person, its `count` of rows, `views` among them,
        `last_at` and whether that is on the day it began (`ends_same_day`): two
        queries, the second over the rows that begin or end an entry of the same
        people and cases only."""
        entries = list(
            CaseAccess.objects.filter(pk__in=ids)
            .select_related("user")
            .order_by("-at", "-pk")
        )
        if not entries:
            return entries
        # The rows of the same people and cases (each purpose's rows are an entry
        # sequence of their own, so those of other purposes change nothing).
        bounds = (
            self.filter(
                user_id__in={e.user_id for e in entries},
                case_number__in={e.case_number for e in entries},
            )
            .with_entry_bounds()
            .filter(Q(starts=True) | Q(ends=True))
            .order_by()
            .values_list(
                "user_id", "case_number", "purpose", "seq", "pk", "at", "starts", "ends"
            )
        )
        found, first = {}, {}
        # In place order, each entry's first row comes before (or is) its last.
        for *key, seq, pk, moment, starts, ends in sorted(bounds):
            if starts:
                first[tuple(key)] = (seq, pk)
            if ends:
                first_seq, first_pk = first[tuple(key)]
                found[first_pk] = (seq - first_seq + 1, moment)
        for entry in entries:
            entry.count, entry.last_at = found[entry.pk]
            entry.views = entry.count - (entry.action != AccessAction.VIEW)
            entry.ends_same_day = timezone.localdate(entry.last_at) == (
                timezone.localdate(entry.at)
            )
        return entries

    def expired(self) -> "CaseAccessQuerySet":
        """Entries older than ACCESS_LOG_RETENTION by the database's clock: the
        PostgreSQL trigger's rule, to the letter."""
        return self.filter(at__lt=Now() - ACCESS_LOG_RETENTION)

    def update(self, **kwargs):
        raise AccessLogIsAppendOnly("Access-log entries cannot be changed.")

    def delete(self):
        raise AccessLogIsAppendOnly("Use delete_expired(): the retention rule.")

    def delete_expired(self) -> int:
        """The one way entries go: the retention job deletes the expired ones."""
        count, _by_model = models.QuerySet.delete(self.expired())
        return count


def _in_entry_order(function) -> Over:
    """A window function over one person's rows of one case and purpose, by time."""
    return Over(
        function,
        partition_by=["user_id", "case_number", "purpose"],
        order_by=[F("at").asc(), F("pk").asc()],
    )


def _entry_break(later_is_view, earlier_is_view, earlier_is_change, gap: str):
    """True where two neighbouring rows do not belong to one entry: the later one
    continues the earlier only as a view soon enough after it (VIEWS_WINDOW after
    a view, FOLD_AFTER_CHANGE after a change). No neighbour: a break."""
    within = {"view": VIEWS_WINDOW, "change": FOLD_AFTER_CHANGE}
    # SQLite's julianday() doubles are exact to well under a millisecond.
    seconds = {key: value.total_seconds() + 0.001 for key, value in within.items()}
    soon_after_view = earlier_is_view & Q(**{f"{gap}__lte": seconds["view"]})
    soon_after_change = earlier_is_change & Q(**{f"{gap}__lte": seconds["change"]})
    return Choose(
        When(later_is_view & (soon_after_view | soon_after_change), then=Value(False)),
        default=Value(True),
        output_field=models.BooleanField(),
    )


class CaseAccess(models.Model):
    """Who opened or changed which case, when, what they did and why. It names the
    case by number only and holds nothing of the case: a coordinator reviews it
    without seeing the case. The entry outlives the case's erasure.

    Append-only: the model refuses to save an existing entry or to delete one, and
    on PostgreSQL a trigger refuses UPDATE and DELETE for every client of the
    database (migration 0005). Two things pass it: a case deleted outright sets
    `case` to NULL (every fact in the entry stays), and the retention job deletes
    entries older than ACCESS_LOG_RETENTION (`CaseAccessQuerySet.delete_expired`).
    """

    Action = AccessAction
    Purpose = AccessPurpose

    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        related_name="accesses",
        verbose_name=_("sag"),
    )
    case_number = models.PositiveIntegerField(_("sagsnummer"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_accesses",
        verbose_name=_("bruger"),
    )
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    action = models.CharField(
        _("handling"), max_length=10, choices=AccessAction.choices
    )
    purpose = models.CharField(
        _("formål"),
        max_length=20,
        choices=AccessPurpose.choices,
        default=AccessPurpose.CASEWORK,
    )
    reason = models.CharField(_("begrundelse"), max_length=200, blank=True)

    objects = CaseAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("opslag i sag")
        verbose_name_plural = _("adgangslog")
        indexes = [
            # Each person's rows of a case and purpose in time order: the row
            # before a row (CaseAccessQuerySet.entries) and the review page's
            # windows (with_entry_bounds).
            models.Index(
                fields=["user", "case_number", "purpose", "at", "id"],
                name="caseaccess_entry_order",
            ),
            # The log's pages, newest first.
            models.Index(fields=["-at", "-id"], name="caseaccess_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AccessAction.values),
                name="caseaccess_action_valid",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=AccessPurpose.values),
                name="caseaccess_purpose_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number:05d} {self.user} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AccessLogIsAppendOnly("Access-log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AccessLogIsAppendOnly("Use delete_expired(): the retention rule.")

    # Django's own get_FOO_display hashes every choice's lazy label at each call
    # (a tenth of a page of the log); these read the one label, as it does.
    def get_action_display(self) -> str:
        return _label(AccessAction, self.action)

    def get_purpose_display(self) -> str:
        return _label(AccessPurpose, self.purpose)

    @property
    def number(self) -> str:
        return f"{self.case_number:05d}"


def log_access(
    user,
    case: Case,
    action: str,
    *,
    purpose: str = AccessPurpose.CASEWORK,
    reason: str = "",
) -> CaseAccess:
    return CaseAccess.objects.create(
        case=case,
        case_number=case.pk,
        user=user,
        action=action,
        purpose=purpose,
        reason=reason,
    )


# --- Udsættelsesnetværket -----------------------------------------------------------


class EvictionReport(models.Model):
    """A housing organisation's yearly eviction figures for the eviction network.
    Organisation-level counts entered by the organisation itself: no person."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="eviction_reports",
        verbose_name=_("boligorganisation"),
        limit_choices_to={"kind": "housing"},
    )
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(2015), MaxValueValidator(2100)]
    )
    reminder_letters = models.PositiveIntegerField(
        _("rykkerskrivelser sendt"), validators=[MaxValueValidator(100000)]
    )
    reminders_settled = models.PositiveIntegerField(
        _("rykkere betalt eller aftalt"),
        validators=[MaxValueValidator(100000)],
        help_text=_("Rykkerskrivelser, hvor restancen blev betalt eller aftalt."),
    )
    bailiff_cases = models.PositiveIntegerField(
        _("sager sendt til fogedretten"), validators=[MaxValueValidator(100000)]
    )
    evictions = models.PositiveIntegerField(
        _("gennemførte udsættelser"), validators=[MaxValueValidator(100000)]
    )
    note = models.TextField(_("bemærkning"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("indberettet af"),
    )
    updated_at = models.DateTimeField(_("indberettet"), auto_now=True)
    is_demo = models.BooleanField(_("demodata"), default=False)

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("udsættelsestal")
        verbose_name_plural = _("udsættelsestal")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="evictionreport_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"
