"""Session lifetime and caching rules that apply to every request."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "portal_login_at"


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
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
