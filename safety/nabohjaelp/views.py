"""Nabohjælp for the people inside: the figures, the sign-ups and the posters."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial import spreadsheets
from boligsocial.access import get_area_for_user
from boligsocial.editing import StaleEdit, save_guarded, stale_action_message
from boligsocial.exports import list_download
from boligsocial.forms import whole_number, year_from_query
from boligsocial.lists import page_of, render_htmx
from boligsocial.middleware import is_language
from boligsocial.models import Area
from boligsocial.periods import Period

from . import exports, poster
from .access import get_signup_for_user, require_signup_keeper
from .figures import (
    signup_channel_table,
    signup_chart,
    signup_figures,
    signup_month_table,
    signup_state_table,
    signup_table,
)
from .forms import SignUpFilter, SignUpForm
from .models import SignUp

PAGE_SIZE = 25


@login_required
@require_GET
def nabohjaelp(request):
    """Sign-ups per area against target and households: partners see their areas."""
    today = timezone.localdate()
    year = year_from_query(request.GET.get("year"), today.year)
    figures = signup_figures(
        areas=Area.objects.visible_to(request.user),
        period=Period.year(year),
        today=today,
    )
    can_keep = request.user.can_see_signups
    context = {
        "figures": figures,
        "year": year,
        "tables": [
            signup_table(figures),
            signup_month_table(figures),
            signup_channel_table(figures),
            signup_state_table(figures, waiting=can_keep),
        ],
        "chart": signup_chart(figures),
        "years": range(today.year, today.year - 6, -1),
        "can_keep": can_keep,
        # The posters and the residents' page come in every language, each named
        # in itself.
        "resident_languages": settings.LANGUAGES,
    }
    return render(request, "safety/nabohjaelp.html", context)


@login_required
@require_GET
def signup_list(request):
    require_signup_keeper(request.user)
    signups = SignUp.objects.visible_to(request.user).for_list()
    signup_filter = SignUpFilter(request.GET, queryset=signups)
    page, query = page_of(request, signup_filter.qs, PAGE_SIZE)
    context = {"filter": signup_filter, "page": page, "query": query}
    return render_htmx(request, "safety/signup_list.html", context)


@login_required
@require_GET
def signup_export(request, fmt):
    return list_download(request, fmt, exports.SIGNUPS)


@login_required
@require_GET
def signup_detail(request, pk):
    signup = get_signup_for_user(request.user, pk)
    context = {
        "signup": signup,
        "duplicates": SignUp.objects.duplicates_of(signup).select_related("area"),
        "can_change": signup.status != SignUp.Status.WITHDRAWN,
    }
    return render(request, "safety/signup_detail.html", context)


@login_required
@require_GET
def signup_person_export(request, pk):
    """A right-of-access request: the person's data as one workbook (their
    sign-ups, the consent texts they accepted). A withdrawn sign-up holds nobody
    any more, so it has nothing to give."""
    signup = get_signup_for_user(request.user, pk)
    if signup.status == SignUp.Status.WITHDRAWN:
        raise Http404
    same = SignUp.objects.duplicates_of(signup).select_related(
        "area", "department", "consent_text"
    )
    content = exports.person_workbook([signup, *same])
    stamp = timezone.localdate().isoformat()
    return spreadsheets.xlsx_download(
        content, f"nabohjaelp-indsigt-{signup.pk}-{stamp}.xlsx"
    )


@login_required
@require_http_methods(["GET", "POST"])
def signup_create(request):
    require_signup_keeper(request.user)
    return _signup_form(request, SignUp())


@login_required
@require_http_methods(["GET", "POST"])
def signup_edit(request, pk):
    return _signup_form(request, get_signup_for_user(request.user, pk, write=True))


def _signup_form(request, signup: SignUp):
    """Create and edit share the screen; a resubmitted new form finds its sign-up."""
    if request.method == "POST":
        if done := _sent_before(request, signup):
            return done
        form = SignUpForm(request.POST, instance=signup)
        if form.is_valid():
            # Sent twice at the same moment: the sign-up the other copy made.
            saved = save_guarded(form, lambda: _save(form, request.user))
            if saved:
                messages.success(request, _("Tilmeldingen er gemt."))
                return redirect(saved)
        # The other copy may have been saved while this one was checked (and
        # now looks like a duplicate of it).
        elif done := _sent_before(request, signup):
            return done
    else:
        initial = {"area": request.user.areas.first()} if not signup.pk else {}
        form = SignUpForm(instance=signup, initial=initial)
    context = {"form": form, "signup": signup}
    return render(request, "safety/signup_form.html", context)


def _sent_before(request, signup: SignUp):
    """A new sign-up's form sent again: to the sign-up its first copy made."""
    token = request.POST.get("submission")
    if not signup.pk and (done := SignUp.objects.from_submission(token)):
        messages.info(request, _("Tilmeldingen var allerede gemt."))
        return redirect(done)
    return None


def _save(form: SignUpForm, user) -> SignUp:
    if form.instance.pk:
        return form.save()
    return form.save_new(status=SignUp.Status.ACTIVE, by=user)


@login_required
@require_POST
def signup_confirm(request, pk):
    signup = get_signup_for_user(request.user, pk, write=True)
    if signup.status == SignUp.Status.TO_CONFIRM:
        if not signup.confirm(by=request.user):
            messages.error(
                request,
                _(
                    "Tilmeldingen venter ikke længere: beboeren har trukket den "
                    "tilbage, eller en anden har bekræftet den."
                ),
            )
            return redirect("safety:signup_list")
        messages.success(request, _("Tilmeldingen er bekræftet og er nu aktiv."))
    return redirect(signup)


@login_required
@require_POST
def signup_reject(request, pk):
    """A sign-up from the public page that is not real (a prank, a test) is deleted
    outright: it never counted."""
    signup = get_signup_for_user(request.user, pk, write=True)
    if signup.status != SignUp.Status.TO_CONFIRM:
        messages.error(request, _("Kun tilmeldinger, der venter, kan afvises."))
        return redirect(signup)
    signup.reject()
    messages.success(request, _("Tilmeldingen er afvist og slettet."))
    return redirect("safety:signup_list")


@login_required
@require_http_methods(["GET", "POST"])
def signup_withdraw(request, pk):
    signup = get_signup_for_user(request.user, pk, write=True)
    if request.method == "POST":
        signup.withdraw()
        messages.success(
            request,
            _("Tilmeldingen er udmeldt. Personens oplysninger er slettet."),
        )
        return redirect("safety:signup_list")
    return render(request, "safety/signup_withdraw.html", {"signup": signup})


@login_required
@require_http_methods(["GET", "POST"])
def signup_erase(request, pk):
    """Erasure on the person's request, in one step: the page lists every sign-up
    of theirs (those the right-of-access workbook gives), the POST erases them
    all (SignUp.erase_person). Sent twice, the second finds nothing left."""
    signup = get_signup_for_user(request.user, pk)
    if signup.status == SignUp.Status.WITHDRAWN:
        if request.method == "POST":
            messages.info(request, _("Personens oplysninger var allerede slettet."))
            return redirect("safety:signup_list")
        raise PermissionDenied
    if request.method == "POST":
        try:
            count = signup.erase_person(shown=_shown(request.POST))
        except StaleEdit:
            # Back to the page, which lists the person's sign-ups as they are now.
            messages.error(request, stale_action_message())
            return redirect("safety:signup_erase", signup.pk)
        messages.success(request, _erased_message(count))
        return redirect("safety:signup_list")
    signups = SignUp.objects.of_person(signup).current().select_related("area")
    context = {"signup": signup, "signups": signups.order_by("signed_up_on", "pk")}
    return render(request, "safety/signup_erase.html", context)


def _shown(post) -> dict[int, int]:
    """The sign-ups the page listed, as "id:version" each; what is not that is
    left out (and the erasure then refused as stale)."""
    shown = {}
    for value in post.getlist("shown"):
        pk_text, _colon, version_text = value.partition(":")
        pk, version = whole_number(pk_text), whole_number(version_text)
        if pk and version:
            shown[pk] = version
    return shown


def _erased_message(count: int) -> str:
    if not count:
        return _("Personens oplysninger var allerede slettet.")
    return ngettext(
        "Personens oplysninger er slettet fra %(count)s tilmelding. En aktiv "
        "tilmelding tæller stadig med i tallene, uden at nævne nogen.",
        "Personens oplysninger er slettet fra %(count)s tilmeldinger. Aktive "
        "tilmeldinger tæller stadig med i tallene, uden at nævne nogen.",
        count,
    ) % {"count": count}


@login_required
@require_GET
def signup_poster(request, slug):
    require_signup_keeper(request.user)
    area = get_area_for_user(request.user, slug)
    # Danish unless another of the residents' languages is asked for (an unknown
    # one is Danish too): its QR code opens the page in that language.
    asked = request.GET.get("lang")
    language = asked if is_language(asked) else settings.LANGUAGE_CODE
    url = request.build_absolute_uri(reverse("nabohjaelp:signup", args=[area.slug]))
    report_url = request.build_absolute_uri(reverse("meld:report", args=[area.slug]))
    if language != settings.LANGUAGE_CODE:
        url += f"?lang={language}"
        report_url += f"?lang={language}"
    response = HttpResponse(
        poster.poster_pdf(area=area, url=url, report_url=report_url, language=language),
        content_type="application/pdf",
    )
    suffix = "" if language == settings.LANGUAGE_CODE else f"-{language}"
    response["Content-Disposition"] = (
        f'inline; filename="nabohjaelp-{area.slug}{suffix}.pdf"'
    )
    return response
