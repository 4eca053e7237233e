"""The helhedsplan: plan periods, focus areas, activities, indicators and targets."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from boligsocial.clock import skipped_time_error
from boligsocial.editing import StaleEdit, SubmittedOnce, Versioned
from boligsocial.lists import how_many
from boligsocial.models import Area, Organisation, User


class PlanPeriodQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None) -> "PlanPeriod | None":
        today = today or timezone.localdate()
        return self.filter(start__lte=today, end__gte=today).first()

    def for_overview(self) -> "PlanPeriodQuerySet":
        activities = Activity.objects.order_by("order", "name")
        return self.prefetch_related(
            "areas",
            Prefetch(
                "focus_areas",
                FocusArea.objects.order_by("order").prefetch_related(
                    Prefetch("activities", activities)
                ),
            ),
        )


class PlanPeriod(models.Model):
    """One boligsocial helhedsplan, funded for a run of years (e.g. 2024–2028)."""

    name = models.CharField(_("navn"), max_length=150, unique=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("slut"))
    areas = models.ManyToManyField(
        Area, related_name="plan_periods", verbose_name=_("boligområder")
    )
    description = models.TextField(_("beskrivelse"), blank=True)

    objects = PlanPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("helhedsplan")
        verbose_name_plural = _("helhedsplaner")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="plan_period_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:plan_detail", args=[self.pk])

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("Slutdatoen skal ligge efter starten.")})

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def current_year(self, today: datetime.date | None = None) -> int:
        """This year, held within the plan's years."""
        year = (today or timezone.localdate()).year
        return min(max(year, self.years[0]), self.years[-1])


class Theme(models.TextChoices):
    """What a focus area is about, so that reports can group focus areas of
    different plans (the 2017–2021 and 2024–2028 plans name theirs differently)."""

    EDUCATION = "education", _("Uddannelse")
    EMPLOYMENT = "employment", _("Beskæftigelse")
    CRIME_PREVENTION = "crime_prevention", _("Kriminalitetsforebyggelse")
    SAFETY = "safety", _("Tryghed og trivsel")
    COMMUNITY = "community", _("Fællesskaber og medborgerskab")
    PREPAREDNESS = "preparedness", _("Beredskab")


class FocusArea(models.Model):
    """An indsatsområde with the goals LBF fixed for it, or a cross-cutting effort."""

    Theme = Theme

    class Kind(models.TextChoices):
        FOCUS_AREA = "focus_area", _("Indsatsområde")
        CROSS_CUTTING = "cross_cutting", _("Tværgående indsats")

    plan_period = models.ForeignKey(
        PlanPeriod,
        on_delete=models.CASCADE,
        related_name="focus_areas",
        verbose_name=_("helhedsplan"),
    )
    name = models.CharField(_("navn"), max_length=150)
    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=Kind.FOCUS_AREA
    )
    theme = models.CharField(
        _("tema i rapporterne"),
        max_length=20,
        choices=Theme.choices,
        blank=True,
        help_text=_("Hvor indsatsområdets aktiviteter står i kommunens statusrapport."),
    )
    goals = models.TextField(_("mål"), blank=True, help_text=_("Ét mål pr. linje."))
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        ordering = ["plan_period", "order", "name"]
        verbose_name = _("indsatsområde")
        verbose_name_plural = _("indsatsområder")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_period", "name"], name="focus_area_unique_per_plan"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]


class ActivityQuerySet(models.QuerySet):
    def for_detail(self) -> "ActivityQuerySet":
        return self.select_related(
            "focus_area__plan_period", "responsible"
        ).prefetch_related("areas", "partners")

    def in_areas(self, areas) -> "ActivityQuerySet":
        return self.filter(areas__in=areas).distinct()

    def open(self) -> "ActivityQuerySet":
        """Activities still run: logged and planned (the ended ones are history)."""
        return self.exclude(status=ActivityStatus.ENDED)

    def in_plan_order(self) -> "ActivityQuerySet":
        """Newest plan first, then the focus areas' and activities' own order."""
        return self.select_related("focus_area__plan_period").order_by(
            "-focus_area__plan_period__start", "focus_area__order", "order", "name"
        )

    def for_year_close(
        self, year: int, *, changed_since: datetime.datetime
    ) -> "ActivityQuerySet":
        """The year's close: each activity with its status text for `year` (in
        `year_status_list`, with its last event), its number of indicators, how
        many of them have no target for the year after, and how many of its
        records of `year` were saved since `changed_since`. Two queries, however
        many activities."""
        indicators = Indicator.objects.filter(activity=OuterRef("pk"))
        records = ActivityRecord.objects.filter(
            activity=OuterRef("pk"), date__year=year, updated_at__gte=changed_since
        )
        texts = (
            YearStatus.objects.filter(year=year)
            .select_related("written_by")
            .with_last_event()
        )
        return (
            self.select_related("focus_area")
            .annotate(
                indicator_count=how_many(indicators),
                targets_missing=how_many(indicators.exclude(targets__year=year + 1)),
                records_changed=how_many(records),
            )
            .prefetch_related(
                Prefetch("year_statuses", texts, to_attr="year_status_list")
            )
            .order_by("focus_area__order", "focus_area__name", "order", "name")
        )


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    ONGOING = "ongoing", _("Igangværende")
    PAUSED = "paused", _("Sat på pause")
    ENDED = "ended", _("Afsluttet")


class Activity(models.Model):
    """An aktivitet of the plan: what is done, for whom, where and with whom."""

    Status = ActivityStatus

    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("indsatsområde"),
    )
    name = models.CharField(_("navn"), max_length=200)
    purpose = models.TextField(_("formål"), blank=True)
    target_group = models.CharField(_("målgruppe"), max_length=250, blank=True)
    areas = models.ManyToManyField(
        Area, related_name="activities", verbose_name=_("boligområder")
    )
    responsible = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        verbose_name=_("ansvarlig organisation"),
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="partner_in",
        verbose_name=_("samarbejdspartnere"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ONGOING
    )
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    # The version of the targets grid: two coordinators setting måltal at once.
    targets_version = models.PositiveIntegerField(default=1, editable=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["focus_area", "order", "name"]
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        constraints = [
            models.UniqueConstraint(
                fields=["focus_area", "name"], name="activity_unique_per_focus_area"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values),
                name="activity_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:activity_detail", args=[self.pk])

    def claim_targets(self, *, version: int) -> None:
        """Targets are about to be saved from the grid shown at `version`; refuse
        (StaleEdit) when someone saved the targets since."""
        claimed = Activity.objects.filter(pk=self.pk, targets_version=version)
        if not claimed.update(targets_version=F("targets_version") + 1):
            raise StaleEdit
        self.targets_version = version + 1


class Indicator(models.Model):
    """What an activity counts (its måltal are set per year as Targets)."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("aktivitet"),
    )
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("hvad der tælles"), blank=True)
    unit = models.CharField(_("enhed"), max_length=40)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        ordering = ["activity", "order", "name"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "name"], name="indicator_unique_per_activity"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def target_for(self, year: int) -> "Target | None":
        """The year's target, from prefetched targets when they are there."""
        return next((t for t in self.targets.all() if t.year == year), None)


class Target(models.Model):
    """An indicator's måltal for one year of its plan period."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("indikator"),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    value = models.PositiveIntegerField(_("måltal"))
    note = models.CharField(_("note"), max_length=250, blank=True)
    is_demo = models.BooleanField(
        _("demodata"), default=False, help_text=_("Opfundet til demonstration.")
    )

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("måltal")
        verbose_name_plural = _("måltal")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], name="target_unique_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"

    def clean(self) -> None:
        if not (self.indicator_id and self.year):
            return
        period = self.indicator.activity.focus_area.plan_period
        if self.year not in period.years:
            raise ValidationError(
                {
                    "year": _("Året skal ligge i helhedsplanen (%(first)s–%(last)s).")
                    % {"first": period.years[0], "last": period.years[-1]}
                }
            )


# --- What happened: activity records ------------------------------------------------


class YearStatusQuerySet(models.QuerySet):
    def locked(self) -> "YearStatusQuerySet":
        return self.filter(approved_at__isnull=False)

    def awaiting_approval(self) -> "YearStatusQuerySet":
        """Written (or written again) and not yet approved or sent back."""
        return self.filter(approved_at__isnull=True, sent_back_at__isnull=True)

    def with_last_event(self) -> "YearStatusQuerySet":
        """Each text with its latest approval event's action and note (a text
        re-opened, the reason it was sent back), in the same query."""
        latest = YearStatusEvent.objects.filter(year_status=OuterRef("pk")).order_by(
            "-at", "-pk"
        )
        return self.annotate(
            last_action=Subquery(latest.values("action")[:1]),
            last_note=Subquery(latest.values("note")[:1]),
        )


class CloseState(models.TextChoices):
    """A status text in the year's close. There is no separate draft: saving a
    text submits it for approval; a text sent back is with its writer again."""

    MISSING = "missing", _("Mangler")
    SENT_BACK = "sent_back", _("Sendt tilbage")
    AWAITING = "awaiting", _("Venter på godkendelse")
    REOPENED = "reopened", _("Genåbnet")
    APPROVED = "approved", _("Godkendt")


class YearStatus(Versioned):
    """An activity's status and narrative for one year; approval locks the year."""

    class Status(models.TextChoices):
        DONE = "done", _("Gennemført")
        ONGOING = "ongoing", _("Igangværende")
        PLANNED = "planned", _("Planlagt")
        PAUSED = "paused", _("Sat på pause")

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="year_statuses",
        verbose_name=_("aktivitet"),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    narrative = models.TextField(
        _("statustekst"),
        max_length=3000,
        help_text=_("Kort fortælling om året til rapporterne."),
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("skrevet af"),
    )
    updated_at = models.DateTimeField(_("opdateret"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkendt af"),
    )
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    # A coordinator sent the text back to be rewritten (the reason is in its
    # events); writing it again clears this.
    sent_back_at = models.DateTimeField(_("sendt tilbage"), null=True, blank=True)

    objects = YearStatusQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "-year"]
        verbose_name = _("årsstatus")
        verbose_name_plural = _("årsstatusser")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "year"], name="year_status_unique_per_activity"
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(approved_by__isnull=False),
                name="year_status_approval_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.approved_at is not None

    def approve(self, *, by, version: int | None = None) -> None:
        """A coordinator approves the year: its text and its records are locked.

        A button passes the `version` of the text it showed: a text written
        again since is refused (StaleEdit), so nobody approves what they did
        not read. (The demo data and tests approve without one.)"""
        with transaction.atomic():
            self._change(
                version, approved_by=by, approved_at=timezone.now(), sent_back_at=None
            )
            self.events.create(action=YearStatusEvent.Action.APPROVED, by=by)

    def _change(self, version: int | None, **changes) -> None:
        """Set `changes`, claiming `version` first when one is given."""
        if version is not None:
            self.claim(version, **changes)
        for name, value in changes.items():
            setattr(self, name, value)
        if version is None:
            self.save(update_fields=list(changes))

    @property
    def is_sent_back(self) -> bool:
        return self.sent_back_at is not None and not self.is_locked

    @property
    def state(self) -> "CloseState":
        """Where the text stands in the year's close. Re-opened is read from
        `last_action`, which `with_last_event()` sets."""
        if self.pk is None:
            return CloseState.MISSING
        if self.is_locked:
            return CloseState.APPROVED
        if self.is_sent_back:
            return CloseState.SENT_BACK
        if getattr(self, "last_action", None) == YearStatusEvent.Action.REOPENED:
            return CloseState.REOPENED
        return CloseState.AWAITING

    def send_back(self, *, by, reason: str, version: int | None = None) -> None:
        """A coordinator asks for the text to be written again, and says why
        (refused, StaleEdit, when the text was written again since `version`)."""
        with transaction.atomic():
            self._change(version, sent_back_at=timezone.now())
            self.events.create(
                action=YearStatusEvent.Action.SENT_BACK, by=by, note=reason
            )

    def get_absolute_url(self) -> str:
        return f"{self.activity.get_absolute_url()}?year={self.year}"

    def reopen(self, *, by, reason: str) -> None:
        """A coordinator re-opens an approved year; the reason is kept."""
        self.approved_by, self.approved_at = None, None
        self.save(update_fields=["approved_by", "approved_at"])
        self.events.create(action=YearStatusEvent.Action.REOPENED, by=by, note=reason)


class YearStatusEvent(models.Model):
    """The record of approvals and re-openings of a year (who, when, why)."""

    class Action(models.TextChoices):
        APPROVED = "approved", _("Godkendt")
        REOPENED = "reopened", _("Genåbnet")
        SENT_BACK = "sent_back", _("Sendt tilbage")

    year_status = models.ForeignKey(
        YearStatus, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("handling"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)
    note = models.CharField(_("begrundelse"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("godkendelseshændelse")
        verbose_name_plural = _("godkendelseshændelser")

    def __str__(self) -> str:
        return f"{self.year_status} {self.get_action_display()}"


def is_year_locked(activity_id: int, year: int) -> bool:
    return (
        YearStatus.objects.locked().filter(activity_id=activity_id, year=year).exists()
    )


def locked_years(activity_ids) -> set[tuple[int, int]]:
    """(activity id, year) pairs that are approved and locked, in one query."""
    return set(
        YearStatus.objects.locked()
        .filter(activity_id__in=activity_ids)
        .values_list("activity_id", "year")
    )


class ActivityRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActivityRecordQuerySet":
        """Records name what staff did and hold notes: people inside only."""
        if not user.is_authenticated or user.is_partner:
            return self.none()
        return self

    def for_list(self) -> "ActivityRecordQuerySet":
        return self.select_related(
            "activity__focus_area__plan_period", "area", "department", "created_by"
        ).order_by("-date", "-pk")

    def in_year(self, year: int) -> "ActivityRecordQuerySet":
        return self.filter(date__year=year)


# The breakdowns of the participants: each group either is left empty (all zero)
# or adds up to the total. Field name → label.
AGE_BANDS = {
    "age_0_12": _("0–12 år"),
    "age_13_17": _("13–17 år"),
    "age_18_29": _("18–29 år"),
    "age_30_64": _("30–64 år"),
    "age_65_plus": _("65 år og derover"),
}
GENDERS = {
    "women": _("Kvinder/piger"),
    "men": _("Mænd/drenge"),
    "gender_other": _("Andet/uoplyst køn"),
}
NEW_OR_RETURNING = {
    "participants_new": _("Nye"),
    "participants_returning": _("Tilbagevendende"),
}
BREAKDOWNS = {
    _("aldersgrupper"): AGE_BANDS,
    _("køn"): GENDERS,
    _("nye og tilbagevendende"): NEW_OR_RETURNING,
}


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class ActivityRecord(Versioned, SubmittedOnce):
    """What happened in an activity on one day: who took part and what came of it."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("aktivitet"),
    )
    date = models.DateField(_("dato"))
    start_time = models.TimeField(_("fra kl."), null=True, blank=True)
    end_time = models.TimeField(_("til kl."), null=True, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="records", verbose_name=_("område")
    )
    department = models.ForeignKey(
        "boligsocial.HousingDepartment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("boligafdeling"),
    )
    participants = models.PositiveIntegerField(_("deltagere i alt"))
    age_0_12 = _count(AGE_BANDS["age_0_12"])
    age_13_17 = _count(AGE_BANDS["age_13_17"])
    age_18_29 = _count(AGE_BANDS["age_18_29"])
    age_30_64 = _count(AGE_BANDS["age_30_64"])
    age_65_plus = _count(AGE_BANDS["age_65_plus"])
    women = _count(GENDERS["women"])
    men = _count(GENDERS["men"])
    gender_other = _count(GENDERS["gender_other"])
    participants_new = _count(NEW_OR_RETURNING["participants_new"])
    participants_returning = _count(NEW_OR_RETURNING["participants_returning"])
    volunteers = _count(_("frivillige"))
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="records_present",
        verbose_name=_("samarbejdspartnere til stede"),
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activity_records",
        verbose_name=_("registreret af"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    objects = ActivityRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("aktivitetsregistrering")
        verbose_name_plural = _("aktivitetsregistreringer")
        indexes = [
            models.Index(fields=["activity", "date"]),
            # The list's order (tests/test_list_indexes.py).
            models.Index(fields=["-date", "-id"], name="record_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gt=F("start_time")),
                name="record_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("activities:record_edit", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.date and self.date > timezone.localdate():
            errors.setdefault("date", []).append(
                _("Datoen kan ikke ligge i fremtiden.")
            )
        if self.date and self.activity_id and self._year_locked():
            # Says how to open the year again: a coordinator importing history
            # into an approved year is the one who can.
            errors.setdefault("date", []).append(
                _(
                    "%(year)s er godkendt og låst for aktiviteten. En koordinator "
                    "kan genåbne året på aktivitetens side: vælg år %(year)s, og tryk "
                    "på »Genåbn året« under »Årsstatus %(year)s«."
                )
                % {"year": self.date.year}
            )
        if (
            self.activity_id
            and self.area_id
            # all(): the areas an import prefetched, else one query.
            and self.area_id not in {area.pk for area in self.activity.areas.all()}
        ):
            errors.setdefault("area", []).append(
                _("Aktiviteten kører ikke i %(area)s.") % {"area": self.area}
            )
        if self.department_id and self.department.area_id != self.area_id:
            errors.setdefault("department", []).append(
                _("Afdelingen ligger ikke i det valgte område.")
            )
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors.setdefault("end_time", []).append(
                _("Sluttidspunktet skal ligge efter starten.")
            )
        for name in ("start_time", "end_time"):
            if error := skipped_time_error(self.date, getattr(self, name)):
                errors.setdefault(name, []).append(error)
        most = settings.RECORD_MAX_PARTICIPANTS
        for name in ("participants", "volunteers"):
            if (getattr(self, name) or 0) > most:
                errors.setdefault(name, []).append(
                    _(
                        "Højst %(max)s i én registrering. Er tallet rigtigt, så del "
                        "den op i flere."
                    )
                    % {"max": number_format(most, force_grouping=True)}
                )
        for label, fields in BREAKDOWNS.items():
            total = sum(getattr(self, name) or 0 for name in fields)
            if total and self.participants is not None and total != self.participants:
                # Said once for the form (the message names the group), not
                # under each of the group's fields.
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    _(
                        "Fordelingen på %(group)s giver %(sum)s, men der er "
                        "%(total)s deltagere."
                    )
                    % {"group": label, "sum": total, "total": self.participants}
                )
        if errors:
            raise ValidationError(errors)

    def _year_locked(self) -> bool:
        """Whether the record's year is approved and locked for its activity;
        `known_locks` (locked_years, set by an import for all its rows) spares
        the query."""
        locks = getattr(self, "known_locks", None)
        if locks is None:
            return is_year_locked(self.activity_id, self.date.year)
        return (self.activity_id, self.date.year) in locks

    def validate_constraints(self, exclude=None):
        """Django's check, without record_ends_after_it_starts: clean() checks
        that rule with a clearer message and the database enforces it, while
        Django's own check of it costs some 2 ms a row (a sheet has thousands)."""
        errors = {}
        for constraint in self._meta.constraints:
            if constraint.name == "record_ends_after_it_starts":
                continue
            try:
                constraint.validate(type(self), self, exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def is_editable_by(self, user, *, locked: set | None = None) -> bool:
        """The author and coordinators may change a record, outside a locked year.

        `locked` is `locked_years(...)` when a list checks many records at once.
        """
        if not (user.can_edit_all_records or self.created_by_id == user.pk):
            return False
        if locked is None:
            return not is_year_locked(self.activity_id, self.date.year)
        return (self.activity_id, self.date.year) not in locked


class IndicatorValue(models.Model):
    """What a record contributed to one of its activity's indicators."""

    record = models.ForeignKey(
        ActivityRecord, on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values"
    )
    value = models.PositiveIntegerField(_("værdi"))

    class Meta:
        verbose_name = _("indikatorværdi")
        verbose_name_plural = _("indikatorværdier")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "indicator"], name="one_value_per_record_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"

    def clean(self) -> None:
        if self.indicator.activity_id != self.record.activity_id:
            raise ValidationError(
                {"indicator": _("Indikatoren hører ikke til aktiviteten.")}
            )


# --- The records by month: what the figures read -------------------------------------


class RecordMonth(models.Model):
    """An activity's records in one area in one calendar month, added up. The
    figures read whole months here and only a period's odd days from the records,
    so the dashboard costs the same at ten years of records as at one.

    Kept by the database itself: triggers (migration activities 0011) add and
    subtract every record and indicator value inserted, changed or deleted, in
    the same transaction, whatever wrote it (a form, an import, a delete, a
    restore's erasures). Nothing in Python writes these tables. A month no record
    is left in is removed."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    records = models.IntegerField()
    participants = models.BigIntegerField()
    participants_new = models.BigIntegerField()
    volunteers = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "area", "month"], name="one_record_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.area_id}/{self.month:%Y-%m}: {self.records}"


class IndicatorMonth(models.Model):
    """An indicator's values in one area in one calendar month, added up, and how
    many values there were (a month with none left is removed). Kept by the
    database, as RecordMonth is."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    value = models.BigIntegerField()
    count = models.IntegerField()  # of values

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "month"], name="one_indicator_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.area_id}/{self.month:%Y-%m}: {self.value}"


# --- What is planned: sessions and events ---------------------------------------------


# How far back a calendar feed reaches: a calendar app keeps what it fetched
# before, and ten years of past events would make every refresh slow.
FEED_DAYS_BACK = 90


class PlannedEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PlannedEventQuerySet":
        """Partners see the calendar of their own areas; people inside see all."""
        return self.filter(area__in=Area.objects.visible_to(user))

    def upcoming(self, today: datetime.date | None = None) -> "PlannedEventQuerySet":
        return self.filter(date__gte=today or timezone.localdate())

    def for_calendar(self) -> "PlannedEventQuerySet":
        """In date order, each marked (`parallel`) when it shares its day and area
        with another organiser, counted over all events of every organisation: a
        parallel effort of another activity or organisation is what the calendar
        is there to show. A cancelled event neither carries nor gives the mark.
        (Whoever sees an event sees every event of its area, so the mark tells
        nobody of an event they could not see.)"""
        others = PlannedEvent.objects.filter(
            date=OuterRef("date"), area=OuterRef("area"), cancelled_at__isnull=True
        ).exclude(organiser=OuterRef("organiser"))
        return (
            self.select_related("activity", "area", "organiser")
            .annotate(
                parallel=ExpressionWrapper(
                    Q(cancelled_at__isnull=True) & Exists(others),
                    output_field=models.BooleanField(),
                )
            )
            .order_by("date", "start_time", "pk")
        )

    def for_feed(self, user, today: datetime.date) -> "PlannedEventQuerySet":
        """What the person's calendar feed holds: the events they may see now,
        from FEED_DAYS_BACK days ago onwards, with the parallel mark, in one query."""
        since = today - datetime.timedelta(days=FEED_DAYS_BACK)
        return self.visible_to(user).filter(date__gte=since).for_calendar()

    def not_cancelled(self) -> "PlannedEventQuerySet":
        return self.filter(cancelled_at__isnull=True)


class PlannedEvent(Versioned, SubmittedOnce):
    """A planned session or event of an activity: who does what, where and when."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="planned_events",
        verbose_name=_("aktivitet"),
    )
    title = models.CharField(_("titel"), max_length=200)
    date = models.DateField(_("dato"))
    start_time = models.TimeField(_("fra kl."), null=True, blank=True)
    end_time = models.TimeField(_("til kl."), null=True, blank=True)
    place = models.CharField(_("sted"), max_length=200)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="planned_events",
        verbose_name=_("område"),
    )
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="planned_events",
        verbose_name=_("arrangør"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("oprettet af"),
    )
    # Cancelled, not deleted: the others who planned around it see it called off
    # (struck through in the calendar, STATUS:CANCELLED in the feeds).
    cancelled_at = models.DateTimeField(_("aflyst"), null=True, blank=True)

    objects = PlannedEventQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("planlagt aktivitet")
        verbose_name_plural = _("planlagte aktiviteter")
        indexes = [
            # The calendar and the feeds read by day; the parallel mark looks up
            # the other events of one day in one area.
            models.Index(fields=["date", "area"], name="event_day_area"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gt=F("start_time")),
                name="event_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if (
            self.activity_id
            and self.area_id
            # all(): the areas an import prefetched, else one query.
            and self.area_id not in {area.pk for area in self.activity.areas.all()}
        ):
            errors["area"] = _("Aktiviteten kører ikke i %(area)s.") % {
                "area": self.area
            }
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("Sluttidspunktet skal ligge efter starten.")
        for name in ("start_time", "end_time"):
            if error := skipped_time_error(self.date, getattr(self, name)):
                errors[name] = error
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @staticmethod
    def may_be_planned_by(user) -> bool:
        """Everyone who logs activities plans events; a partner plans its own
        organisation's events in the areas it is granted (the form offers no
        other area)."""
        if user.can_log_activities:
            return True
        return user.is_active and user.is_partner and user.organisation_id is not None

    def is_managed_by(self, user) -> bool:
        """Who changes, cancels (and, inside BoligSocialt Hus, deletes) the event:
        its author or a coordinator; a partner its own organisation's events."""
        if user.is_active and user.is_partner:
            return (
                user.organisation_id is not None
                and self.organiser_id == user.organisation_id
            )
        return user.can_log_activities and (
            user.can_edit_all_records or self.created_by_id == user.pk
        )

    def is_editable_by(self, user) -> bool:
        """A cancelled event stays as it was called off."""
        return not self.is_cancelled and self.is_managed_by(user)

    def is_deletable_by(self, user) -> bool:
        """Deleting is for an event that should never have been in the calendar;
        a partner cancels, so the other organisations see the change."""
        return not user.is_partner and self.is_managed_by(user)

    def cancel(self, *, version: int) -> None:
        """Call the event off (StaleEdit when someone changed it since it was shown)."""
        if self.is_cancelled:
            return
        self.claim(version, cancelled_at=timezone.now())
        self.refresh_from_db(fields=["cancelled_at", "version"])


class CalendarFeedQuerySet(models.QuerySet):
    def active(self) -> "CalendarFeedQuerySet":
        """Feeds not stopped, of people who can still log in."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class CalendarFeed(models.Model):
    """A person's private calendar feed: an address with a random token that a
    calendar app (Outlook, Google) fetches without logging in.

    The token is kept as it is, not hashed: the person's subscription page shows
    the address again whenever they add it to another calendar, and what it opens
    (events, which hold no personal data) is less than a reader of this table
    already has. A new address revokes the old one; revoked rows stay, to tell
    when an address stopped working.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    token = models.CharField(_("nøgle"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    revoked_at = models.DateTimeField(_("stoppet"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kalenderabonnement")
        verbose_name_plural = _("kalenderabonnementer")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("activities:calendar_feed", args=[self.token])

    @classmethod
    def current_for(cls, user) -> "CalendarFeed | None":
        return cls.objects.filter(user=user, revoked_at__isnull=True).first()

    @classmethod
    @transaction.atomic
    def renew(cls, user) -> "CalendarFeed":
        """A new address for the person; the one they had stops working. The
        person's row is locked, so two renewals at once make one address each in
        turn, never two live ones."""
        User.objects.select_for_update().filter(pk=user.pk).first()
        cls.stop(user)
        return cls.objects.create(user=user, token=secrets.token_urlsafe(32))

    @classmethod
    def stop(cls, user) -> int:
        """The person's address stops working (how many were live: 0 or 1)."""
        return cls.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
