"""The residents' Nabohjælp sign-up page: no login, opened from a poster's QR code.

Bots and floods are held off without any outside service: a field people never
see (a bot that fills it is thanked and nothing is saved), and a limit on
submissions per address, where a throttled resident keeps what they typed.
The page says the same thing whether or not the person is signed up already:
a sign-up from here waits for staff to confirm it, and they see the duplicate.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from boligsocial.middleware import is_language
from boligsocial.models import Area, Notification, Role, User
from boligsocial.notices import notify

from ..public import mail_resident, over_rate, token_for, words
from .forms import PublicSignUpForm, WithdrawalCodeForm, WithdrawalContactForm
from .models import ConsentText, SignUp, WithdrawalRequest


# Never kept by the browser: a page brought back with Back (on a shared tablet,
# the next resident's) would carry the last form's token.
@never_cache
@require_http_methods(["GET", "POST"])
def signup_public(request, slug):
    area = get_object_or_404(Area, slug=slug)
    throttled = False
    if request.method == "POST":
        data = request.POST
        earlier = SignUp.objects.from_submission(data.get("submission"))
        if earlier and words(earlier.name) != words(data.get("name", "")):
            # The token of a form sent before, with another person in it: a
            # sign-up of its own (public.token_for).
            data = data.copy()
            data["submission"] = token_for(data["submission"], data.get("name", ""))
            earlier = SignUp.objects.from_submission(data["submission"])
        form = PublicSignUpForm(data, area=area)
        throttled = _throttled_signup(request)
        if not throttled:
            if form.is_bot or earlier:
                return redirect("nabohjaelp:thanks", slug=area.slug)
            if form.is_valid():
                response = redirect("nabohjaelp:thanks", slug=area.slug)
                if signup := _save(form):
                    _give_withdrawal_link(request, signup, response)
                return response
    else:
        form = PublicSignUpForm(area=area)
    response = _page(request, area, form, throttled=throttled)
    if request.method == "GET":
        # The form again (the next resident at a shared tablet): the last one's
        # link is no longer shown.
        response.delete_cookie(LINK_COOKIE, path=thanks_path(area))
    return response


@never_cache
def _signup_again(request, slug):
    """The sign-up refused by the CSRF check (boligsocial.views.csrf_failure): a
    browser that keeps no cookies, or a page left open for long. Nothing is
    saved; the form again, with what the resident typed and why, and a fresh
    token to send it with."""
    area = get_object_or_404(Area, slug=slug)
    form = PublicSignUpForm(request.POST, area=area)
    return _page(request, area, form, refused=True)


signup_public.csrf_failure = _signup_again


def _page(request, area, form, *, throttled=False, refused=False):
    context = {
        "area": area,
        "form": form,
        "consent": ConsentText.current(translation.get_language()),
        "streets": area.street_names(),
        "throttled": throttled,
        "refused": refused,
    }
    status = 429 if throttled else 403 if refused else 200
    return render(request, "safety/signup_public.html", context, status=status)


def _save(form: PublicSignUpForm) -> SignUp | None:
    """The new sign-up (None: the same form sent twice at the same moment, and
    the other one was saved)."""
    try:
        with transaction.atomic():
            return form.save_new(
                status=SignUp.Status.TO_CONFIRM,
                channel=SignUp.Channel.PUBLIC_PAGE,
                language=translation.get_language(),
            )
    except IntegrityError:
        if not SignUp.objects.from_submission(form.cleaned_data.get("submission")):
            raise
        return None


def _give_withdrawal_link(request, signup: SignUp, response) -> None:
    """The resident's private way out, shown on the thank-you page and, when they
    gave an e-mail, mailed in the language of the page. The portal keeps only the
    secret's hash: the page gets the link from a signed cookie for its own
    address alone, for a few minutes."""
    link = request.build_absolute_uri(
        reverse("nabohjaelp:withdraw", args=[signup.give_withdrawal_link()])
    )
    # It opens in the language it was given in, on any device.
    if (language := translation.get_language()) != settings.LANGUAGE_CODE:
        link += f"?lang={language}"
    response.set_signed_cookie(
        LINK_COOKIE,
        f"{signup.area.slug} {link}",
        salt=LINK_COOKIE,
        max_age=LINK_SHOWN_FOR,
        path=thanks_path(signup.area),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    if signup.email:
        mail_resident(
            signup.email,
            _("Din tilmelding til Nabohjælp i %(area)s") % {"area": signup.area},
            "safety/mail/signup_confirmation.txt",
            {"area": signup.area, "link": link},
            request=request,
        )


LINK_COOKIE = "nabohjaelp_link"
LINK_SHOWN_FOR = 10 * 60
WITHDRAW_COOKIE = "nabohjaelp_withdraw"


def thanks_path(area: Area) -> str:
    return reverse("nabohjaelp:thanks", args=[area.slug])


@never_cache
@require_GET
def signup_thanks(request, slug):
    area = get_object_or_404(Area, slug=slug)
    given = request.get_signed_cookie(
        LINK_COOKIE, default="", salt=LINK_COOKIE, max_age=LINK_SHOWN_FOR
    )
    slug_given, _space, link = given.partition(" ")
    if slug_given != slug:
        link = None
    return render(
        request,
        "safety/signup_thanks.html",
        {"area": area, "withdrawal_link": link},
    )


@never_cache
@require_GET
def withdraw_by_link(request, secret):
    """The private withdrawal link. Its secret goes straight into a cookie for the
    withdrawal's own pages, and the browser on to the page that asks, an address
    without it: the secret is not sent on as a Referer, nor logged again. A mail
    scanner opening the link withdraws nothing. A used or unknown link gets a
    page that says where to turn instead."""
    if SignUp.by_withdrawal_secret(secret) is None:
        response = render(request, "safety/withdraw_gone.html", status=404)
    else:
        response = redirect(
            _with_language(request, reverse("nabohjaelp:withdraw_confirm"))
        )
        response.set_signed_cookie(
            WITHDRAW_COOKIE,
            secret,
            salt=WITHDRAW_COOKIE,
            max_age=60 * 60,
            path=reverse("nabohjaelp:withdraw_start"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_confirm(request):
    """The page the link leads to: it names the area only, never the person, and
    its button erases the sign-up as staff withdrawal does (a waiting one is
    deleted, a confirmed one withdrawn), the row locked meanwhile."""
    # Every POST counts, whether or not it withdraws anything.
    throttled = request.method == "POST" and _withdrawals_throttled(request)
    secret = request.get_signed_cookie(
        WITHDRAW_COOKIE, default="", salt=WITHDRAW_COOKIE, max_age=60 * 60
    )
    if request.method == "POST" and not throttled:
        with transaction.atomic():
            signup = SignUp.by_withdrawal_secret(secret, lock=True)
            if signup is not None:
                area = signup.area
                signup.erase()
        if signup is not None:
            response = redirect("nabohjaelp:withdrawn", slug=area.slug)
            response.delete_cookie(
                WITHDRAW_COOKIE, path=reverse("nabohjaelp:withdraw_start")
            )
            return response
    else:
        signup = SignUp.by_withdrawal_secret(secret)
    if signup is None:
        # No link opened here within the hour (or it has been used): the way
        # without it.
        return redirect("nabohjaelp:withdraw_start")
    context = {"area": signup.area, "throttled": throttled}
    return render(
        request,
        "safety/withdraw_confirm.html",
        context,
        status=429 if throttled else 200,
    )


def _with_language(request, url: str) -> str:
    """The url in the language the link asked for, if it is one of ours."""
    language = request.GET.get("lang")
    return f"{url}?lang={language}" if is_language(language) else url


@never_cache
@require_GET
def withdrawn(request, slug=None):
    area = get_object_or_404(Area, slug=slug) if slug else None
    return render(request, "safety/withdrawn.html", {"area": area})


WITHDRAWAL_REQUEST = "nabohjaelp_withdrawal_request"


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_start(request):
    """Withdrawal without the link: the e-mail or phone number the resident
    signed up with. A code goes to the e-mail, or (a phone) to staff to send as
    a text message. The next page is the same whether or not anyone is signed up
    under it: nothing tells a visitor who is."""
    form = WithdrawalContactForm(request.POST or None)
    throttled = request.method == "POST" and _withdrawals_throttled(request)
    if request.method == "POST" and not throttled and form.is_valid():
        by, contact = form.cleaned_data["contact"]
        found = SignUp.objects.current().select_related("area")
        if by == WithdrawalRequest.By.EMAIL:
            found = found.filter(email__iexact=contact)
        else:
            found = found.filter(phone=contact)
        found = list(found)
        with transaction.atomic():
            withdrawal, code = WithdrawalRequest.start(found, by=by, contact=contact)
            if found:
                _send_code(request, withdrawal, code, contact, found)
        request.session[WITHDRAWAL_REQUEST] = withdrawal.pk
        return redirect("nabohjaelp:withdraw_code")
    context = {"form": form, "throttled": throttled}
    return render(
        request, "safety/withdraw_start.html", context, status=429 if throttled else 200
    )


def _send_code(
    request, withdrawal: WithdrawalRequest, code: str, contact: str, found
) -> None:
    if withdrawal.by == WithdrawalRequest.By.EMAIL:
        mail_resident(
            contact,
            _("Din kode til at afmelde Nabohjælp"),
            "safety/mail/withdrawal_code.txt",
            {"code": code},
            request=request,
        )
        return
    # The text message in the resident's language, the note around it in Danish.
    message = _("Din kode til at afmelde Nabohjælp: %(code)s. BoligSocialt Hus") % {
        "code": code
    }
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Send en sms til %(phone)s: »%(message)s«") % {
            "phone": contact,
            "message": message,
        }
    keepers = User.objects.filter(
        is_active=True, role__in=[Role.SAFETY_ADVISOR, Role.COORDINATOR]
    )
    notify(Notification.Kind.WITHDRAWAL_CODE, about=found[0], users=keepers, text=text)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_code(request):
    """The code: for the request this session made, or, when the session has
    ended, for the newest one made with the e-mail or number typed again."""
    known = WithdrawalRequest.objects.filter(
        pk=request.session.get(WITHDRAWAL_REQUEST)
    ).first()
    form = WithdrawalCodeForm(request.POST or None, known=known is not None)
    throttled = request.method == "POST" and _withdrawals_throttled(request)
    if request.method == "POST" and not throttled and form.is_valid():
        withdrawal = known or WithdrawalRequest.latest_for(
            form.cleaned_data["contact"][1]
        )
        if withdrawal is not None and not withdrawal.is_open():
            form.add_error("code", _("Koden gælder ikke længere. Bed om en ny kode."))
        elif withdrawal is None or withdrawal.redeem(form.cleaned_data["code"]) is None:
            form.add_error(
                "code", _("Koden passer ikke. Prøv igen, eller bed om en ny kode.")
            )
        else:
            request.session.pop(WITHDRAWAL_REQUEST, None)
            return redirect("nabohjaelp:withdrawn_all")
    context = {
        "form": form,
        "by": known.by if known else None,
        "throttled": throttled,
    }
    return render(
        request, "safety/withdraw_code.html", context, status=429 if throttled else 200
    )


def _withdrawals_throttled(request) -> bool:
    """Withdrawal POSTs (a link, an address, a code) share one limit per address."""
    return over_rate(request, "nabohjaelp-withdraw")


def _throttled_signup(request) -> bool:
    return over_rate(request, "nabohjaelp-signup")
