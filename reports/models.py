"""Report runs (one PDF status report, asked for and built in the background), the
schedules that ask for them by themselves, and the unit values (enhedsværdier)
that turn the plan's outcomes into estimated gains (gevinster)."""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Indicator, PlanPeriod
from advice.models import OutcomeKind
from boligsocial import leases
from boligsocial.editing import Versioned
from boligsocial.models import Area, person_who
from boligsocial.periods import CUSTOM, QUARTER, YEAR, Period

PERIOD_KINDS = [(YEAR, _("År")), (QUARTER, _("Kvartal")), (CUSTOM, _("Valgfri"))]


class ReportKind(models.TextChoices):
    LBF = "lbf", _("Statusrapport til Landsbyggefonden")
    MUNICIPALITY = "municipality", _("Statusrapport til Odense Kommune")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Bygges")
    READY = "ready", _("Klar")
    FAILED = "failed", _("Fejlede")


ACTIVE_STATUSES = [RunStatus.QUEUED, RunStatus.RUNNING]


def request_key(*, kind: str, plan_id: int | None, period: Period, area_ids) -> str:
    """The same request (report, plan, period and areas) gives the same key."""
    parts = [kind, str(plan_id or ""), period.start.isoformat(), period.end.isoformat()]
    parts += [str(pk) for pk in sorted(area_ids)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class ReportRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportRunQuerySet":
        """The PDFs leave the portal for LBF and the municipality: coordinators
        and admins see every run; nobody else sees any."""
        if not (user.is_authenticated and user.can_request_reports):
            return self.none()
        return self

    def for_list(self) -> "ReportRunQuerySet":
        return (
            self.select_related("plan_period", "requested_by", "schedule")
            .prefetch_related("areas")
            .order_by("-requested_at", "-pk")
        )

    def active(self) -> "ReportRunQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def left_behind(self, now: datetime.datetime) -> "ReportRunQuerySet":
        """Runs the sweeper queues again: queued for a while (their message never
        reached the broker, or was lost with it), or building without a sign of
        life for longer than the lease (their worker died)."""
        queued = Q(
            status=RunStatus.QUEUED,
            queued_at__lt=now
            - datetime.timedelta(seconds=settings.REPORT_REQUEUE_AFTER),
        )
        return self.filter(queued | lease_ended(now))


def lease_ended(now: datetime.datetime) -> Q:
    """A run building whose worker has not said it is alive within the lease
    (boligsocial.leases): only a build whose worker is gone stops beating."""
    return Q(status=RunStatus.RUNNING) & leases.ended(now)


class ReportRun(models.Model):
    """One PDF report asked for: stored before it is queued, built by the worker
    (queued → running → ready, or failed with the reason), and kept with the
    figures it printed so that it can be traced and rebuilt."""

    Kind = ReportKind
    Status = RunStatus

    kind = models.CharField(_("rapport"), max_length=20, choices=Kind.choices)
    plan_period = models.ForeignKey(
        PlanPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("helhedsplan"),
    )
    start = models.DateField(_("fra"))
    end = models.DateField(_("til"))
    period_kind = models.CharField(
        _("periodetype"), max_length=10, choices=PERIOD_KINDS, default=YEAR
    )
    areas = models.ManyToManyField(
        Area, related_name="report_runs", verbose_name=_("områder")
    )
    request_key = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = person_who(_("bestilt af"))
    schedule = models.ForeignKey(
        "ReportSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("fast bestilling"),
    )
    requested_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    queued_at = models.DateTimeField(_("sat i kø"), default=timezone.now)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    # Renewed by the build while it goes on (the lease: lease_ended).
    heartbeat_at = models.DateTimeField(
        _("sidst i gang"), null=True, blank=True, editable=False
    )
    # How many of its builds lost their worker (their lease ran out).
    stalls = models.PositiveSmallIntegerField(
        _("gået i stå"), default=0, editable=False
    )
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    error = models.TextField(_("fejl"), blank=True)
    notified_at = models.DateTimeField(_("bestiller fik besked"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    pages = models.PositiveSmallIntegerField(_("sider"), null=True, blank=True)
    figures = models.JSONField(_("tallene i rapporten"), default=dict, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("rapportkørsel")
        verbose_name_plural = _("rapportkørsler")
        indexes = [models.Index(fields=["-requested_at", "-id"], name="run_list")]
        constraints = [
            # The same request twice while one is queued or building builds once.
            models.UniqueConstraint(
                fields=["request_key"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_run_per_request",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="report_run_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(kind=ReportKind.LBF) | Q(plan_period__isnull=False),
                name="lbf_report_has_plan",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.READY) | ~Q(pdf=""),
                name="ready_report_has_pdf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period.label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:run_detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.period_kind)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def pdf_name(self) -> str:
        """One file per run, whatever happens: a build done again replaces it."""
        return f"reports/report-{self.pk}.pdf"

    def download_name(self) -> str:
        kind = "lbf" if self.kind == ReportKind.LBF else "odense-kommune"
        return (
            f"statusrapport-{kind}-{self.start.isoformat()}-{self.end.isoformat()}.pdf"
        )

    def claim(self, *, task_id: str) -> bool:
        """Take the run for building, in one UPDATE, so that two deliveries of its
        task never build at once. A queued run can be taken, and so can a run
        that is building when the same task comes again (its message was given
        back after its worker died) or whose lease has ended."""
        now = timezone.now()
        taken = (
            ReportRun.objects.filter(pk=self.pk)
            .filter(
                Q(status=RunStatus.QUEUED)
                | Q(status=RunStatus.RUNNING, task_id=task_id)
                | lease_ended(now)
            )
            .update(
                status=RunStatus.RUNNING,
                started_at=now,
                heartbeat_at=now,
                task_id=task_id,
                attempts=F("attempts") + 1,
                error="",
            )
        )
        self.refresh_from_db()
        return bool(taken)

    def beat(self, *, task_id: str) -> bool:
        """The build of this task is still going: the lease is renewed. False when
        the run is no longer this task's to build."""
        return bool(
            ReportRun.objects.filter(
                pk=self.pk, status=RunStatus.RUNNING, task_id=task_id
            ).update(heartbeat_at=timezone.now())
        )

    def is_building(self, task_id: str) -> bool:
        """Still this task's to build (not taken over meanwhile)."""
        return ReportRun.objects.filter(
            pk=self.pk, status=RunStatus.RUNNING, task_id=task_id
        ).exists()

    @property
    def is_stuck(self) -> bool:
        """Building, but its worker has not been heard from within the lease (the
        rule of lease_ended, for the run in hand)."""
        return self.status == RunStatus.RUNNING and leases.has_ended(
            self.heartbeat_at, self.started_at
        )

    def mark_ready(self, *, pages: int, figures: dict, task_id: str | None = None):
        """The PDF is saved under `pdf_name`; the run records it and its figures.
        Given the build's task, only while the run is still that task's: False
        when another build has taken it over."""
        return self._finish(
            task_id,
            status=RunStatus.READY,
            finished_at=timezone.now(),
            pdf=self.pdf_name,
            pages=pages,
            figures=figures,
        )

    def _finish(self, task_id: str | None, **fields) -> bool:
        runs = ReportRun.objects.filter(pk=self.pk)
        if task_id is not None:
            runs = runs.filter(status=RunStatus.RUNNING, task_id=task_id)
        if not runs.update(**fields):
            return False
        self.refresh_from_db()
        return True

    def take_notification(self) -> bool:
        """True once, for whoever is to tell the requester the run is ready: a
        build delivered again after its worker died tells them if the first did
        not get that far, and never twice."""
        return bool(
            ReportRun.objects.filter(
                pk=self.pk, status=RunStatus.READY, notified_at__isnull=True
            ).update(notified_at=timezone.now())
        )

    def mark_failed(self, reason: str, *, task_id: str | None = None) -> bool:
        """The build failed, and why; given its task, only while the run is still
        that task's (as mark_ready)."""
        return self._finish(
            task_id,
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error=reason[:2000],
        )

    def requeue(self) -> bool:
        """A failed run, or one whose build lost its worker (counted among its
        stalls), is queued again (the retry button; asking again for the same;
        the sweeper); True when it was."""
        now = timezone.now()
        updated = (
            ReportRun.objects.filter(pk=self.pk)
            .filter(Q(status=RunStatus.FAILED) | lease_ended(now))
            .update(
                stalls=Case(
                    When(status=RunStatus.RUNNING, then=F("stalls") + 1),
                    default=F("stalls"),
                    output_field=models.PositiveSmallIntegerField(),
                ),
                status=RunStatus.QUEUED,
                queued_at=now,
                finished_at=None,
                error="",
            )
        )
        self.refresh_from_db()
        return bool(updated)


class ScheduleFrequency(models.TextChoices):
    QUARTERLY = "quarterly", _("Hvert kvartal")
    YEARLY = "yearly", _("Hvert år")


class ReportScheduleQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportScheduleQuerySet":
        """Those who ask for reports keep every schedule (as in the run list)."""
        if not (user.is_authenticated and user.can_request_reports):
            return self.none()
        return self

    def for_list(self) -> "ReportScheduleQuerySet":
        return (
            self.select_related("plan_period", "owner")
            .prefetch_related("areas")
            .order_by("kind", "frequency", "pk")
        )


class ReportSchedule(models.Model):
    """A report asked for by itself after every quarter or year: the run covers
    the period just ended and is mailed to the person who set it up."""

    Frequency = ScheduleFrequency

    kind = models.CharField(_("rapport"), max_length=20, choices=ReportKind.choices)
    frequency = models.CharField(
        _("hyppighed"), max_length=10, choices=Frequency.choices
    )
    plan_period = models.ForeignKey(
        PlanPeriod,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_schedules",
        verbose_name=_("helhedsplan"),
        help_text=_("Kun for rapporten til Landsbyggefonden."),
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="report_schedules",
        verbose_name=_("områder"),
        help_text=_("Ingen valgt: alle områder."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_schedules",
        limit_choices_to={"role__in": ["coordinator", "admin"]},
        verbose_name=_("modtager"),
        help_text=_("Bestiller rapporten og får en mail, når den er klar."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    last_period_end = models.DateField(
        _("seneste periode bestilt til"), null=True, blank=True, editable=False
    )

    objects = ReportScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "frequency"]
        verbose_name = _("fast rapportbestilling")
        verbose_name_plural = _("faste rapportbestillinger")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=ReportKind.LBF) | Q(plan_period__isnull=False),
                name="lbf_schedule_has_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.get_frequency_display().lower()}"

    def clean(self) -> None:
        errors = {}
        if self.kind == ReportKind.LBF and not self.plan_period_id:
            errors["plan_period"] = _("Rapporten til Landsbyggefonden gælder en plan.")
        if (
            self.kind == ReportKind.LBF
            and self.frequency == ScheduleFrequency.QUARTERLY
        ):
            errors["frequency"] = _(
                "Rapporten til Landsbyggefonden gælder et helt år: vælg hvert år."
            )
        if errors:
            raise ValidationError(errors)

    def pause(self) -> None:
        """No more reports until it is resumed; then the period just ended is
        asked for, not the ones missed meanwhile."""
        self.is_active = False
        self.save(update_fields=["is_active"])

    def resume(self) -> None:
        self.is_active = True
        self.save(update_fields=["is_active"])

    def period_due(self, today: datetime.date) -> Period | None:
        """The last whole quarter or year before today, unless it was asked for."""
        if self.frequency == ScheduleFrequency.YEARLY:
            period = Period.year(today.year - 1)
        else:
            period = Period.quarter(today.year, (today.month - 1) // 3 + 1).previous()
        if self.last_period_end and self.last_period_end >= period.end:
            return None
        if self.plan_period_id and period.start.year not in self.plan_period.years:
            return None
        return period


# --- Gains: unit values kept by coordinators -------------------------------------


class GainBasis(models.TextChoices):
    """What a unit value multiplies: a count the portal already keeps."""

    OUTCOME = "outcome", _("Sager med et resultat i den økonomiske rådgivning")
    INDICATOR = "indicator", _("Det opnåede på en eller flere indikatorer")
    PARTICIPANTS = "participants", _("Deltagere i en eller flere aktiviteter")
    NEW_PARTICIPANTS = (
        "new_participants",
        _("Nye deltagere i en eller flere aktiviteter"),
    )


PARTICIPANTS = (GainBasis.PARTICIPANTS, GainBasis.NEW_PARTICIPANTS)

# Years a source or a price level can be from (KL's catalogue cites 2014 prices).
FIRST_YEAR, LAST_YEAR = 1950, 2100
# The most one unit can be worth: well above the catalogue's 15 million kr.
MOST_KRONER = 1_000_000_000

# What a new version of a unit value is: the fields its gains depend on. A change
# to the name, the note or whether it is in use is not a new version.
VERSIONED_FIELDS = [
    "basis",
    "outcome_kind_id",
    "low",
    "high",
    "price_year",
    "source_title",
    "source_publisher",
    "source_year",
    "source_page",
    "source_url",
]


def _kroner(verbose_name):
    return models.IntegerField(
        verbose_name,
        validators=[
            MinValueValidator(0, _("Et beløb kan ikke være negativt.")),
            MaxValueValidator(MOST_KRONER, _("Højst 1.000.000.000 kr. for én enhed.")),
        ],
    )


def _year(verbose_name, **options):
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[
            MinValueValidator(FIRST_YEAR, _("Året skal være 1950 eller senere.")),
            MaxValueValidator(LAST_YEAR, _("Året skal være 2100 eller før.")),
        ],
        **options,
    )


class UnitValueQuerySet(models.QuerySet):
    def in_use(self) -> "UnitValueQuerySet":
        return self.filter(is_active=True)

    def waiting(self) -> "UnitValueQuerySet":
        """Examples nobody has judged and put in use yet."""
        return self.filter(is_active=False, needs_review=True)

    def counting(
        self, *, basis, outcome_kind, indicators, activities
    ) -> "UnitValueQuerySet":
        """The values that multiply some of the same count: the same outcome, an
        indicator in common, or an activity in common (its participants and its
        new participants are the same people)."""
        if basis == GainBasis.OUTCOME:
            return self.filter(basis=basis, outcome_kind=outcome_kind)
        if basis == GainBasis.INDICATOR:
            return self.filter(basis=basis, indicators__in=indicators).distinct()
        return self.filter(basis__in=PARTICIPANTS, activities__in=activities).distinct()

    def for_figures(self) -> "UnitValueQuerySet":
        """What the gains need of each value, in three queries."""
        return (
            self.select_related("outcome_kind")
            .prefetch_related(
                models.Prefetch(
                    "indicators", Indicator.objects.select_related("activity")
                ),
                "activities",
            )
            .order_by("order", "name", "pk")
        )


class UnitValue(Versioned):
    """An enhedsværdi: what one outcome is estimated to be worth in kroner, as a
    range (low to high), with the source it is taken from and the year of its
    prices. Coordinators keep them in the admin; every change that alters the
    gains is a new version (`revision`), kept in its history
    (`UnitValueVersion`), and a report keeps the versions it used in its figure
    record. `version` is the edit guard every edited row has
    (`boligsocial.editing`): it moves on with every save."""

    Basis = GainBasis

    name = models.CharField(_("navn"), max_length=150, unique=True)
    description = models.TextField(
        _("hvad beløbet dækker"),
        blank=True,
        help_text=_("Fx »Et års offentlig forsørgelse« eller »Gevinst over et liv«."),
    )
    basis = models.CharField(_("ganges med"), max_length=20, choices=Basis.choices)
    outcome_kind = models.ForeignKey(
        OutcomeKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resultattype"),
        help_text=_("Når værdien ganges med sager med et resultat."),
    )
    indicators = models.ManyToManyField(
        Indicator,
        blank=True,
        related_name="+",
        verbose_name=_("indikatorer"),
        help_text=_("Når værdien ganges med det opnåede: lægges sammen."),
    )
    activities = models.ManyToManyField(
        Activity,
        blank=True,
        related_name="+",
        verbose_name=_("aktiviteter"),
        help_text=_("Når værdien ganges med deltagere: lægges sammen."),
    )
    low = _kroner(_("lavt skøn, kr. pr. enhed"))
    high = _kroner(_("højt skøn, kr. pr. enhed"))
    price_year = _year(
        _("prisår"), help_text=_("Det år, beløbet er opgjort i priser fra.")
    )
    source_title = models.CharField(_("kildens titel"), max_length=250)
    source_publisher = models.CharField(_("udgiver"), max_length=150)
    source_year = _year(_("udgivelsesår"))
    source_page = models.CharField(_("side"), max_length=40, blank=True)
    source_url = models.URLField(_("link"), max_length=500, blank=True)
    needs_review = models.BooleanField(
        _("eksempel, der skal gennemgås"),
        default=False,
        help_text=_(
            "Sat på de eksempler, portalen kom med. Fjern fluebenet, når I har "
            "vurderet, at værdien passer til jeres tal."
        ),
    )
    is_active = models.BooleanField(_("i brug"), default=True)
    is_demo = models.BooleanField(
        _("demodata"), default=False, help_text=_("Opfundet til demonstration.")
    )
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    revision = models.PositiveIntegerField(_("version"), default=1, editable=False)
    changed_at = models.DateTimeField(
        _("senest ændret"), default=timezone.now, editable=False
    )

    objects = UnitValueQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("enhedsværdi")
        verbose_name_plural = _("enhedsværdier")
        constraints = [
            models.CheckConstraint(
                condition=Q(low__gte=0) & Q(high__gte=F("low")),
                name="unitvalue_low_to_high",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=GainBasis.values),
                name="unitvalue_basis_valid",
            ),
            models.CheckConstraint(
                condition=Q(basis=GainBasis.OUTCOME, outcome_kind__isnull=False)
                | (~Q(basis=GainBasis.OUTCOME) & Q(outcome_kind__isnull=True)),
                name="unitvalue_outcome_basis_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The rules of one value; which indicators or activities it multiplies
        (many-to-many) the admin's form checks (`reports.admin`)."""
        errors = {}
        if self.low is not None and self.high is not None and self.low > self.high:
            errors["high"] = _(
                "Det høje skøn skal være mindst lige så stort som det lave."
            )
        if self.basis == GainBasis.OUTCOME:
            kind = self.outcome_kind if self.outcome_kind_id else None
            if kind is None:
                errors["outcome_kind"] = _("Vælg det resultat, værdien ganges med.")
            elif not kind.is_active and self.is_active:
                errors["outcome_kind"] = _(
                    "Resultattypen »%(kind)s« er ikke længere i brug: vælg en "
                    "anden, eller sæt værdien ud af brug."
                ) % {"kind": kind.name}
        else:
            self.outcome_kind = None
        if not (self.source_page.strip() or self.source_url.strip()):
            errors["source_page"] = _(
                "Skriv siden i kilden eller et link, så andre kan finde tallet."
            )
        if errors:
            raise ValidationError(errors)

    def counted_errors(self, *, indicators, activities) -> dict:
        """The rules of what it multiplies, with its indicators and activities as
        chosen (many-to-many: saved after the value, so the form asks first):
        those its basis needs, and no count another value in use already
        multiplies, so that no gain is counted twice in a total."""
        errors = {}
        if self.basis == GainBasis.INDICATOR and not indicators:
            errors["indicators"] = _("Vælg mindst én indikator.")
        if self.basis in PARTICIPANTS and not activities:
            errors["activities"] = _("Vælg mindst én aktivitet.")
        if errors or not self.is_active or self.basis not in GainBasis.values:
            return errors
        other = (
            UnitValue.objects.in_use()
            .counting(
                basis=self.basis,
                outcome_kind=self.outcome_kind_id,
                indicators=indicators,
                activities=activities,
            )
            .exclude(pk=self.pk)
            .order_by("name")
            .first()
        )
        field = {
            GainBasis.OUTCOME: "outcome_kind",
            GainBasis.INDICATOR: "indicators",
        }.get(self.basis, "activities")
        if other:
            errors[field] = _(
                "»%(other)s« ganges allerede med det samme. Ret den i stedet, så "
                "gevinsten ikke tælles to gange."
            ) % {"other": other.name}
        return errors

    def counted_label(self) -> str:
        """What it multiplies, in words: »Nye deltagere i Fritidsjobrådgivning«
        (its indicators and activities prefetched where there are many)."""
        if self.basis == GainBasis.OUTCOME:
            names = [self.outcome_kind.name] if self.outcome_kind_id else []
        elif self.basis == GainBasis.INDICATOR:
            names = [f"{i.activity.name}: {i.name}" for i in self.indicators.all()]
        else:
            names = [activity.name for activity in self.activities.all()]
        prefix = {
            GainBasis.OUTCOME: _("Sager med resultatet"),
            GainBasis.INDICATOR: _("Opnået på"),
            GainBasis.PARTICIPANTS: _("Deltagere i"),
            GainBasis.NEW_PARTICIPANTS: _("Nye deltagere i"),
        }[self.basis]
        return f"{prefix} {', '.join(names)}" if names else str(prefix)

    def source_label(self) -> str:
        """The source as it is cited: »Titel, Udgiver 2016, s. 5, link«."""
        text = f"{self.source_title}, {self.source_publisher} {self.source_year}"
        if self.source_page.strip():
            text += ", " + _("s. %(page)s") % {"page": self.source_page.strip()}
        if self.source_url.strip():
            text += f", {self.source_url.strip()}"
        return text

    def record_change(self, *, by, previous: dict | None) -> "UnitValueVersion | None":
        """After a save (and its indicators or activities), in its transaction:
        a new version when what the gains depend on changed (`previous`: the
        values before, read with the row locked; None for a new value). The
        version numbers follow the history, whatever the row was loaded with."""
        latest = self.versions.aggregate(n=models.Max("revision"))["n"] or 0
        if latest and previous is not None and previous == self.snapshot():
            # Nothing the gains depend on changed: the latest version stands.
            self.revision = latest
            UnitValue.objects.filter(pk=self.pk).update(revision=latest)
            return None
        self.revision, self.changed_at = latest + 1, timezone.now()
        UnitValue.objects.filter(pk=self.pk).update(
            revision=self.revision, changed_at=self.changed_at
        )
        return UnitValueVersion.objects.create(
            unit_value=self,
            revision=self.revision,
            changed_at=self.changed_at,
            changed_by=by,
            low=self.low,
            high=self.high,
            price_year=self.price_year,
            counted=self.counted_label(),
            source=self.source_label(),
        )

    def snapshot(self) -> dict:
        """What its gains depend on, to tell whether a save made a new version."""
        values = {name: getattr(self, name) for name in VERSIONED_FIELDS}
        values["indicators"] = sorted(i.pk for i in self.indicators.all())
        values["activities"] = sorted(a.pk for a in self.activities.all())
        return values


class UnitValueVersion(models.Model):
    """One version of a unit value, as it was from `changed_at` until the next:
    its history, which nobody edits."""

    unit_value = models.ForeignKey(
        UnitValue,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("enhedsværdi"),
    )
    revision = models.PositiveIntegerField(_("version"))
    changed_at = models.DateTimeField(_("gældende fra"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ændret af"),
    )
    low = models.IntegerField(_("lavt skøn, kr."))
    high = models.IntegerField(_("højt skøn, kr."))
    price_year = models.PositiveSmallIntegerField(_("prisår"))
    counted = models.TextField(_("ganges med"))
    source = models.TextField(_("kilde"))

    class Meta:
        ordering = ["unit_value", "-revision"]
        verbose_name = _("version af en enhedsværdi")
        verbose_name_plural = _("versioner")
        constraints = [
            models.UniqueConstraint(
                fields=["unit_value", "revision"], name="unitvalueversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_value_id} v{self.revision}"
