"""A household's records: its data for the resident (right of access), erasure on
the resident's request, the access log coordinators review, and colleagues'
look-up of an address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from boligsocial import spreadsheets
from boligsocial.lists import page_of, render_htmx
from boligsocial.models import User, street_key

from . import exports
from .access import advice_links, get_case_for_user, require_access_log_reader
from .models import Case, CaseAccess, CaseOutcome, Household, Meeting, log_access
from .record_forms import AccessLogFilter, EraseForm, LookupForm

PAGE_SIZE = 50
ENTRIES_COUNTED = 250


# --- Right of access and erasure ----------------------------------------------------


@login_required
@require_GET
def household_export(request, pk):
    """Everything held on the case's household, every case of it included: the
    resident asked for all their data. Each exported case is logged."""
    case = get_case_for_user(request.user, pk)
    cases = _cases_for_export(case.household)
    content = exports.household_workbook(case.household, cases)
    with transaction.atomic():
        for each in cases:
            log_access(
                request.user,
                each,
                CaseAccess.Action.EXPORT,
                purpose=CaseAccess.Purpose.ACCESS_REQUEST,
            )
    stamp = timezone.localdate().isoformat()
    return spreadsheets.xlsx_download(
        content, f"husstand-sag-{case.number}-{stamp}.xlsx"
    )


def _cases_for_export(household: Household) -> list[Case]:
    return list(
        household.cases.order_by("opened_on", "pk").prefetch_related(
            "advisors",
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("drop_in", "held_by").order_by(
                    "held_on", "pk"
                ),
            ),
            Prefetch(
                "outcomes",
                queryset=CaseOutcome.objects.select_related("kind", "recorded_by"),
            ),
            "referrals",
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_erase(request, pk):
    """Erasure on request: every case of the household is anonymised now (an open
    one is closed), and with the last the household. The rows stay in the
    figures; the reason goes to the access log with each case."""
    case = get_case_for_user(request.user, pk, write=True)
    household = case.household
    if request.method == "POST":
        form = EraseForm(request.POST)
        if form.is_valid():
            count = _erase(
                household, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request,
                ngettext(
                    "Husstandens data er slettet: %(count)s sag er anonymiseret. "
                    "Den tæller stadig med i tallene, uden at nævne nogen.",
                    "Husstandens data er slettet: %(count)s sager er anonymiseret. "
                    "De tæller stadig med i tallene, uden at nævne nogen.",
                    count,
                )
                % {"count": count},
            )
            return redirect("advice:case_list")
    else:
        form = EraseForm()
    log_access(
        request.user, case, CaseAccess.Action.VIEW, purpose=CaseAccess.Purpose.ERASURE
    )
    context = {
        "case": case,
        "household": household,
        "form": form,
        "cases": household.cases.filter(anonymised_at__isnull=True).order_by("pk"),
        "counts": _to_erase(household),
    }
    return render(request, "advice/household_erase.html", context)


def _to_erase(household: Household) -> dict:
    """What erasure will touch, counted in one query."""
    return household.cases.filter(anonymised_at__isnull=True).aggregate(
        cases=Count("pk", distinct=True),
        open=Count("pk", filter=Q(status=Case.Status.OPEN), distinct=True),
        meetings=Count("meetings", distinct=True),
        outcomes=Count("outcomes", distinct=True),
        referrals=Count("referrals", distinct=True),
    )


@transaction.atomic
def _erase(household: Household, *, by: User, reason: str) -> int:
    # Locked: of two erasures sent at once, the second finds nothing left to do.
    cases = household.cases.select_for_update().filter(anonymised_at__isnull=True)
    cases = list(cases.order_by("pk"))
    for case in cases:
        log_access(
            by,
            case,
            CaseAccess.Action.ERASE,
            purpose=CaseAccess.Purpose.ERASURE,
            reason=reason,
        )
        case.anonymise()
    return len(cases)


# --- The access log -----------------------------------------------------------------


@login_required
@require_GET
def access_log(request):
    """Who opened or changed which case, when: case numbers only, never a
    household, so a coordinator reviews it without seeing any case. The raw rows
    are read as entries: repeated views as one, with a count; the page shown
    after a change with the change (CaseAccessQuerySet.entries)."""
    require_access_log_reader(request.user)
    log_filter = AccessLogFilter(request.GET, queryset=CaseAccess.objects.all())
    rows = log_filter.qs
    # Each entry is told from its rows by a look-up per row: counted no further
    # than 250 entries (5 pages), past which a filter is the way on (at ten years
    # of log, counting to 500 took a third of the page). The keys of those 250
    # are read at once: the count and the pages within it in one query.
    page, query = page_of(
        request, rows.entries(), PAGE_SIZE, cap=ENTRIES_COUNTED, read_ahead=True
    )
    page.object_list = rows.complete(list(page.object_list))
    context = {
        "filter": log_filter,
        "page": page,
        "query": query,
        "links": advice_links(request.user),
    }
    return render_htmx(request, "advice/access_log.html", context)


# --- Colleagues' look-up --------------------------------------------------------------


@login_required
@require_GET
def case_lookup(request):
    """Colleagues outside the advice team ask about an address. They learn of an
    open case, and whom to ask, only where the resident agreed; every other
    address (no case, a case they may not know of, a closed one) gets the very
    same answer, so the answer itself gives nothing away.

    Advisors are not colleagues here (User.can_look_up_cases): they have the
    team's list. An answer that names advisors tells the colleague the household
    has an open case: that is logged on each such case as a look-up (LOOKUP, not
    a view: nothing of the case is shown). The same answer as no case writes
    nothing.
    """
    if not request.user.can_look_up_cases:
        raise PermissionDenied
    form = LookupForm(request.GET or None)
    advisors = None
    if form.is_valid():
        cases = _cases_colleagues_may_know_of(**form.cleaned_data)
        if cases:
            advisors = _advisors_of(cases)
            with transaction.atomic():
                for case in cases:
                    log_access(
                        request.user,
                        case,
                        CaseAccess.Action.LOOKUP,
                        purpose=CaseAccess.Purpose.COLLEAGUE,
                    )
    context = {
        "form": form,
        "asked": form.is_valid(),
        "advisors": advisors,
        "links": advice_links(request.user),
    }
    return render(request, "advice/case_lookup.html", context)


def _cases_colleagues_may_know_of(*, street: str, number: str) -> list[Case]:
    """The open cases at the address whose residents agreed colleagues may know."""
    address = (street_key(street), _number_key(number))
    # Few cases are open and flagged at a time: the address compares in Python,
    # where case and spaces are ignored the same way as everywhere else.
    flagged = (
        Case.objects.open()
        .filter(colleagues_may_know=True)
        .select_related("household")
        .only("pk", "household__street", "household__number")
    )
    return [
        case
        for case in flagged
        if (street_key(case.household.street), _number_key(case.household.number))
        == address
    ]


def _advisors_of(cases: list[Case]) -> list[str]:
    """The names of the active advisors on the cases, each once."""
    advisors = User.objects.filter(advice_cases__in=cases, is_active=True)
    advisors = advisors.distinct().order_by("first_name", "last_name", "username")
    return [user.get_full_name() or user.username for user in advisors]


def _number_key(number: str) -> str:
    """House numbers compare without case or spaces ("7 A" = "7a")."""
    return "".join(number.split()).casefold()
