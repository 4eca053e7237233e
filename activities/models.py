"""The helhedsplan: plan periods, focus areas, activities, indicators and targets."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boligsocial.models import Area, Organisation


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


class FocusArea(models.Model):
    """An indsatsområde with the goals LBF fixed for it, or a cross-cutting effort."""

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
        ).prefetch_related(
            "areas",
            "partners",
            Prefetch("indicators", Indicator.objects.prefetch_related("targets")),
        )

    def in_areas(self, areas) -> "ActivityQuerySet":
        return self.filter(areas__in=areas).distinct()


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
