"""The advice team's case pages: the lists, a case, its changes, its outcomes,
closing and reopening it, and joining a colleague's case.

Need-to-know: cases come only through the doors in `advice.access`. Every
request that shows a case (a page, or a form shown again with its errors) writes
one VIEW entry to the access log; a change writes its own entry instead, in the
same transaction as the change, each with its purpose. A refused request writes
nothing, and neither do the lists (the advisor's own cases by name, the team's
without a household) and the join page (what the team's list shows): opening a
case from them is the logged view. advice/tests/test_audit.py holds every URL to
this.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial import editing
from boligsocial.editing import StaleEdit, already_saved, save_guarded
from boligsocial.forms import whole_number
from boligsocial.lists import ListPaginator

from .access import advice_links, get_case_for_user, get_case_to_join, require_advisor
from .forms import (
    CASE_FIELDS,
    HOUSEHOLD_FIELDS,
    CaseForm,
    CaseListFilter,
    CloseForm,
    HouseholdForm,
    JoinForm,
    OutcomeForm,
)
from .models import Case, CaseAccess, CaseOutcome, Household, log_access

PAGE_SIZE = 25
# What a household known from an earlier case takes from a new form: the ways to
# reach it and its composition, which change; who and where it is do not.
UPDATED_WHEN_KNOWN = ("floor_door", "phone", "composition")


# --- Lists ---------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request):
    """My cases with the household, and the team's other open cases without it:
    a colleague's case shows only what is needed to cover for them."""
    user = request.user
    require_advisor(user)
    status = CaseListFilter(request.GET).status_value()
    mine = Case.objects.worked_by(user).for_list()
    if status != "all":
        mine = mine.filter(status=status)
    # The team's open cases are pages of their own: a large team has hundreds.
    team = Case.objects.open().exclude(advisors=user).for_list()
    page = ListPaginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    team_page = ListPaginator(team, PAGE_SIZE).get_page(request.GET.get("team_page"))
    context = {
        "filter": CaseListFilter(initial={"status": status}),
        "status": status,
        "page": page,
        "query": f"status={status}&team_page={team_page.number}",
        "team": team_page,
        "team_query": f"status={status}&page={page.number}",
        "links": advice_links(user),
    }
    return render(request, "advice/case_list.html", context)


# --- New cases -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    """A household and its case on one page. A household already known (same
    contact and address) gets the new case, so repeat households count."""
    require_advisor(request.user)
    if request.method == "POST":
        if earlier := Case.from_submission(request.POST.get("submission")):
            return already_saved(request, earlier)
        household_form = HouseholdForm(request.POST)
        case_form = CaseForm(request.POST)
        if household_form.is_valid() and case_form.is_valid():
            case = save_guarded(
                case_form,
                lambda: _create_case(household_form, case_form, request.user),
            )
            _say_created(request, case)
            return redirect(case)
    else:
        household_form, case_form = HouseholdForm(), CaseForm()
    context = {"household_form": household_form, "form": case_form}
    return render(request, "advice/case_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_followup(request, pk):
    """A new case for the household of an earlier one (the resident came back)."""
    earlier = get_case_for_user(request.user, pk, write=True)
    if request.method == "POST":
        if done := Case.from_submission(request.POST.get("submission")):
            return already_saved(request, done)
        form = CaseForm(request.POST)
        if form.is_valid():
            case = save_guarded(
                form, lambda: _open_case(form, earlier.household, request.user)
            )
            _say_created(request, case)
            return redirect(case)
    else:
        form = CaseForm()
    log_access(request.user, earlier, CaseAccess.Action.VIEW)
    context = {"form": form, "earlier": earlier, "household": earlier.household}
    return render(request, "advice/case_form.html", context)


@transaction.atomic
def _create_case(household_form: HouseholdForm, case_form: CaseForm, user) -> Case:
    data = household_form.cleaned_data
    known = Household.objects.same_as(
        department=data["department"],
        name=data["name"],
        street=data["street"],
        number=data["number"],
    )
    if known:
        household = min(known, key=lambda h: h.pk)
        changed = [f for f in UPDATED_WHEN_KNOWN if data.get(f)]
        for field in changed:
            setattr(household, field, data[field])
        household.save(update_fields=changed)
    else:
        household = household_form.save()
    return _open_case(case_form, household, user)


def _open_case(form: CaseForm, household: Household, user) -> Case:
    """Save the new case with its creator on it; the caller holds the transaction."""
    case = form.save(commit=False)
    case.household, case.created_by = household, user
    case.save()
    case.advisors.add(user)
    log_access(user, case, CaseAccess.Action.CREATE)
    return case


def _say_created(request, case: Case) -> None:
    earlier = case.household.cases.exclude(pk=case.pk).count()
    if earlier:
        messages.info(
            request,
            ngettext(
                "Husstanden er kendt i forvejen: %(count)d tidligere sag. Den nye "
                "sag er knyttet til husstanden.",
                "Husstanden er kendt i forvejen: %(count)d tidligere sager. Den nye "
                "sag er knyttet til husstanden.",
                earlier,
            )
            % {"count": earlier},
        )
    messages.success(request, _("Sagen er oprettet."))


# --- A case --------------------------------------------------------------------------


@login_required
@require_GET
def case_detail(request, pk):
    case = get_case_for_user(request.user, pk)
    log_access(request.user, case, CaseAccess.Action.VIEW)
    context = {
        "case": case,
        "household": case.household,
        "advisors": list(case.advisors.order_by("first_name", "username")),
        "outcomes": list(case.outcomes.select_related("kind", "recorded_by")),
        # The contexts of the meetings, referrals and records partials, read here once.
        "meetings": list(case.meetings.select_related("held_by", "drop_in")),
        "referrals": list(case.referrals.all()),
        "retention_months": settings.ADVICE_RETENTION_MONTHS,
        "household_cases": list(_household_cases(case, request.user)),
        "close_form": CloseForm(case=case),
        "can_edit": not case.anonymised_at,
    }
    return render(request, "advice/case_detail.html", context)


def _household_cases(case: Case, user):
    """The household's other cases; the viewer may open only those they work on."""
    on_it = Case.advisors.through.objects.filter(case=OuterRef("pk"), user=user)
    return (
        case.household.cases.exclude(pk=case.pk)
        .annotate(is_mine=Exists(on_it))
        .order_by("-opened_on", "-pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    """The household and the case together. An edit made from an old version (two
    advisors at once) is refused with the person's input kept on the page."""
    case = get_case_for_user(request.user, pk, write=True)
    stale_message = ""
    if request.method == "POST":
        household_form = HouseholdForm(request.POST, instance=case.household)
        case_form = CaseForm(request.POST, instance=case)
        if household_form.is_valid() and case_form.is_valid():
            try:
                _save_edit(household_form, case_form, request.user)
            except StaleEdit:
                stale_message = editing.stale_message()
            else:
                messages.success(request, _("Sagen er gemt."))
                return redirect(case)
    else:
        household_form = HouseholdForm(instance=case.household)
        case_form = CaseForm(instance=case)
    log_access(request.user, case, CaseAccess.Action.VIEW)
    context = {
        "household_form": household_form,
        "form": case_form,
        "case": case,
        "stale_message": stale_message,
    }
    return render(request, "advice/case_form.html", context)


@transaction.atomic
def _save_edit(household_form: HouseholdForm, case_form: CaseForm, user) -> None:
    """The version is claimed first: when it is stale nothing at all is written."""
    case = case_form.instance
    case.save_edit(version=case_form.cleaned_data["version"], fields=CASE_FIELDS)
    household_form.instance.save(update_fields=HOUSEHOLD_FIELDS)
    log_access(user, case, CaseAccess.Action.EDIT)


# --- Outcomes, closing, reopening ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    outcome = CaseOutcome(case=case, recorded_by=request.user)
    if request.method == "POST":
        if CaseOutcome.from_submission(request.POST.get("submission")):
            return already_saved(request, case)
        form = OutcomeForm(request.POST, instance=outcome)
        if form.is_valid():
            outcome = save_guarded(form, lambda: _save_outcome(form, request.user))
            messages.success(
                request,
                _("Resultatet »%(outcome)s« er registreret.") % {"outcome": outcome},
            )
            return redirect(case)
    else:
        form = OutcomeForm(instance=outcome)
    log_access(request.user, case, CaseAccess.Action.VIEW)
    return render(request, "advice/outcome_form.html", {"form": form, "case": case})


def _save_outcome(form: OutcomeForm, user) -> CaseOutcome:
    outcome = form.save()
    log_access(user, outcome.case, CaseAccess.Action.OUTCOME)
    return outcome


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request, pk):
    """A case closes with an outcome recorded, from the version the person saw."""
    case = get_case_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = CloseForm(request.POST, case=case)
        if form.is_valid():
            try:
                with transaction.atomic():
                    case.close(
                        version=form.cleaned_data["version"],
                        closed_on=form.cleaned_data["closed_on"],
                    )
                    log_access(request.user, case, CaseAccess.Action.CLOSE)
            except StaleEdit:
                form.add_error(None, editing.stale_message())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Sagen er lukket."))
                return redirect(case)
            case.refresh_from_db()
    else:
        form = CloseForm(case=case)
    log_access(request.user, case, CaseAccess.Action.VIEW)
    return render(request, "advice/case_close.html", {"form": form, "case": case})


@login_required
@require_POST
def case_reopen(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    version = request.POST.get("version", "")
    try:
        with transaction.atomic():
            case.reopen(version=whole_number(version) or 0)
            log_access(request.user, case, CaseAccess.Action.REOPEN)
    except StaleEdit:
        messages.error(request, editing.stale_action_message())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sagen er genåbnet."))
    return redirect(case)


# --- Joining a colleague's case -----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_join(request, pk):
    """Cover for a colleague: the page shows no household, and joining is logged
    with the reason given."""
    case = get_case_to_join(request.user, pk)
    if case.is_worked_by(request.user):
        return redirect(case)
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                case.advisors.add(request.user)
                log_access(
                    request.user,
                    case,
                    CaseAccess.Action.JOIN,
                    purpose=CaseAccess.Purpose.COVER,
                    reason=form.cleaned_data["reason"],
                )
            messages.success(request, _("Du er nu rådgiver på sagen."))
            return redirect(case)
    else:
        form = JoinForm()
    advisors = case.advisors.order_by("first_name", "username")
    context = {"form": form, "case": case, "advisors": advisors}
    return render(request, "advice/case_join.html", context)
