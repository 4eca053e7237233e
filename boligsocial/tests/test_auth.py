"""Logging in and out, lockout, password rules and reset, and session lifetimes."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Role
from conftest import PASSWORD, make_user

GENERIC_ERROR = "Indtast venligst korrekt brugernavn og adgangskode"


def login(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, **extra
    )


def test_a_person_logs_in_and_lands_on_the_front_page(client, staff):
    response = login(client, "staff")
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logging_in_starts_a_new_session(client, staff):
    client.get(reverse("login"))
    client.session["probe"] = "x"
    before = client.session.session_key
    login(client, "staff")
    assert client.session.session_key != before


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(client, staff):
    unknown = login(client, "nobody", "whatever-it-is-123")
    wrong = login(client, "staff", "not-the-password-123")
    for response in (unknown, wrong):
        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()
    assert unknown.content.decode().count("nobody") == 1  # kept in the field only


def test_an_empty_login_form_names_the_missing_fields_and_keeps_input(client, staff):
    response = client.post(reverse("login"), {"username": "staff", "password": ""})
    form = response.context["form"]
    assert response.status_code == 200
    assert "password" in form.errors
    assert 'value="staff"' in response.content.decode()


def test_repeated_failures_lock_the_user_at_that_address_with_a_clear_message(
    client, staff
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "staff", "wrong-password-123")
    response = login(client, "staff")  # even the right password is refused now
    assert response.status_code == 429
    assert "for mange mislykkede forsøg" in response.content.decode()
    assert "15 minutter" in response.content.decode()


def test_a_lock_ends_after_the_cool_off(client, staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(client, "staff", "wrong-password-123")
        assert login(client, "staff").status_code == 429
    later = start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert login(client, "staff").status_code == 302


def test_a_locked_user_does_not_lock_out_a_colleague_at_the_same_address(
    client, staff, coordinator
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "staff", "wrong-password-123")
    assert login(client, "coordinator").status_code == 302


def test_the_same_user_from_another_address_is_not_locked(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "staff", "wrong-password-123", REMOTE_ADDR="10.0.0.1")
    assert login(client, "staff", REMOTE_ADDR="10.0.0.2").status_code == 302


def spray(client, names, *, tries=4, address="10.0.0.9"):
    """A few wrong passwords for each of several names, from one address."""
    for name in names:
        for n in range(tries):
            login(client, name, f"Sommer202{n}!", REMOTE_ADDR=address)


@pytest.fixture
def five_colleagues(db):
    return [
        make_user(f"kollega{n}", Role.STAFF, organisation="BoligSocialt Hus")
        for n in range(5)
    ]


def test_password_spraying_locks_the_address_for_every_name_it_tries(
    client, staff, five_colleagues
):
    # 5 names x 4 wrong passwords: under each name's own limit of 5, but 20 from
    # the address. The twentieth is answered with the lock.
    assert settings.ADDRESS_FAILURE_LIMIT == 20
    names = [user.username for user in five_colleagues]
    spray(client, names[:4])
    spray(client, names[4:], tries=3)
    assert (
        login(client, names[4], "Sommer2023!", REMOTE_ADDR="10.0.0.9").status_code
        == 429
    )

    # Now even a right password for another name is refused from there,
    response = login(client, "staff", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "for mange mislykkede forsøg" in response.content.decode()
    assert "60 minutter" in response.content.decode()
    # and the same person from another address is let in.
    assert login(client, "staff", REMOTE_ADDR="10.0.0.10").status_code == 302


def test_an_address_under_the_limit_is_not_locked(client, staff, five_colleagues):
    names = [user.username for user in five_colleagues]
    spray(client, names[:4], tries=4)
    spray(client, names[4:], tries=3)  # 19 failures

    assert login(client, "staff", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_address_lock_ends_an_hour_after_the_failures_that_made_it(
    client, staff, five_colleagues
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        spray(client, [user.username for user in five_colleagues])
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        # Trying on during the lock does not make it longer.
        for _ in range(5):
            response = login(client, "staff", "Sommer2026!", REMOTE_ADDR="10.0.0.9")
            assert response.status_code == 429
        assert "15 minutter" in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert login(client, "staff", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_logging_out_takes_a_post_and_ends_the_session(client, staff):
    client.force_login(staff)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    "password",
    ["kort-kode-1", "password1234", "123456789012345", "staff@example.org"],
)
def test_weak_passwords_are_refused(staff, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=staff)


@pytest.mark.parametrize(
    "password",
    [
        "en lang sætning om Odense",
        "Æblegrød med flødeskum i Rising",
        "x" * 40 + "y" * 60,
    ],
)
def test_long_passphrases_are_accepted_without_composition_rules(staff, password):
    validate_password(password, user=staff)


def test_a_password_reset_mails_a_link_that_sets_a_new_password(
    client, staff, mailoutbox
):
    response = client.post(reverse("password_reset"), {"email": staff.email})
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    link = re.search(
        r"http://testserver(/account/password/reset/\S+/)", mailoutbox[0].body
    )
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    new = "a brand new passphrase 2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.url == reverse("password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password(new)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, db, mailoutbox
):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


def test_a_malformed_reset_address_is_shown_next_to_the_field(client):
    response = client.post(reverse("password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert 'value="not-an-address"' in response.content.decode()


def test_an_expired_reset_link_is_refused(client, staff, mailoutbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("password_reset"), {"email": staff.email})
    path = re.search(r"http://testserver(\S+/)", mailoutbox[0].body).group(1)
    later = start + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(path, follow=True)
    assert not response.context["validlink"]
    assert "Linket virker ikke" in response.content.decode()


def test_a_weak_new_password_is_refused_next_to_the_field(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors


def test_changing_the_password_ends_the_persons_other_sessions(client, staff):
    from django.test import Client

    other = Client()
    other.force_login(staff)
    client.force_login(staff)
    new = "another long passphrase 2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.url == reverse("password_change_done")
    assert client.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302


def test_a_session_ends_after_thirty_idle_minutes(client, staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert client.get(reverse("home")).status_code == 302


def test_an_active_session_still_ends_after_a_working_day(client, staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
        client.get(reverse("home"))
    for minutes in range(20, 10 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(hours=10, minutes=1), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Ending sessions, resets and the second factor, cookies, default accounts -------


def test_deactivating_a_person_ends_their_open_sessions(client, staff):
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_password_reset_leads_to_the_login_and_then_the_code_never_past_it(
    client, advisor, mailoutbox
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=advisor, name="default", confirmed=True)
    client.post(reverse("password_reset"), {"email": advisor.email})
    path = re.search(r"http://testserver(\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    new = "a brand new passphrase 2026"
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    login(client, "advisor", new)
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("two_factor_verify"))


def test_with_the_production_cookie_settings_the_session_cookie_is_locked_down(
    client, staff, settings
):
    # The values boligsocial/settings.py sets when PORTAL_ENVIRONMENT=production
    # (tests/test_deployment.py checks that production really sets them).
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    response = login(client, "staff", secure=True)
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]
    csrf = client.get(reverse("login"), secure=True).cookies.get("__Host-csrftoken")
    if csrf is not None:  # already set by the login page, unchanged since
        assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]


def test_the_deployment_check_names_an_active_default_or_demo_account(db):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from boligsocial.models import Role, User

    User.objects.create_user("admin", password=PASSWORD, role=Role.ADMIN)
    with pytest.raises(SystemCheckError, match="'admin' has a default name"):
        call_command("check", "--deploy", "--database", "default", "--tag", "database")


def test_the_deployment_check_passes_when_every_account_is_a_named_person(db, capsys):
    from django.core.management import call_command

    from boligsocial.models import Role, User

    User.objects.create_user("admin", password=PASSWORD, role=Role.ADMIN)
    User.objects.filter(username="admin").update(is_active=False)
    User.objects.create_user("lene.hansen", password=PASSWORD, role=Role.ADMIN)
    call_command("check", "--deploy", "--database", "default", "--tag", "database")
    assert "no issues" in capsys.readouterr().out
