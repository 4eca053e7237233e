"""Security headers, caching and language, on real responses."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_script(client):
    csp = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
def test_pages_forbid_framing_and_sniffing_and_keep_referrers_home(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_may_ask_the_device_for_its_position_only(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    features = dict(item.split("=", 1) for item in policy.split(", "))
    assert features["geolocation"] == "(self)"
    for feature in ("camera", "microphone", "payment", "usb", "browsing-topics"):
        assert features[feature] == "()"
    assert [name for name, allowed in features.items() if allowed != "()"] == [
        "geolocation"
    ]


@pytest.mark.django_db
def test_a_residents_page_and_a_refused_body_carry_the_policy_too(client):
    page = client.get("/meld/rising/")
    refused = client.post("/meld/rising/", CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert refused.status_code == 413
    for response in (page, refused):
        assert "camera=()" in response["Permissions-Policy"]


def test_pages_for_a_logged_in_person_are_never_cached(client, staff):
    client.force_login(staff)
    assert "no-store" in client.get(reverse("home"))["Cache-Control"]


@pytest.mark.django_db
def test_the_portal_speaks_danish_by_default_whatever_the_browser_asks(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="da" dir="ltr">' in response.content.decode()
    assert "Log ind" in response.content.decode()


def test_the_language_switcher_turns_the_portal_english(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": reverse("home")},
        follow=True,
    )
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "My working day" in html
    assert "Log out" in html


def test_the_language_switcher_refuses_a_foreign_next_address(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url


@pytest.mark.django_db
def test_danish_formats_are_used_for_numbers_and_dates():
    with translation.override("da"):
        assert formats.number_format(12345.5, 1, force_grouping=True) == "12.345,5"
        assert formats.date_format(datetime.date(2026, 11, 22)) == "22. november 2026"
