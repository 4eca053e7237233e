"""The lists' filters: walks by area, status and period; findings by status,
category, area and the period they were found."""

import django_filters
from django.utils.translation import gettext_lazy as _

from boligsocial.forms import DateInput
from boligsocial.models import Area

from .models import OPEN_STATUSES, Finding, FindingCategory, FindingStatus, Walk

OPEN = "open"


class FindingFilter(django_filters.FilterSet):
    """A value the form refuses (an unknown status, a malformed date) is left out
    of the filtering and shown as an error by its field."""

    status = django_filters.ChoiceFilter(
        choices=[(OPEN, _("Åbne (ny, sendt, i gang)")), *FindingStatus.choices],
        method="filter_status",
        label=_("Status"),
    )
    category = django_filters.ModelChoiceFilter(
        queryset=FindingCategory.objects.all(), label=_("Kategori")
    )
    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(), label=_("Område")
    )
    found_from = django_filters.DateFilter(
        field_name="found_at",
        lookup_expr="date__gte",
        widget=DateInput(),
        label=_("Fundet fra"),
    )
    found_to = django_filters.DateFilter(
        field_name="found_at",
        lookup_expr="date__lte",
        widget=DateInput(),
        label=_("Fundet til"),
    )

    class Meta:
        model = Finding
        fields = ["status", "category", "area", "found_from", "found_to"]

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)


class WalkFilter(django_filters.FilterSet):
    """A partner chooses among its own areas (it sees walks of those only)."""

    area = django_filters.ModelChoiceFilter(
        queryset=lambda request: (
            Area.objects.visible_to(request.user) if request else Area.objects.none()
        ),
        label=_("Område"),
    )
    status = django_filters.ChoiceFilter(choices=Walk.Status.choices, label=_("Status"))
    walked_from = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__gte",
        widget=DateInput(),
        label=_("Fra dato"),
    )
    walked_to = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__lte",
        widget=DateInput(),
        label=_("Til dato"),
    )

    class Meta:
        model = Walk
        fields = ["area", "status", "walked_from", "walked_to"]
