"""Two-factor login: advisors and coordinators give a code from an authenticator app
after their password; they set the app up at their first login."""

from base64 import b32encode
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from boligsocial.models import Invitation, PersonChange, Role
from boligsocial.two_factor import qr_code_svg
from conftest import PASSWORD, TEST_TOTP_KEY, a_wrong_code, authenticator_code

SETUP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")
BACKUP_CODES = reverse("two_factor_backup_codes")
HOME = reverse("home")
WRONG = "Koden er forkert."
THROTTLED = "For mange forkerte koder i træk"


def log_in_with_password(client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def give_an_app(user) -> TOTPDevice:
    """An authenticator app the person set up earlier."""
    return TOTPDevice.objects.create(
        user=user, name="default", key=TEST_TOTP_KEY, confirmed=True
    )


def follow_app_link(client, user) -> None:
    """The link from the person's e-mail, opened in the session that gave their
    password: the only way to the setup page."""
    _invitation, token = Invitation.issue(user, kind=Invitation.Kind.APP, by=None)
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.url == SETUP, response


def set_up_app(client, user) -> list[str]:
    """Through the setup page, as the person does with their phone; returns the
    backup codes the portal showed."""
    follow_app_link(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": authenticator_code(device)}, follow=True)
    return response.context["codes"]


def field_errors(response) -> list[str]:
    return response.context["form"].errors.get("code", [])


# --- Who is asked --------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.SAFETY_ADVISOR, Role.ADVISOR, Role.COORDINATOR]
)
def test_everyone_who_sees_personal_data_is_sent_to_set_up_an_app_after_the_password(
    client, personas, role
):
    log_in_with_password(client, personas[role])
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=/"


def test_a_partner_who_sees_only_aggregates_is_never_asked_for_a_code(client, partner):
    log_in_with_password(client, partner)
    assert client.get(HOME).status_code == 200


def test_the_admin_role_is_sent_to_set_up_an_app_before_the_admin_pages(
    client, admin_user
):
    log_in_with_password(client, admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(f"{SETUP}?next=")


def test_the_admin_pages_are_closed_to_a_coordinator_before_the_code(
    client, coordinator
):
    give_an_app(coordinator)
    log_in_with_password(client, coordinator)
    for url in (reverse("admin:index"), reverse("admin:boligsocial_area_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(f"{VERIFY}?next=")


def test_logging_out_and_switching_language_still_work_before_the_code(
    client, coordinator
):
    give_an_app(coordinator)
    log_in_with_password(client, coordinator)
    response = client.post(reverse("set_language"), {"language": "en", "next": VERIFY})
    assert response.url == VERIFY
    assert client.post(reverse("logout")).url == reverse("login")
    assert client.get(HOME).url.startswith(reverse("login"))


def test_the_code_prompt_shows_no_navigation_that_would_lead_back_to_it(
    client, coordinator
):
    give_an_app(coordinator)
    log_in_with_password(client, coordinator)
    response = client.get(VERIFY)
    assert response.context["nav_items"] == []


# --- Setting up the app -----------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_key_for_typing(client, advisor):
    log_in_with_password(client, advisor)
    follow_app_link(client, advisor)
    response = client.get(SETUP)
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=advisor, confirmed=False)
    assert "issuer=BoligSocialt%20Hus" in device.config_url
    assert str(response.context["qr_code"]) == qr_code_svg(device.config_url)
    assert str(response.context["qr_code"]) in html
    key = b32encode(device.bin_key).decode()
    assert response.context["key"].replace(" ", "") == key


def test_the_qr_code_passes_the_content_security_policy(client, advisor):
    log_in_with_password(client, advisor)
    follow_app_link(client, advisor)
    response = client.get(SETUP)
    svg = str(response.context["qr_code"])
    # style-src 'self': an inline style (attribute or element) would be blocked.
    assert "style" not in svg
    assert "<script" not in svg
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_reloading_the_setup_page_keeps_the_key_the_person_may_have_scanned(
    client, advisor
):
    log_in_with_password(client, advisor)
    follow_app_link(client, advisor)
    first = client.get(SETUP).context["key"]
    assert client.get(SETUP).context["key"] == first
    assert TOTPDevice.objects.filter(user=advisor).count() == 1


def test_the_right_code_confirms_the_app_lets_them_in_and_shows_backup_codes(
    client, coordinator
):
    log_in_with_password(client, coordinator)
    follow_app_link(client, coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(SETUP, {"code": authenticator_code(device)})
    assert response.url == f"{BACKUP_CODES}?next=/"
    device.refresh_from_db()
    assert device.confirmed

    page = client.get(response.url)
    codes = page.context["codes"]
    assert len(codes) == 10
    stored = StaticToken.objects.filter(device__user=coordinator)
    assert sorted(codes) == sorted(stored.values_list("token", flat=True))
    assert all(code in page.content.decode() for code in codes)
    assert client.get(HOME).status_code == 200


def test_the_backup_codes_are_shown_only_once(client, coordinator):
    log_in_with_password(client, coordinator)
    codes = set_up_app(client, coordinator)
    again = client.get(BACKUP_CODES)
    assert again.context["codes"] == []
    assert not any(code in again.content.decode() for code in codes)


def test_a_wrong_code_at_setup_is_shown_next_to_the_field_and_confirms_nothing(
    client, coordinator
):
    log_in_with_password(client, coordinator)
    follow_app_link(client, coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(SETUP, {"code": a_wrong_code(device)})
    assert response.status_code == 200
    assert field_errors(response) == [WRONG]
    assert 'id="error_1_id_code"' in response.content.decode()  # crispy's, by the field
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert client.get(HOME).status_code == 302


def test_someone_with_an_app_cannot_set_up_another_with_their_password_alone(
    client, coordinator
):
    give_an_app(coordinator)
    log_in_with_password(client, coordinator)
    response = client.get(SETUP + "?next=/plan/")
    assert response.url == f"{VERIFY}?next=/plan/"
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_someone_who_needs_no_second_factor_may_set_one_up(client, staff):
    log_in_with_password(client, staff)
    set_up_app(client, staff)
    assert TOTPDevice.objects.get(user=staff).confirmed


# --- The code prompt ------------------------------------------------------------


def test_after_logging_out_the_next_login_asks_for_a_code(client, coordinator):
    log_in_with_password(client, coordinator)
    set_up_app(client, coordinator)
    client.post(reverse("logout"))

    log_in_with_password(client, coordinator)
    response = client.get(HOME)
    assert response.url == f"{VERIFY}?next=/"


def test_the_right_code_lets_them_in(client, advisor):
    device = give_an_app(advisor)
    log_in_with_password(client, advisor)
    response = client.post(VERIFY + "?next=/", {"code": authenticator_code(device)})
    assert response.status_code == 302
    assert response.url == HOME
    assert client.get(HOME).status_code == 200


def test_a_code_typed_with_a_space_as_the_app_shows_it_is_accepted(client, advisor):
    device = give_an_app(advisor)
    log_in_with_password(client, advisor)
    code = authenticator_code(device)
    response = client.post(VERIFY, {"code": f"{code[:3]} {code[3:]}"})
    assert response.url == HOME


def test_a_wrong_code_is_refused_next_to_the_field(client, advisor):
    device = give_an_app(advisor)
    log_in_with_password(client, advisor)
    response = client.post(VERIFY, {"code": a_wrong_code(device)})
    assert response.status_code == 200
    assert field_errors(response) == [WRONG]
    assert client.get(HOME).status_code == 302


def test_a_code_works_only_once(client, advisor):
    device = give_an_app(advisor)
    log_in_with_password(client, advisor)
    code = authenticator_code(device)
    client.post(VERIFY, {"code": code})
    client.post(reverse("logout"))
    log_in_with_password(client, advisor)
    response = client.post(VERIFY, {"code": code})
    assert field_errors(response) == [WRONG]


def test_a_backup_code_lets_them_in_once_only(client, coordinator):
    log_in_with_password(client, coordinator)
    codes = set_up_app(client, coordinator)
    client.post(reverse("logout"))

    log_in_with_password(client, coordinator)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == HOME
    assert "Du har 9 tilbage" in response.content.decode()
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9
    client.post(reverse("logout"))

    log_in_with_password(client, coordinator)
    response = client.post(VERIFY, {"code": codes[0]})
    assert field_errors(response) == [WRONG]
    assert client.get(HOME).status_code == 302


def test_repeated_wrong_codes_make_the_prompt_wait_and_say_so(client, advisor):
    device = give_an_app(advisor)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in_with_password(client, advisor)
        for _ in range(3):
            client.post(VERIFY, {"code": a_wrong_code(device)})
        # Even the right code waits until the pause after three failures is over.
        response = client.post(VERIFY, {"code": authenticator_code(device)})
        assert response.status_code == 200
        assert field_errors(response)[0].startswith(THROTTLED)
        assert "Prøv igen om" in response.content.decode()
        assert client.get(HOME).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        response = client.post(VERIFY, {"code": authenticator_code(device)})
        assert response.url == HOME


def test_the_prompt_goes_on_to_the_page_asked_for_before_the_login(client, coordinator):
    device = give_an_app(coordinator)
    plan = reverse("activities:plan_list")
    response = client.get(plan)
    assert response.url == f"{reverse('login')}?next={plan}"
    response = client.post(
        response.url, {"username": "coordinator", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next={plan}"
    response = client.post(
        response.redirect_chain[-1][0], {"code": authenticator_code(device)}
    )
    assert response.url == plan


def test_the_prompt_ignores_a_next_address_on_another_site(client, coordinator):
    device = give_an_app(coordinator)
    log_in_with_password(client, coordinator)
    response = client.post(
        VERIFY + "?next=https://evil.example/", {"code": authenticator_code(device)}
    )
    assert response.url == HOME


def test_a_verified_person_opening_the_prompt_goes_straight_on(client, coordinator):
    client.force_login(coordinator)
    assert client.get(VERIFY + "?next=/plan/").url == "/plan/"


def test_a_person_without_an_app_is_sent_from_the_prompt_to_set_one_up(client, advisor):
    log_in_with_password(client, advisor)
    assert client.get(VERIFY + "?next=/plan/").url == f"{SETUP}?next=/plan/"


# --- Methods and visitors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "methods"),
    [(SETUP, ["put", "delete"]), (VERIFY, ["put", "delete"]), (BACKUP_CODES, ["post"])],
)
def test_the_two_factor_pages_refuse_other_methods(client, coordinator, url, methods):
    client.force_login(coordinator)
    for method in methods:
        assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize("url", [SETUP, VERIFY, BACKUP_CODES])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('login')}?next=")


# --- An app only through a link from the person's e-mail ------------------------------


def test_a_password_alone_never_sets_up_an_app(client, advisor):
    log_in_with_password(client, advisor)
    response = client.get(SETUP)
    assert response.status_code == 403
    assert "Send et link til" in response.content.decode()
    assert client.post(SETUP, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=advisor).exists()
    assert client.get(HOME).url == f"{SETUP}?next=/"


def test_the_person_asks_for_a_link_opens_it_and_sets_up_the_app(
    client, advisor, mailoutbox, django_capture_on_commit_callbacks
):
    log_in_with_password(client, advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_new_link"))
    (mail,) = mailoutbox
    assert mail.to == [advisor.email]
    link = next(line for line in mail.body.splitlines() if "/invitation/" in line)
    path = link.split("testserver", 1)[1]
    # Opening the link (as a mail scanner would) spends nothing.
    assert client.get(path).status_code == 200
    assert client.post(path).url == SETUP
    assert client.get(SETUP).status_code == 200
    set_up_codes = client.post(
        SETUP, {"code": authenticator_code(TOTPDevice.objects.get(user=advisor))}
    )
    assert set_up_codes.url.startswith(BACKUP_CODES)
    assert PersonChange.objects.filter(
        person=advisor, action=PersonChange.Action.APP_SET_UP
    ).exists()
    # The link worked once.
    assert client.post(path).status_code == 410


def test_asking_again_at_once_sends_no_second_link(
    client, advisor, mailoutbox, django_capture_on_commit_callbacks
):
    log_in_with_password(client, advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_new_link"))
        client.post(reverse("two_factor_new_link"))
    assert len(mailoutbox) == 1


def test_a_link_for_someone_else_does_not_open_the_setup(client, advisor, staff):
    _invitation, token = Invitation.issue(staff, kind=Invitation.Kind.APP, by=None)
    log_in_with_password(client, advisor)
    response = client.post(reverse("invitation_accept", args=[token]))
    assert response.status_code == 403
    assert client.get(SETUP).status_code == 403
    assert Invitation.objects.waiting().filter(person=staff).exists()


def test_a_two_factor_link_asks_an_anonymous_visitor_to_log_in_first(client, advisor):
    _invitation, token = Invitation.issue(advisor, kind=Invitation.Kind.APP, by=None)
    url = reverse("invitation_accept", args=[token])
    response = client.post(url)
    assert response.url.startswith(reverse("login"))
    assert Invitation.objects.waiting().filter(person=advisor).exists()


def test_the_admin_cannot_delete_a_device_behind_the_record(
    client, coordinator, admin_user
):
    device = give_an_app(coordinator)
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert changelist.status_code == 200
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(user=coordinator).exists()


def test_the_device_admin_never_shows_a_key_and_makes_no_devices(
    client, coordinator, admin_user
):
    device = give_an_app(coordinator)
    client.force_login(admin_user)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert device.key not in html
    assert b32encode(device.bin_key).decode() not in html
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403


def test_the_device_admin_never_shows_backup_codes(client, coordinator, admin_user):
    log_in_with_password(client, coordinator)
    codes = set_up_app(client, coordinator)
    backup = StaticDevice.objects.get(user=coordinator)
    client.force_login(admin_user)
    page = client.get(reverse("admin:otp_static_staticdevice_change", args=[backup.pk]))
    assert page.status_code == 200
    assert not any(code in page.content.decode() for code in codes)


def test_a_coordinator_cannot_see_the_device_admin(client, coordinator):
    give_an_app(coordinator)
    client.force_login(coordinator)
    for name in ("otp_totp_totpdevice", "otp_static_staticdevice"):
        url = reverse(f"admin:{name}_changelist")
        assert client.get(url).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "otp_totp" not in index
