"""The findings on a map, with the same findings listed beside it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from boligsocial.lists import page_of
from boligsocial.maps import map_base

from .access import require_findings_reader
from .filters import FindingFilter
from .models import STATUS_BADGES, Finding, Walk

PAGE_SIZE = 25
# The newest this many findings with a place are drawn; the list pages through all.
MAP_LIMIT = 1000
# The routes of the newest this many walks in the filter's area and period.
ROUTE_LIMIT = 50


@login_required
@require_GET
def finding_map(request):
    """Keepers see every finding, a partner those routed to its organisation."""
    user = request.user
    require_findings_reader(user)
    today = timezone.localdate()
    finding_filter = FindingFilter(
        request.GET, queryset=Finding.objects.visible_to(user).for_list()
    )
    findings = finding_filter.qs
    page, query = page_of(request, findings, PAGE_SIZE)
    points = map_points(findings, today=today)
    routes = walks_in(finding_filter, Walk.objects.visible_to(user)).routes(ROUTE_LIMIT)
    context = {
        "filter": finding_filter,
        "page": page,
        "points": points[:MAP_LIMIT],
        "more_than_drawn": len(points) > MAP_LIMIT,
        "map_limit": MAP_LIMIT,
        "legend": status_legend(),
        "routes": routes,
        "today": today,
        "query": query,
        "map_base": map_base(user),
    }
    return render(request, "safety/finding_map.html", context)


def status_legend() -> list[tuple[str, str, str]]:
    """Each status with its label and badge, for the legend under a map."""
    return [
        (status, label, STATUS_BADGES[status])
        for status, label in Finding.Status.choices
    ]


def walks_in(finding_filter: FindingFilter, walks):
    """The walks in the findings filter's area and period (a value it refused is
    left out, as in the filter)."""
    chosen = getattr(finding_filter.form, "cleaned_data", {})
    if chosen.get("area"):
        walks = walks.filter(area=chosen["area"])
    if chosen.get("found_from"):
        walks = walks.filter(starts_at__date__gte=chosen["found_from"])
    if chosen.get("found_to"):
        walks = walks.filter(starts_at__date__lte=chosen["found_to"])
    return walks


def map_points(findings, *, today) -> list[dict]:
    """The findings that have a place, as the map script reads them: one query,
    for one more than MAP_LIMIT so the page can say that some were left out."""
    rows = (
        findings.filter(latitude__isnull=False, longitude__isnull=False)
        .select_related(None)
        .select_related("category")
        .only("latitude", "longitude", "place", "status", "due_date", "category__name")
    )
    return [
        {
            "id": finding.pk,
            "lat": float(finding.latitude),
            "lon": float(finding.longitude),
            "category": finding.category.name,
            "place": finding.place,
            "status": finding.status,
            "status_label": finding.get_status_display(),
            "overdue": finding.is_overdue(today),
            "url": finding.get_absolute_url(),
        }
        for finding in rows[: MAP_LIMIT + 1]
    ]
