import logging
import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from activities.models import Activity, Indicator, PlanPeriod
from advice.models import Case, DropIn
from safety.models import FollowUpTask, Incident

from . import lockout
from .access import get_area_for_user
from .models import Area, Role, User
from .my_work import my_work, waiting_count
from .search import SearchForm, kinds_for, read_query, search_for, search_url

logger = logging.getLogger(__name__)


@login_required
@require_GET
def home(request):
    """Each role lands on a page made for its work."""
    user = request.user
    plan = PlanPeriod.objects.current()
    context = {
        "plan": plan,
        "my_work": my_work(request),
        **LANDING[user.role](user, plan),
    }
    return render(request, f"boligsocial/home_{user.role}.html", context)


MY_WORK_COUNT_SECONDS = 60


@login_required
@require_GET
def my_work_count(request):
    """The count beside "Mit arbejde" in the menu. The page asks for it once it
    has loaded (htmx), so no page waits for the queue's queries; kept a minute
    per person, so moving between pages does not ask again."""
    key = f"my-work-count:{request.user.pk}"
    count = cache.get(key)
    if count is None:
        count = waiting_count(request)
        cache.set(key, count, MY_WORK_COUNT_SECONDS)
    return render(request, "boligsocial/my_work_count.html", {"count": count})


def _my_areas(user):
    """The areas a person works in, or, for a partner, is granted."""
    return Area.objects.filter(users=user).with_figures()


def _activities_in_my_areas(user, plan) -> dict:
    activities = Activity.objects.none()
    if plan:
        activities = (
            Activity.objects.filter(focus_area__plan_period=plan)
            .in_areas(user.areas.all())
            .select_related("focus_area")
            .order_by("focus_area__order", "order")
        )
    return {"areas": _my_areas(user), "activities": activities}


def _coordinator(user, plan) -> dict:
    if not plan:
        return {}
    year = plan.current_year()
    missing = (
        Indicator.objects.filter(activity__focus_area__plan_period=plan)
        .exclude(targets__year=year)
        .select_related("activity")
    )
    focus_areas = plan.focus_areas.annotate(activity_count=Count("activities"))
    return {"year": year, "missing_targets": missing, "focus_areas": focus_areas}


def _areas_only(user, plan) -> dict:
    return {"areas": _my_areas(user)}


def _advisor(user, plan) -> dict:
    """The advisor's day: open cases, those at the bailiff's court, today's
    drop-in hours."""
    cases = (
        Case.objects.worked_by(user)
        .open()
        .aggregate(
            open=Count("pk"),
            bailiff=Count("pk", filter=Q(eviction_risk=Case.EvictionRisk.BAILIFF)),
        )
    )
    today = timezone.localdate().weekday()
    drop_ins = DropIn.objects.filter(is_active=True, weekday=today).select_related(
        "area"
    )
    return {"areas": _my_areas(user), "cases": cases, "drop_ins": drop_ins}


def _safety_advisor(user, plan) -> dict:
    """The tryghedsrådgiver's day: the activities, the open incidents and the
    network's follow-up tasks that are still open."""
    today = timezone.localdate()
    tasks = FollowUpTask.objects.open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return {
        **_activities_in_my_areas(user, plan),
        "open_incidents": Incident.objects.open().for_list()[:5],
        "tasks": tasks,
    }


def _admin(user, plan) -> dict:
    counts = dict(
        User.objects.filter(is_active=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return {
        "role_counts": [(label, counts.get(role, 0)) for role, label in Role.choices]
    }


LANDING = {
    Role.STAFF: _activities_in_my_areas,
    Role.ADVISOR: _advisor,
    Role.SAFETY_ADVISOR: _safety_advisor,
    Role.COORDINATOR: _coordinator,
    Role.PARTNER: _areas_only,
    Role.ADMIN: _admin,
}


@login_required
@require_GET
def area_list(request):
    areas = Area.objects.visible_to(request.user).with_figures()
    context = {"areas": areas, "can_import": request.user.can_keep_backbone}
    return render(request, "boligsocial/area_list.html", context)


@login_required
@require_GET
def area_detail(request, slug):
    area = get_area_for_user(request.user, slug)
    departments = area.departments.select_related("organisation")
    context = {"area": area, "departments": departments}
    return render(request, "boligsocial/area_detail.html", context)


@login_required
@require_GET
def search(request):
    """The header's search: what the person may open, kind by kind."""
    form = SearchForm(request.GET)
    query, groups, only = None, [], ""
    if form.is_valid() and form.cleaned_data["q"]:
        query = read_query(form.cleaned_data["q"])
        only = form.cleaned_data["kind"]
        if not (query.error or query.is_empty):
            groups = search_for(request.user, query, only=only)
    context = {
        "form": form,
        "query": query,
        "groups": groups,
        "only": only,
        "all_url": search_url(query.text) if query else "",
        "kinds": kinds_for(request.user),
    }
    return render(request, "boligsocial/search.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked name and address, or a locked address
    (boligsocial/lockout.py): say so, and for how long."""
    if getattr(request, "address_locked_out", False):
        minutes = lockout.minutes_until_unlocked(request.axes_ip_address)
    else:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def server_error(request):
    """The page for a failure (handler500): it says nothing about what went wrong,
    only a short error ID, which the log line with the traceback carries too, so
    the person who calls can be matched to the cause.

    The page is drawn inside the portal's frame when that can be done; when it
    cannot (the database away, say: the frame reads the person and their
    notifications), the plain 500.html, which needs no request, context
    processor, URL name or static file, and cannot fail in turn."""
    error_id = secrets.token_hex(4)
    # Called inside Django's except block: exc_info is the error being handled.
    logger.error("Error %s on %s", error_id, request.path, exc_info=True)
    context = {"error_id": error_id}
    try:
        page = loader.render_to_string("500_framed.html", context, request=request)
    except Exception:
        logger.warning("Error %s: the framed error page failed too.", error_id)
        page = loader.get_template("500.html").render(context)
    return HttpResponseServerError(page)


def csrf_failure(request, reason=""):
    """A form refused by Django's CSRF check (CSRF_FAILURE_VIEW): a page left
    open past its session, or a browser that keeps no cookies. A view that can
    show its form again with what was typed says so with a `csrf_failure`
    function of its own (the public sign-up page); elsewhere the portal's page
    explains, with the way back."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    again = getattr(match.func, "csrf_failure", None) if match else None
    if again is not None:
        return again(request, *match.args, **match.kwargs)
    context = {"back": _same_site_referer(request)}
    return render(request, "403_csrf.html", context, status=403)


def _same_site_referer(request) -> str:
    """The page the person came from, when it is one of the portal's."""
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe else ""
