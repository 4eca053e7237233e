"""The residents' Nabohjælp sign-up page: no login, opened from a poster's QR code.

Bots and floods are held off without any outside service: a field people never
see (a bot that fills it is thanked and nothing is saved), and a limit on
submissions per address, where a throttled resident keeps what they typed.
The page says the same thing whether or not the person is signed up already:
a sign-up from here waits for staff to confirm it, and they see the duplicate.
"""

from axes.helpers import get_client_ip_address
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from boligsocial.models import Area

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
                _save(form)
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


def _save(form: PublicSignUpForm) -> None:
    try:
        with transaction.atomic():
            form.save_new(
                status=SignUp.Status.TO_CONFIRM,
                channel=SignUp.Channel.PUBLIC_PAGE,
                language=translation.get_language(),
            )
    except IntegrityError:
        # The same form sent twice at the same moment: the other one was saved.
        if not SignUp.objects.from_submission(form.cleaned_data.get("submission")):
            raise


@require_GET
def signup_thanks(request, slug):
    area = get_object_or_404(Area, slug=slug)
    return render(request, "safety/signup_thanks.html", {"area": area})
