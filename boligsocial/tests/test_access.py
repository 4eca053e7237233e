"""Every URL is closed to an anonymous visitor except the few that must be open."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from boligsocial.middleware import TwoFactorMiddleware
from conftest import PASSWORD

# Views a visitor must reach before logging in.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "logout",  # POST only; logging out when not logged in does no harm
    # Residents sign up for Nabohjælp from a poster's QR code, without a login.
    "nabohjaelp:signup",
    "nabohjaelp:thanks",
    # A resident withdraws by the private link from the thank-you page or the
    # confirmation mail (safety/nabohjaelp/tests/test_resident_withdrawal.py).
    "nabohjaelp:withdraw",
    "nabohjaelp:withdrawn",
    "nabohjaelp:withdraw_start",
    "nabohjaelp:withdraw_code",
    "nabohjaelp:withdrawn_all",
    "nabohjaelp:withdraw_confirm",
    # Residents report a problem and follow it by the private link to its status
    # (safety/meldinger/tests/test_resident_reports.py).
    "meld:report",
    "meld:thanks",
    "meld:status",
    # A calendar app fetches a person's feed by the random token in its address;
    # an unknown token is not found (activities/tests/test_calendar_feed.py).
    "activities:calendar_feed",
    # An invited person chooses a password by the link in their e-mail; an
    # unknown token is not found (boligsocial/tests/test_people.py).
    "invitation_accept",
}
SAMPLE_KWARGS = {
    "pk": "1",
    "slug": "rising",
    "object_id": "1",
    "app_label": "boligsocial",
    "content_type_id": "1",
    "uidb64": "MQ",
    "token": "set-password",
    "id": "1",
    "fmt": "csv",
    "year": "2026",
    "photo_pk": "1",
    "meeting_pk": "1",
    "notification_pk": "1",
    "referral_pk": "1",
    "drop_in_pk": "1",
    "secret": "x",
    "key": "no-such-report",
    "feed_token": "no-such-feed",
}


def named_urls(resolver=None, namespace=""):
    """(name, kwarg names) for every named URL pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from named_urls(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", sorted(entry.pattern.regex.groupindex)


def sample_url(name: str, kwargs: list[str]) -> str:
    return reverse(name, kwargs={k: SAMPLE_KWARGS[k] for k in kwargs})


ALL_URLS = sorted(set((name, tuple(kwargs)) for name, kwargs in named_urls()))
# The health endpoints answer a visitor with 404: monitors use a token, and no
# login page should tell that they exist (boligsocial/tests/test_health.py).
HIDDEN = {"health_live", "health_ready"}
CLOSED = [(n, k) for n, k in ALL_URLS if n not in PUBLIC | HIDDEN]
# Between password and code only the two-factor pages, logging out and the language
# switch answer; every other page (public ones too) waits for the code.
BEHIND_THE_CODE = [(n, k) for n, k in ALL_URLS if n not in TwoFactorMiddleware.OPEN]


def test_the_walk_finds_the_portals_own_pages_and_the_admin():
    names = {name for name, _ in ALL_URLS}
    assert {"home", "area_list", "activities:plan_detail", "admin:index"} <= names
    assert PUBLIC <= names
    assert HIDDEN <= names
    assert TwoFactorMiddleware.OPEN <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), CLOSED, ids=[n for n, _ in CLOSED])
def test_every_closed_url_sends_an_anonymous_visitor_to_the_login_page(
    client, name, kwargs
):
    url = sample_url(name, kwargs)
    response = client.get(url, follow=True)
    final_url = response.redirect_chain[-1][0] if response.redirect_chain else url
    assert final_url.startswith(reverse("login")), f"{url} ended at {final_url}"
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_the_health_endpoints_are_not_found_by_an_anonymous_visitor(client, name):
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["login", "password_reset", "password_reset_done", "password_reset_complete"],
)
def test_the_login_and_reset_pages_open_without_login(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    ("name", "kwargs"), BEHIND_THE_CODE, ids=[n for n, _ in BEHIND_THE_CODE]
)
def test_every_other_url_sends_everyone_who_needs_a_code_to_the_prompt_first(
    personas, name, kwargs
):
    url = sample_url(name, kwargs)
    for user in personas.values():
        if not user.needs_two_factor:
            continue
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        client = Client()
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        response = client.get(url)
        assert response.status_code == 302, (user.role, url)
        assert response.url.startswith(reverse("two_factor_verify") + "?next="), (
            user.role,
            url,
        )


def test_only_the_partner_role_logs_in_without_a_code(personas):
    assert {role for role, user in personas.items() if not user.needs_two_factor} == {
        "partner"
    }
