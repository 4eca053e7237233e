"""Rules for every request: session lifetime, second factor, language, caching."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from .text import clean
from .two_factor import redirect_to_two_factor

LOGIN_AT_KEY = "portal_login_at"


class MethodMiddleware:
    """The portal is forms and links: GET, HEAD and POST, nothing else.

    Function views that only test for POST would otherwise answer TRACE, PUT,
    DELETE or OPTIONS as if they were a GET; this refuses them all, everywhere,
    before any view runs.
    """

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)


class BodyLimitMiddleware:
    """A request may send at most REQUEST_BODY_LIMIT bytes (the largest upload and
    a margin); a larger one gets the 413 page before a byte of its body is read, so
    nothing of it reaches memory, a temporary file or a form.

    A body that says its length is judged by that. A chunked body (no length, as a
    client that streams sends it) is read up to one byte past the limit and refused
    there; under the limit it is handed on with its length, as Django reads only a
    body whose length it knows.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_LIMIT
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return self.too_large(request)
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = request.META["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return self.too_large(request)
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)

    @staticmethod
    def too_large(request):
        page = loader.render_to_string(
            "413.html",
            {"limit_mb": settings.LARGEST_UPLOAD // (1024 * 1024)},
            request=request,
        )
        response = HttpResponse(page, status=413)
        # The rest of the body is not read: gunicorn closes the connection after
        # this answer itself (a WSGI application may not say so).
        add_never_cache_headers(response)
        return response


class CleanInputMiddleware:
    """Everything a form sends, without the invisible characters that reorder or
    hide text (boligsocial/text.py), before any form sees it: a field holding
    only such characters is empty, and refused as such where it is required.
    Passwords are left as typed (they are never shown, and must match)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            request.POST = self.cleaned(request.POST)
        if request.GET:
            request.GET = self.cleaned(request.GET)
        return self.get_response(request)

    @staticmethod
    def cleaned(data):
        if not any(clean(v) != v for v in data.values()):
            return data
        copy = data.copy()
        for key, values in copy.lists():
            if "password" not in key:
                copy.setlist(key, [clean(v) for v in values])
        copy._mutable = False
        return copy


class SessionLifetimeMiddleware:
    """End a session a working day after login, however active it has been.

    The idle timeout is Django's own (SESSION_COOKIE_AGE, renewed on every request);
    this adds the absolute limit, SESSION_MAX_AGE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            login_at = request.session.setdefault(LOGIN_AT_KEY, now)
            if now - login_at > settings.SESSION_MAX_AGE.total_seconds():
                logout(request)
                messages.info(request, _("Du er logget ud efter en arbejdsdag."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class TwoFactorMiddleware:
    """Advisors and coordinators reach nothing but the two-factor pages until they
    have given a code from their authenticator app in this session.

    django-otp's OTPMiddleware (earlier in the list) tells whether the session is
    verified. The Django admin is behind this too: coordinators use it.
    """

    # All a person between password and code may reach (static files aside).
    OPEN = {
        "two_factor_setup",
        "two_factor_verify",
        "two_factor_new_link",
        "invitation_accept",
        "logout",
        "set_language",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.needs_two_factor
            and not user.is_verified()
            and not self.is_open(request)
        ):
            return redirect_to_two_factor(user, next_url=request.get_full_path())
        return self.get_response(request)

    def is_open(self, request) -> bool:
        if request.path.startswith(settings.STATIC_URL):
            return True
        try:
            return resolve(request.path_info).view_name in self.OPEN
        except Resolver404:
            return False


class NoStoreMiddleware:
    """Pages for a logged-in person hold personal data: no cache may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class LanguageMiddleware:
    """Danish unless the person chose otherwise with the language switcher.

    Django's LocaleMiddleware also follows the browser's Accept-Language, which
    would show English to most staff phones; the portal speaks Danish by default.

    Inside, the choice is among PORTAL_LANGUAGES. The residents' pages (the
    views of RESIDENT_NAMESPACES: no login) speak every one of LANGUAGES, chosen
    on the page by `?lang=` (its links, and a poster's QR code in that language),
    which is kept in a cookie of their own for the next page. Whether a page is the
    residents' is marked on the request (`for_residents`) for its frame.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.for_residents = for_residents(request.path_info)
        if request.for_residents:
            available, cookie = language_codes(), RESIDENT_LANGUAGE_COOKIE
            asked = request.GET.get("lang")
        else:
            available, cookie = settings.PORTAL_LANGUAGES, settings.LANGUAGE_COOKIE_NAME
            asked = None
        chosen = request.COOKIES.get(cookie)
        language = next(
            (code for code in (asked, chosen) if code in available),
            settings.LANGUAGE_CODE,
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        if asked in available and asked != chosen:
            response.set_cookie(
                cookie,
                asked,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


# The residents' choice is their own: a staff member who opens a poster's page in
# Arabic keeps the portal in the language they chose inside.
RESIDENT_LANGUAGE_COOKIE = "resident_language"


def language_codes() -> set[str]:
    """Every language of the portal's (the residents' pages speak them all)."""
    return {code for code, _name in settings.LANGUAGES}


def is_language(code) -> bool:
    return code in language_codes()


def for_residents(path: str) -> bool:
    try:
        return resolve(path).namespace in settings.RESIDENT_NAMESPACES
    except Resolver404:
        return False
