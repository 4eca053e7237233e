"""Meetings on a case, and the drop-in hours where residents' visits are logged.

Every request on a case writes one access-log entry: showing the form is a view
(VIEW), saving a meeting is a MEETING.

A closed case takes no new meetings: the form page says so and asks to reopen the
case first (work on a closed case would not count in its figures, and reopening
is logged). A meeting already recorded may still be corrected after closing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import already_saved, save_guarded

from .access import advice_links, get_case_for_user, require_advisor
from .meeting_forms import DropInVisitForm, MeetingForm
from .models import Case, CaseAccess, DropIn, Meeting, log_access

# --- Meetings on a case ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    meeting = Meeting(case=case, held_by=request.user)
    return _meeting_form(request, case, meeting)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk, meeting_pk):
    case = get_case_for_user(request.user, pk, write=True)
    meeting = get_object_or_404(case.meetings, pk=meeting_pk)
    return _meeting_form(request, case, meeting)


def _meeting_form(request, case: Case, meeting: Meeting):
    closed = not meeting.pk and not case.is_open
    if request.method == "POST" and not closed:
        token = request.POST.get("submission")
        if not meeting.pk and Meeting.from_submission(token):
            return already_saved(request, case)
        form = MeetingForm(request.POST, instance=meeting)
        if form.is_valid() and save_guarded(form, lambda: _save(form, request.user)):
            messages.success(request, _("Mødet er gemt."))
            return redirect(case)
    else:
        form = MeetingForm(instance=meeting, initial=_initial(meeting))
    log_access(request.user, case, CaseAccess.Action.VIEW)
    context = {"case": case, "meeting": meeting, "form": form, "closed": closed}
    status = 400 if request.method == "POST" else 200
    return render(request, "advice/meeting_form.html", context, status=status)


def _save(form: MeetingForm | DropInVisitForm, user) -> Meeting:
    meeting = form.save()
    log_access(user, meeting.case, CaseAccess.Action.MEETING)
    return meeting


def _initial(meeting: Meeting) -> dict:
    return {} if meeting.pk else {"held_on": timezone.localdate()}


# --- Drop-in hours --------------------------------------------------------------------


@login_required
@require_GET
def drop_in_list(request):
    """The week's drop-in hours, today's marked, each with a form to log a visit
    on one of my open cases."""
    require_advisor(request.user)
    cases = _my_open_cases(request.user)
    return _render_drop_ins(request, cases, bound=None)


@login_required
@require_POST
def drop_in_visit(request, drop_in_pk):
    """A visit at the drop-in today: a meeting there on one of my open cases."""
    require_advisor(request.user)
    drop_in = get_object_or_404(DropIn.objects.filter(is_active=True), pk=drop_in_pk)
    token = request.POST.get(f"{_prefix(drop_in)}-submission")
    if Meeting.from_submission(token):
        return already_saved(request, drop_in, to="advice:drop_in_list")
    cases = _my_open_cases(request.user)
    form = DropInVisitForm(
        request.POST,
        instance=_visit(drop_in, request.user),
        cases=cases,
        prefix=_prefix(drop_in),
    )
    if not form.is_valid():
        return _render_drop_ins(request, cases, bound=form, status=400)
    meeting = save_guarded(form, lambda: _save(form, request.user))
    messages.success(
        request,
        _("Besøget i %(drop_in)s er registreret på sag %(number)s.")
        % {"drop_in": drop_in.name, "number": meeting.case.number},
    )
    return redirect("advice:drop_in_list")


def _my_open_cases(user) -> list[Case]:
    return list(
        Case.objects.worked_by(user)
        .open()
        .select_related("household")
        .order_by("household__name", "pk")
    )


def _visit(drop_in: DropIn, user) -> Meeting:
    return Meeting(
        place=Meeting.Place.DROP_IN,
        drop_in=drop_in,
        held_on=timezone.localdate(),
        held_by=user,
    )


def _prefix(drop_in: DropIn) -> str:
    # Many visit forms on one page: each its own field names and ids.
    return f"visit-{drop_in.pk}"


def _render_drop_ins(request, cases: list[Case], *, bound, status: int = 200):
    """The drop-ins grouped by weekday (Monday first), each with its visit form;
    a form that failed is shown again with its input and errors."""
    today = timezone.localdate().weekday()
    days: dict[int, dict] = {}
    drop_ins = DropIn.objects.filter(is_active=True).select_related("area")
    # The model's order, and then the oldest first where two share a name and hour.
    for drop_in in drop_ins.order_by(*DropIn._meta.ordering, "pk"):
        if bound is not None and bound.prefix == _prefix(drop_in):
            form = bound
        else:
            form = DropInVisitForm(
                instance=_visit(drop_in, request.user),
                cases=cases,
                prefix=_prefix(drop_in),
            )
        day = days.setdefault(
            drop_in.weekday,
            {
                "name": drop_in.get_weekday_display(),
                "is_today": drop_in.weekday == today,
                "rows": [],
            },
        )
        day["rows"].append({"drop_in": drop_in, "form": form})
    context = {
        "days": list(days.values()),
        "has_cases": bool(cases),
        "links": advice_links(request.user),
    }
    return render(request, "advice/drop_in_list.html", context, status=status)
