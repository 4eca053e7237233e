"""A form sent after the session ended is kept, not lost.

After 30 idle minutes (or a working day) the session is gone, and a form sent then
would meet the login page: with htmx the login page landed inside the form, and
what was typed was gone either way. Here a login redirect answering a form is
turned round: what was sent is kept in the new (anonymous) session, the person
logs in, and the resume page holds it, ready to be sent again as it was with one
press, to the same address. The view then saves it or shows the form filled in
with its errors, as if the session had never ended.

Whose it is: the browser carries a signed cookie naming the last person logged in
there (`_owner_cookie`, set here on their pages). A form is kept only under that
name and given back only to that person: on a shared computer, the next person to
log in never sees it. Only a form the CSRF check let through is kept, never a
password, code or token, and never a file (the resume page says to pick it again).

An htmx request gets the login page as a whole page (HX-Redirect), never inside
the form. One that re-draws the page it is on (choosing an area re-draws the
record form with what was typed) is kept too; others (a poll) lead back to the
page after logging in.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

KEY = "portal_kept_form"
OWNER_SALT = "boligsocial.kept_forms.owner"
# A session is no place for a whole sheet: a bigger form is not kept.
MAX_KEPT_CHARACTERS = 64 * 1024
# Never kept: the CSRF token (a fresh one is given), secrets and one-time codes.
SECRET_WORDS = ("password", "csrf", "token", "code", "otp")


class KeptFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The answer first: asking who it is may need the database, which may
        # be what failed.
        if not _sends_to_login(response):
            # Only a page that was served: a failure may be the database's.
            if response.status_code < 400 and request.user.is_authenticated:
                _name_owner(request, response)
            return response
        if request.user.is_authenticated:
            return response
        htmx = request.headers.get("HX-Request") == "true"
        if request.method == "POST" or (htmx and request.GET and _same_page(request)):
            if _keep(request):
                messages.info(
                    request,
                    _(
                        "Du blev logget ud, før det blev sendt. Log ind igen: det, "
                        "du skrev, venter på dig."
                    ),
                )
                response = redirect_to_login(reverse("resume_form"))
        elif htmx:
            page = _current_page(request)
            if page:
                response = redirect_to_login(page)
        if htmx:
            return HttpResponseClientRedirect(response["Location"])
        return response


def _owner_cookie() -> str:
    """Locked to the portal's own host in production, like the session cookie."""
    return "__Host-portal_owner" if settings.SESSION_COOKIE_SECURE else "portal_owner"


def _owner(request: HttpRequest) -> int | None:
    value = request.get_signed_cookie(_owner_cookie(), default=None, salt=OWNER_SALT)
    return int(value) if value and value.isdigit() else None


def _name_owner(request: HttpRequest, response: HttpResponse) -> None:
    if _owner(request) != request.user.pk:
        response.set_signed_cookie(
            _owner_cookie(),
            str(request.user.pk),
            salt=OWNER_SALT,
            max_age=int(settings.SESSION_MAX_AGE.total_seconds()) + 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def _sends_to_login(response: HttpResponse) -> bool:
    return isinstance(response, HttpResponseRedirect) and urlsplit(
        response["Location"]
    ).path == resolve_url(settings.LOGIN_URL)


def _current_page(request: HttpRequest) -> str | None:
    """The page an htmx request came from, if it is one of ours."""
    url = request.headers.get("HX-Current-URL", "")
    if not url_has_allowed_host_and_scheme(
        url, {request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _same_page(request: HttpRequest) -> bool:
    page = _current_page(request)
    return page is not None and urlsplit(page).path == request.path


def _keep(request: HttpRequest) -> bool:
    owner = _owner(request)
    # The CSRF check let it through (a session ended by the working day's limit
    # is answered before that check: such a form is not kept).
    if owner is None or not getattr(request, "csrf_processing_done", False):
        return False
    data = request.POST if request.method == "POST" else request.GET
    fields = [
        [name, values]
        for name, values in data.lists()
        if not any(word in name.lower() for word in SECRET_WORDS)
    ]
    size = sum(len(name) + sum(map(len, values)) for name, values in fields)
    if not fields or size > MAX_KEPT_CHARACTERS:
        return False
    # A new key for the new session (the old one's row may be gone).
    request.session.cycle_key()
    request.session[KEY] = {
        "owner": owner,
        "path": request.path,
        "method": request.method.lower(),
        "fields": fields,
        "files": sorted(request.FILES) if request.method == "POST" else [],
        "at": timezone.now().timestamp(),
    }
    return True


def _taken(request: HttpRequest) -> dict | None:
    """The kept form, once, for the person who typed it: it lives on in the
    resume page only."""
    kept = request.session.pop(KEY, None)
    if not kept or kept.get("owner") != request.user.pk:
        return None
    if timezone.now().timestamp() - kept["at"] > settings.SESSION_COOKIE_AGE:
        return None
    try:
        resolve(kept["path"])
    except Resolver404:
        return None
    return kept


@login_required
@require_GET
def resume_form(request: HttpRequest) -> HttpResponse:
    kept = _taken(request)
    if kept is None:
        return redirect("home")
    return render(request, "registration/resume_form.html", {"kept": kept})
