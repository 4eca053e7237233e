"""The door of residents' reports: fetched and authorised in one call. Those who
keep findings see and decide them; anyone else finds nothing (404)."""

from django.shortcuts import get_object_or_404

from .models import ResidentReport


def get_report_for_user(user, pk: int) -> ResidentReport:
    reports = ResidentReport.objects.visible_to(user).select_related(
        "area", "category", "finding", "decided_by"
    )
    return get_object_or_404(reports, pk=pk)
