"""Forms of the activities app: records, targets, status texts, the list filter."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from boligsocial.editing import GuardedModelForm, StaleEdit, VersionField
from boligsocial.forms import DateInput, KnownChoiceField, whole_number
from boligsocial.models import Area, HousingDepartment, Organisation, User

from .models import (
    AGE_BANDS,
    GENDERS,
    NEW_OR_RETURNING,
    Activity,
    ActivityRecord,
    FocusArea,
    Indicator,
    IndicatorValue,
    Target,
    YearStatus,
)

INDICATOR_PREFIX = "indicator_"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def loggable_activities(*, history: bool = False):
    """Activities that are still run: the current plan's and those that go on.
    With `history`, every plan's activities, the ended ones too: where the
    coordinators' historic import places records."""
    activities = Activity.objects.all() if history else Activity.objects.open()
    return activities.in_plan_order()


class ActivityChoiceField(KnownChoiceField):
    # Two plans may hold activities of the same name; the focus area tells them apart.
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.focus_area.name})"


class RecordForm(GuardedModelForm):
    """One screen for one record: the activity's indicators appear as count fields.

    `history`: a record of the historic import, which may name an ended activity
    or one of an earlier plan; its date must then lie in the activity's plan
    (from its start; for an ended activity, up to its end as well)."""

    activity = ActivityChoiceField(
        queryset=Activity.objects.none(), label=_("Aktivitet")
    )

    class Meta:
        model = ActivityRecord
        fields = [
            "activity",
            "date",
            "start_time",
            "end_time",
            "area",
            "department",
            "participants",
            *AGE_BANDS,
            *GENDERS,
            *NEW_OR_RETURNING,
            "volunteers",
            "partners",
            "note",
        ]
        field_classes = {"area": KnownChoiceField, "department": KnownChoiceField}
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "partners": forms.CheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args,
        activity: Activity | None = None,
        history: bool = False,
        known=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.history = history
        self.known = known
        for name in [*AGE_BANDS, *GENDERS, *NEW_OR_RETURNING, "volunteers"]:
            self.fields[name].required = False
        self.activity = activity or self.instance_activity()
        self.indicators = list(self.activity.indicators.all()) if self.activity else []
        if self.activity:
            self.fields["area"].error_messages["invalid_choice"] = _(
                "Aktiviteten kører ikke i det valgte område."
            )
        area = whole_number(self["area"].value())
        if known is None:
            self._choices(area)
        else:
            self._know(known, area)
        current = self.current_values()
        for indicator in self.indicators:
            self.fields[f"{INDICATOR_PREFIX}{indicator.pk}"] = forms.IntegerField(
                label=indicator.name,
                # Escaped: a help text is shown as HTML; the unit is typed in
                # the admin.
                help_text=escape(indicator.unit),
                min_value=0,
                required=False,
                initial=current.get(indicator.pk),
            )

    def _choices(self, area: int | None) -> None:
        """What the screen offers: the loggable activities, the activity's areas,
        the chosen area's departments (the model checks them again)."""
        self.fields["activity"].queryset = self.activity_choices()
        if self.activity:
            self.fields["area"].queryset = self.activity.areas.all()
        else:
            self.fields["area"].queryset = Area.objects.all()
        if area is not None:
            departments = HousingDepartment.objects.filter(area_id=area)
        else:
            departments = HousingDepartment.objects.select_related("area")
        self.fields["department"].queryset = departments
        self.fields["partners"].queryset = Organisation.objects.exclude(
            kind=Organisation.Kind.BOLIGSOCIALT_HUS
        )

    def _know(self, known, area: int | None) -> None:
        """An import's catalogue (`known`: activities, departments and locked
        years loaded once for the sheet) answers the choices and the year locks
        without a query per row; the rules stay the form's and the model's."""
        self.fields["activity"].known = known.activity_objects
        if self.activity:
            areas = {str(a.pk): a for a in self.activity.areas.all()}
        else:
            areas = known.area_objects
        self.fields["area"].known = areas
        self.fields["department"].known = known.department_objects(area)
        self.instance.known_locks = known.locks

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.known is not None:
            # Loaded by the import a moment ago: no query to see that they exist.
            exclude |= {"activity", "area", "department"}
        return exclude

    def activity_choices(self):
        """The loggable activities; and a saved record's own activity, ended since
        or imported as history, so that the record can still be corrected."""
        if self.history or not self.instance.activity_id:
            return loggable_activities(history=self.history)
        return loggable_activities(history=True).filter(
            ~Q(status=Activity.Status.ENDED) | Q(pk=self.instance.activity_id)
        )

    def instance_activity(self) -> Activity | None:
        if self.instance.activity_id:
            return self.instance.activity
        return None

    def current_values(self) -> dict[int, int]:
        if not self.instance.pk:
            return {}
        return {v.indicator_id: v.value for v in self.instance.values.all()}

    @cached_property
    def helper(self) -> FormHelper:
        """The crispy layout, built only when the form is rendered (not on import)."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        indicator_fields = [f"{INDICATOR_PREFIX}{i.pk}" for i in self.indicators]
        results = (
            [Fieldset(_("Resultater (aktivitetens indikatorer)"), *indicator_fields)]
            if indicator_fields
            else []
        )
        helper.layout = Layout(
            "activity",
            Row(
                Column("date", css_class="col-12 col-sm-6"),
                Column("start_time", css_class="col-6 col-sm-3"),
                Column("end_time", css_class="col-6 col-sm-3"),
            ),
            Row(
                Column("area", css_class="col-12 col-sm-6"),
                Column("department", css_class="col-12 col-sm-6"),
            ),
            Row(
                Column("participants", css_class="col-6"),
                Column("volunteers", css_class="col-6"),
            ),
            *results,
            Fieldset(
                _("Fordeling af deltagerne (valgfri; skal give det samlede antal)"),
                Row(*[Column(n, css_class="col-6 col-md") for n in AGE_BANDS]),
                Row(*[Column(n, css_class="col-4") for n in GENDERS]),
                Row(*[Column(n, css_class="col-6") for n in NEW_OR_RETURNING]),
            ),
            "partners",
            "note",
            *[name for name in ("version", "submission") if name in self.fields],
        )
        return helper

    def clean(self):
        cleaned = super().clean()
        for name in [*AGE_BANDS, *GENDERS, *NEW_OR_RETURNING, "volunteers"]:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0
                setattr(self.instance, name, 0)
        if self.history:
            self.check_plan_period(cleaned.get("activity"), cleaned.get("date"))
        known = {str(i.pk) for i in self.indicators}
        foreign = [
            key.removeprefix(INDICATOR_PREFIX)
            for key, value in self.data.items()
            if key.startswith(INDICATOR_PREFIX)
            and value not in ("", None)
            and key.removeprefix(INDICATOR_PREFIX) not in known
        ]
        if foreign:
            numbers = [whole_number(f) for f in foreign]
            names = Indicator.objects.filter(pk__in=[n for n in numbers if n])
            self.add_error(
                None,
                _("Indikatoren %(names)s hører ikke til aktiviteten %(activity)s.")
                % {
                    "names": ", ".join(i.name for i in names) or ", ".join(foreign),
                    "activity": cleaned.get("activity") or "",
                },
            )
        return cleaned

    def check_plan_period(self, activity: Activity | None, day) -> None:
        """History: an activity ran from its plan's start; an ended one (we know
        no other end) no longer than its plan. An open activity of an earlier
        plan goes on, as on the record screen."""
        if not (activity and day):
            return
        plan = activity.focus_area.plan_period
        dates = {"plan": plan, "start": f"{plan.start:%d.%m.%Y}"}
        if day < plan.start:
            self.add_error(
                "date",
                _("%(activity)s hører til %(plan)s, som begyndte %(start)s.")
                % {"activity": activity, **dates},
            )
        elif activity.status == Activity.Status.ENDED and day > plan.end:
            self.add_error(
                "date",
                _(
                    "%(activity)s er afsluttet og hører til %(plan)s, som sluttede "
                    "%(end)s."
                )
                % {"activity": activity, **dates, "end": f"{plan.end:%d.%m.%Y}"},
            )

    @transaction.atomic
    def save(self, commit: bool = True) -> ActivityRecord:
        record = super().save(commit=True)
        for indicator in self.indicators:
            value = self.cleaned_data.get(f"{INDICATOR_PREFIX}{indicator.pk}")
            if value:
                IndicatorValue.objects.update_or_create(
                    record=record, indicator=indicator, defaults={"value": value}
                )
            else:
                IndicatorValue.objects.filter(
                    record=record, indicator=indicator
                ).delete()
        # A record moved to another activity keeps no value of the old one.
        record.values.exclude(indicator__activity=record.activity).delete()
        return record


def record_defaults(user: User) -> dict:
    """Today, the user's usual area and the activity they logged last."""
    last = (
        ActivityRecord.objects.filter(created_by=user)
        .order_by("-created_at")
        .values("activity", "area")
        .first()
    )
    first_area = user.areas.values_list("pk", flat=True).first()
    return {
        "date": timezone.localdate(),
        "activity": last["activity"] if last else None,
        "area": last["area"] if last else first_area,
    }


class TargetsForm(forms.Form):
    """An activity's måltal: one field per indicator and plan year; blank = none.
    The grid carries the version of the targets it was shown with."""

    version = VersionField()

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.initial.setdefault("version", activity.targets_version)
        self.years = list(activity.focus_area.plan_period.years)
        self.indicators = list(activity.indicators.prefetch_related("targets"))
        for indicator in self.indicators:
            for year in self.years:
                target = indicator.target_for(year)
                self.fields[self.key(indicator, year)] = forms.IntegerField(
                    label=f"{indicator.name} {year}",
                    min_value=0,
                    max_value=1_000_000,
                    required=False,
                    initial=target.value if target else None,
                )

    @staticmethod
    def key(indicator, year: int) -> str:
        return f"target_{indicator.pk}_{year}"

    def rows(self):
        """(indicator, [bound field per year]) for the grid template."""
        return [
            (i, [self[self.key(i, year)] for year in self.years])
            for i in self.indicators
        ]

    @transaction.atomic
    def save(self) -> Activity:
        """Save the grid, unless someone saved the targets since it was shown
        (StaleEdit: nothing is written)."""
        self.activity.claim_targets(version=self.cleaned_data["version"])
        for indicator in self.indicators:
            for year in self.years:
                value = self.cleaned_data.get(self.key(indicator, year))
                if value is None:
                    Target.objects.filter(indicator=indicator, year=year).delete()
                else:
                    Target.objects.update_or_create(
                        indicator=indicator,
                        year=year,
                        defaults={"value": value, "is_demo": False},
                    )
        return self.activity


class YearStatusForm(GuardedModelForm):
    """A year's status text. Two people writing the first text of a year at once
    both make a new row: the second is refused like a stale edit."""

    class Meta:
        model = YearStatus
        fields = ["status", "narrative"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 6})}

    # The view sets who wrote it; writing it again answers a sending back.
    extra_edit_fields = ("written_by", "sent_back_at")

    def save(self, commit: bool = True) -> YearStatus:
        self.instance.sent_back_at = None
        if self.instance.pk is not None:
            return super().save(commit)
        try:
            with transaction.atomic():
                return super().save(commit)
        except IntegrityError:
            raise StaleEdit from None


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor genåbnes året?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvad skal skrives om?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv, hvad der skal rettes.")},
    )
    # The version of the text the coordinator read: written again since, it is
    # not sent back unseen.
    version = VersionField()


class RecordFilter(django_filters.FilterSet):
    """The record list's filters; the same filter drives the CSV and Excel export."""

    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("Fra dato"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("Til dato"), widget=DateInput()
    )
    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(), label=_("Område")
    )
    focus_area = django_filters.ModelChoiceFilter(
        field_name="activity__focus_area",
        queryset=FocusArea.objects.select_related("plan_period").order_by(
            "-plan_period__start", "order"
        ),
        label=_("Indsatsområde"),
    )
    activity = django_filters.ModelChoiceFilter(
        queryset=Activity.objects.order_by("focus_area__plan_period", "name"),
        label=_("Aktivitet"),
    )
    created_by = django_filters.ModelChoiceFilter(
        queryset=User.objects.exclude(role=User.Role.PARTNER).order_by(
            "first_name", "username"
        ),
        label=_("Medarbejder"),
    )
    # The year's close links the records of a year saved lately.
    changed_since = django_filters.DateFilter(
        field_name="updated_at",
        lookup_expr="date__gte",
        label=_("Gemt siden"),
        widget=DateInput(),
    )

    class Meta:
        model = ActivityRecord
        fields = [
            "date_from",
            "date_to",
            "area",
            "focus_area",
            "activity",
            "created_by",
            "changed_since",
        ]
