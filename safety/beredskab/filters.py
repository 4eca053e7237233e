"""The beredskab's list filters: contacts, follow-up tasks and incidents."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boligsocial.forms import DateInput
from boligsocial.models import Area, Organisation

from .models import Contact, FollowUpTask, Incident


class ContactFilter(django_filters.FilterSet):
    """A contact of every area (no area) shows under each area."""

    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Område"),
        empty_label=_("Alle områder"),
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        label=_("Organisation"),
        empty_label=_("Alle organisationer"),
    )

    class Meta:
        model = Contact
        fields = ["area", "organisation"]

    def filter_area(self, queryset, name, value):
        return queryset.for_area(value.pk)


class TaskFilter(django_filters.FilterSet):
    """Open tasks, unless the done ones are asked for too."""

    owner = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        label=_("Ansvarlig organisation"),
        empty_label=_("Alle organisationer"),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        widget=forms.CheckboxInput,
        label=_("Kun over fristen"),
    )
    include_done = django_filters.BooleanFilter(
        method="filter_include_done",
        widget=forms.CheckboxInput,
        label=_("Vis også udførte"),
    )

    class Meta:
        model = FollowUpTask
        fields = ["owner", "overdue", "include_done"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset

    def filter_include_done(self, queryset, name, value):
        return queryset if value else queryset.open()


def _areas(request):
    """A partner filters among its own areas and those of the incidents it was
    told of; everyone inside among all."""
    if request is None:
        return Area.objects.none()
    user = request.user
    if not user.is_partner:
        return Area.objects.visible_to(user)
    told = Incident.objects.visible_to(user).values("area")
    return Area.objects.filter(Q(users=user) | Q(pk__in=told)).distinct()


class IncidentFilter(django_filters.FilterSet):
    """The incident list's filter: area, severity, open or closed, and the period
    the incidents happened in (local dates)."""

    area = django_filters.ModelChoiceFilter(queryset=_areas, label=_("Område"))
    severity = django_filters.ChoiceFilter(
        choices=Incident.Severity.choices, label=_("Alvorlighed")
    )
    status = django_filters.ChoiceFilter(
        choices=Incident.Status.choices, label=_("Status")
    )
    occurred_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        widget=DateInput(),
        label=_("Fra dato"),
    )
    occurred_to = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        widget=DateInput(),
        label=_("Til dato"),
    )

    class Meta:
        model = Incident
        fields = ["area", "severity", "status", "occurred_from", "occurred_to"]
