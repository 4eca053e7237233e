"""The residents' Nabohjælp sign-up page: no login, opened from a poster's QR code.

Bots and floods are held off without any outside service: a field people never
see (a bot that fills it is thanked and nothing is saved), and a limit on
submissions per address, where a throttled resident keeps what they typed.
The page says the same thing whether or not the person is signed up already:
a sign-up from here waits for staff to confirm it, and they see the duplicate.
"""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from boligsocial.models import Area
from boligsocial.navigation import resident_contact

from .forms import PublicSignUpForm
from .models import ConsentText, SignUp

# Enough for a household signing up each of its grown-ups, far too few for a flood.
RATE = "10/h"


def client_address(group: str, request) -> str:
    """The address django-axes locks out: the same proxy settings decide it."""
    return get_client_ip_address(request) or "unknown"


@require_http_methods(["GET", "POST"])
def signup_public(request, slug):
    area = get_object_or_404(Area, slug=slug)
    throttled = False
    if request.method == "POST":
        form = PublicSignUpForm(request.POST, area=area)
        throttled = is_ratelimited(
            request,
            group="nabohjaelp-signup",
            key=client_address,
            rate=RATE,
            method="POST",
            increment=True,
        )
        if not throttled:
            if form.is_bot or SignUp.objects.from_submission(
                request.POST.get("submission")
            ):
                return redirect("nabohjaelp:thanks", slug=area.slug)
            if form.is_valid():
                if signup := _save(form):
                    _give_withdrawal_link(request, signup)
                return redirect("nabohjaelp:thanks", slug=area.slug)
    else:
        form = PublicSignUpForm(area=area)
    return _page(request, area, form, throttled=throttled)


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
        "streets": sorted(
            {street for d in area.departments.all() for street in d.street_list}
        ),
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


def _give_withdrawal_link(request, signup: SignUp) -> None:
    """The resident's private way out: on the thank-you page (through their
    session, never in an address another site could see) and, when they gave an
    e-mail, in a confirmation mail in the language of the page."""
    link = request.build_absolute_uri(
        reverse("nabohjaelp:withdraw", args=[signup.give_withdrawal_link()])
    )
    # It opens in the language it was given in, on any device.
    if (language := translation.get_language()) != settings.LANGUAGE_CODE:
        link += f"?lang={language}"
    request.session[WITHDRAWAL_LINK] = {"area": signup.area.slug, "link": link}
    if signup.email:
        context = {"area": signup.area, "link": link, "contact": resident_contact()}
        subject = _("Din tilmelding til Nabohjælp i %(area)s") % {"area": signup.area}
        body = render_to_string("safety/mail/signup_confirmation.txt", context)
        transaction.on_commit(
            lambda: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [signup.email]
            ),
            robust=True,
        )


WITHDRAWAL_LINK = "nabohjaelp_withdrawal_link"


@require_GET
def signup_thanks(request, slug):
    area = get_object_or_404(Area, slug=slug)
    given = request.session.get(WITHDRAWAL_LINK) or {}
    context = {
        "area": area,
        "withdrawal_link": given.get("link") if given.get("area") == slug else None,
    }
    return render(request, "safety/signup_thanks.html", context)


@require_http_methods(["GET", "POST"])
def withdraw_by_link(request, secret):
    """The private withdrawal link: the page asks (a mail scanner opening the
    link withdraws nothing), the button withdraws, as staff withdrawal erases. It
    names the area only, never the person; a used or unknown link gets the same
    page, which says where to turn instead."""
    # Every POST counts, a guessed link's too.
    throttled = request.method == "POST" and is_ratelimited(
        request,
        group="nabohjaelp-withdraw",
        key=client_address,
        rate=RATE,
        method="POST",
        increment=True,
    )
    signup = SignUp.by_withdrawal_secret(secret)
    if signup is None:
        return render(request, "safety/withdraw_gone.html", status=404)
    if request.method == "POST" and not throttled:
        area = signup.area
        with transaction.atomic():
            signup.erase()
        request.session.pop(WITHDRAWAL_LINK, None)
        return redirect("nabohjaelp:withdrawn", slug=area.slug)
    context = {"area": signup.area, "throttled": throttled}
    return render(
        request,
        "safety/withdraw_confirm.html",
        context,
        status=429 if throttled else 200,
    )


@require_GET
def withdrawn(request, slug):
    area = get_object_or_404(Area, slug=slug)
    return render(request, "safety/withdrawn.html", {"area": area})
