"""Onward referrals: proposed to the resident, consented, sent, answered, completed
or withdrawn. The steps and the consent rule are `Referral.move`'s.

Every request on a case writes one access-log entry: showing a form is a view
(VIEW), a new referral or a step taken is a REFERRAL.

Like meetings, a closed case takes no new referral (reopen it first); a referral
already made still takes its steps after closing, since answers come later.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from boligsocial.editing import already_saved, save_guarded

from .access import get_case_for_user
from .meeting_forms import ReferralForm, ReferralMoveForm
from .models import Case, CaseAccess, Referral, log_access


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    referral = Referral(case=case, changed_by=request.user)
    closed = not case.is_open
    if request.method == "POST" and not closed:
        if Referral.from_submission(request.POST.get("submission")):
            return already_saved(request, case)
        form = ReferralForm(request.POST, instance=referral)
        if form.is_valid():
            save_guarded(form, lambda: _save_new(form, request.user))
            messages.success(
                request, _("Henvisningen er foreslået. Næste skridt: samtykke.")
            )
            return redirect(case)
    else:
        form = ReferralForm(instance=referral)
    log_access(request.user, case, CaseAccess.Action.VIEW)
    context = {"case": case, "form": form, "closed": closed}
    status = 400 if request.method == "POST" else 200
    return render(request, "advice/referral_form.html", context, status=status)


def _save_new(form: ReferralForm, user) -> Referral:
    referral = form.save()
    log_access(user, referral.case, CaseAccess.Action.REFERRAL)
    return referral


@login_required
@require_http_methods(["GET", "POST"])
def referral_move(request, pk, referral_pk):
    case = get_case_for_user(request.user, pk, write=True)
    if request.method == "GET":
        referral = get_object_or_404(case.referrals, pk=referral_pk)
        return _render_move(request, case, ReferralMoveForm(referral=referral))
    with transaction.atomic():
        # Locked: two advisors taking a step at once take them one after the other,
        # each from the status the other left.
        referral = get_object_or_404(case.referrals.select_for_update(), pk=referral_pk)
        form = ReferralMoveForm(request.POST, referral=referral)
        if form.is_valid() and _move(form, referral, request.user):
            log_access(request.user, case, CaseAccess.Action.REFERRAL)
            messages.success(
                request,
                _("Henvisningen er nu »%(status)s«.")
                % {"status": referral.get_status_display()},
            )
            return redirect(case)
    return _render_move(request, case, form, status=400)


def _move(form: ReferralMoveForm, referral: Referral, user) -> bool:
    data = form.cleaned_data
    try:
        referral.move(to=data["to"], by=user, consent_note=data["consent_note"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form.add_error(None, error)
        else:
            form.add_error("to", error)
        return False
    return True


def _render_move(request, case: Case, form: ReferralMoveForm, status: int = 200):
    log_access(request.user, case, CaseAccess.Action.VIEW)
    context = {"case": case, "referral": form.referral, "form": form}
    return render(request, "advice/referral_move.html", context, status=status)
