"""Two-factor login: after the password, a code from an authenticator app (TOTP).

Everyone but partners must give one (User.needs_two_factor); TwoFactorMiddleware
sends them here until they have in this session. An app is set up from a QR code
only in a session opened by a link from the person's e-mail (their invitation, or a
two-factor link: boligsocial/people.py), never after a bare password login: whoever
learned a password must not enrol their own phone. With the app come ten backup
codes, each good for one login without the phone. A lost phone: a coordinator or
the admin resets the person's two-factor on their page, which mails a new link.
"""

import math
import re
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import auth_log, people
from .models import PersonChange

BACKUP_CODE_COUNT = 10
# Set by a link from the person's e-mail: this session may set up an app.
ENROL_SESSION_KEY = "two_factor_may_enrol"
# The new backup codes wait here between the setup form and the page showing them.
BACKUP_CODES_SESSION_KEY = "two_factor_backup_codes"
APP_CODE = re.compile(r"[0-9]{6}")


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def redirect_to_two_factor(user, *, next_url: str) -> HttpResponseRedirect:
    """To the code prompt, or to setting up an app for someone who has none yet;
    either comes back to next_url afterwards."""
    page = "two_factor_verify" if has_authenticator(user) else "two_factor_setup"
    return redirect(f"{reverse(page)}?{next_query(next_url)}")


def next_query(next_url: str) -> str:
    # Slashes left as they are, as in the login page's ?next=/plan/.
    return urlencode({REDIRECT_FIELD_NAME: next_url}, safe="/")


def safe_next(request) -> str:
    """Where to go once past the code: `next` if it is an address of ours, else home."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    # A path of ours only: redirect() reads a bare word ("0") as a URL name.
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("home")


# --- Devices -----------------------------------------------------------------------


def authenticator_being_set_up(user) -> TOTPDevice:
    """The unconfirmed device of a person setting up an app; reused until confirmed,
    so reloading the page keeps the key they may have scanned already."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name="default", confirmed=False
    )


@transaction.atomic
def confirm_authenticator(device: TOTPDevice) -> list[str]:
    """Confirm the person's new app and give them new backup codes (old ones stop
    working); returns the codes, which are shown once."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    backup = StaticDevice.objects.create(user=device.user, name="backup")
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
    return codes


def login_device_for(user, code: str) -> Device | None:
    """Six digits come from the app; anything else may be a backup code."""
    model = TOTPDevice if APP_CODE.fullmatch(code) else StaticDevice
    return model.objects.devices_for_user(user, confirmed=True).first()


def accept_code(device: Device | None, code: str) -> Device:
    """The device, once it has accepted the code; otherwise a ValidationError.

    Each device counts wrong codes and then refuses every code for a while (django-
    otp's throttle: 1, 2, 4, 8 ... seconds), which makes guessing six digits hopeless.
    An accepted code is used up: an app code works once, a backup code is deleted.
    """
    if device is None:
        raise ValidationError(_("Koden er forkert."), code="wrong")
    with transaction.atomic():
        # Locked, so one code cannot let two requests in at the same time.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        accepted = allowed and device.verify_token(code)
    if not allowed:
        wait = (details["locked_until"] - timezone.now()).total_seconds()
        seconds = max(math.ceil(wait), 1)
        raise ValidationError(
            ngettext(
                "For mange forkerte koder i træk. Prøv igen om %(seconds)d sekund.",
                "For mange forkerte koder i træk. Prøv igen om %(seconds)d sekunder.",
                seconds,
            )
            % {"seconds": seconds},
            code="throttled",
        )
    if not accepted:
        raise ValidationError(_("Koden er forkert."), code="wrong")
    return device


def qr_code_svg(url: str) -> SafeString:
    """The URL as an inline SVG QR code. segno draws with presentation attributes
    only (no style attribute or element), which the CSP's style-src 'self' allows;
    a white background keeps it readable in any colour scheme."""
    svg = segno.make(url, error="m", micro=False).svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=_("QR-kode til appen")
    )
    # segno escapes the title; the URL is drawn as squares, not written as text.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def key_for_typing(device: TOTPDevice) -> str:
    """The key in base32, as apps take it when typed, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# --- Forms -------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 10}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = None

    def clean_code(self) -> str:
        # Apps show "123 456"; backup codes are lower-case.
        return "".join(self.cleaned_data["code"].split()).lower()


class SetupForm(CodeForm):
    """The first code from the app, which proves it holds the key."""

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("De seks cifre, appen viser nu.")
        self.device = device

    def clean_code(self) -> str:
        code = super().clean_code()
        self.device = accept_code(self.device, code)
        return code


class VerifyForm(CodeForm):
    """A code from the app, or one of the person's backup codes."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "De seks cifre, appen viser nu, eller en af dine reservekoder."
        )
        self.user = user

    def clean_code(self) -> str:
        code = super().clean_code()
        self.device = accept_code(login_device_for(self.user, code), code)
        return code


# --- Views -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), give a code."""
    user = request.user
    if has_authenticator(user):
        # Only the admin role can replace an app (by deleting it): a password alone
        # must not add a second one.
        return redirect_to_two_factor(user, next_url=safe_next(request))
    if request.session.get(ENROL_SESSION_KEY) != user.pk:
        # The password alone: the person needs the link from their e-mail.
        return render(request, "registration/two_factor_link_needed.html", status=403)
    device = authenticator_being_set_up(user)
    form = SetupForm(request.POST or None, device=device)
    if form.is_bound:
        auth_log.code_given(request, user, form)
    if form.is_valid():
        codes = confirm_authenticator(form.device)
        django_otp.login(request, form.device)
        del request.session[ENROL_SESSION_KEY]
        people.record(user, user, PersonChange.Action.APP_SET_UP)
        request.session[BACKUP_CODES_SESSION_KEY] = codes
        query = next_query(safe_next(request))
        return redirect(f"{reverse('two_factor_backup_codes')}?{query}")
    context = {
        "form": form,
        "qr_code": qr_code_svg(device.config_url),
        "key": key_for_typing(device),
    }
    return render(request, "registration/two_factor_setup.html", context)


@login_required
@require_GET
def two_factor_backup_codes(request):
    """The new backup codes, once: the session forgets them as they are shown."""
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, [])
    context = {"codes": codes, "next": safe_next(request)}
    return render(request, "registration/two_factor_backup_codes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The code prompt after the password."""
    user = request.user
    next_url = safe_next(request)
    if user.is_verified():
        return redirect(next_url)
    if not has_authenticator(user):
        return redirect_to_two_factor(user, next_url=next_url)
    form = VerifyForm(request.POST or None, user=user)
    if form.is_bound:
        auth_log.code_given(request, user, form)
    if form.is_valid():
        django_otp.login(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = form.device.token_set.count()
            messages.warning(request, backup_codes_left_message(left))
        return redirect(next_url)
    return render(request, "registration/two_factor_verify.html", {"form": form})


def backup_codes_left_message(left: int) -> str:
    if not left:
        return _(
            "Det var din sidste reservekode. Har du mistet telefonen, så bed en "
            "administrator om at nulstille din totrinsbekræftelse."
        )
    return _("Du loggede ind med en reservekode. Du har %(left)d tilbage.") % {
        "left": left
    }
