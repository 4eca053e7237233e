"""No open redirects, no foreign Host, no details on the error page (checklist
items 21, 23 and 34).

Every place that goes on to an address it is given (`next`, or the Referer the
language switcher falls back on) is tried with addresses that browsers read as
another site; the redirect must stay on the portal. The first test fails when a
module of ours starts taking such an address, so that it is added here.
"""

import datetime
import logging
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import get_resolver, path, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from boligsocial import views
from boligsocial.models import Area, Invitation, Organisation
from conftest import PASSWORD, TEST_TOTP_KEY, TwoFactorClient, authenticator_code
from safety.models import FollowUpTask, NetworkMeeting

ROOT = Path(__file__).resolve().parent.parent
APPS = ["boligsocial", "activities", "safety", "advice", "reports"]

# Addresses a browser takes to evil.example (or runs), written as a person could
# type them into a link to the portal.
FOREIGN = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
]

# The modules of ours that take an address to go on to, each tried below.
TAKERS_OF_ADDRESSES = {
    "boligsocial/admin_site.py",  # the admin's login hands `next` to the login page
    "boligsocial/two_factor.py",  # the code prompt, its setup and the backup codes
    # follow-up tasks marked done go back to the list
    "safety/beredskab/network_views.py",
    # a form the CSRF check refused leads back to the page it came from
    "boligsocial/views.py",
    # an htmx request after the session ended leads to the login, then to its page
    "boligsocial/kept_forms.py",
}


def test_every_module_that_takes_an_address_to_go_on_to_is_tried_here():
    taking = re.compile(
        r"REDIRECT_FIELD_NAME|HTTP_REFERER|HX-Current-URL|url_has_allowed_host_and_scheme"
        r"|[\"'](next|return|back|return_to|redirect_to)[\"']"
    )
    found = {
        str(file.relative_to(ROOT))
        for app in APPS
        for file in (ROOT / app).rglob("*.py")
        if "tests" not in file.parts and taking.search(file.read_text())
    }
    assert found == TAKERS_OF_ADDRESSES


def lands_on_the_portal(address: str, page: str) -> bool:
    """Whether a browser on `page` that follows `address` (a Location or a link)
    stays on the portal: it drops tabs and line breaks, reads a backslash as a
    slash, and resolves the rest against the page."""
    cleaned = re.sub(r"[\t\r\n]", "", address).strip().replace("\\", "/")
    target = urlsplit(urljoin(f"http://testserver{page}", cleaned))
    return target.scheme in ("http", "https") and target.netloc == "testserver"


def test_the_check_tells_a_foreign_address_from_one_of_ours():
    assert lands_on_the_portal("/plan/", "/account/login/")
    assert lands_on_the_portal("%2F%2Fevil.example", "/account/login/")
    for address in FOREIGN[:-1]:
        assert not lands_on_the_portal(address, "/account/login/")


# --- The places that go on to an address --------------------------------------------


LOGIN = reverse("login")
VERIFY = reverse("two_factor_verify")
SETUP = reverse("two_factor_setup")
BACKUP_CODES = reverse("two_factor_backup_codes")


def location(response) -> str:
    assert response.status_code == 302, response.status_code
    return response["Location"]


def continue_link(response) -> str:
    """The backup codes page's »Fortsæt« link."""
    assert response.status_code == 200
    return re.search(r'href="([^"]*)">Fortsæt<', response.text)[1]


def log_in_with_password(client, user, **extra) -> None:
    client.post(LOGIN, {"username": user.username, "password": PASSWORD, **extra})


def follow_app_link(client, user) -> None:
    """The link from the person's e-mail, which lets the session set up an app."""
    _invitation, token = Invitation.issue(user, kind=Invitation.Kind.APP, by=None)
    client.post(reverse("invitation_accept", args=[token]))


def give_an_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(
        user=user, name="default", key=TEST_TOTP_KEY, confirmed=True
    )


def login_when_signed_in(client, people, address):
    client.force_login(people["staff"])
    return location(client.get(f"{LOGIN}?next={address}")), LOGIN


def login_with_the_password(client, people, address):
    partner = people["partner"]
    data = {"username": partner.username, "password": PASSWORD, "next": address}
    return location(client.post(LOGIN, data)), LOGIN


def logout(client, people, address):
    client.force_login(people["staff"])
    url = reverse("logout")
    return location(client.post(url, {"next": address})), url


def logout_with_the_address_in_the_query(client, people, address):
    client.force_login(people["staff"])
    url = reverse("logout")
    return location(client.post(f"{url}?next={address}")), url


def language_switcher(client, people, address):
    url = reverse("set_language")
    return location(client.post(url, {"language": "en", "next": address})), url


def language_switcher_by_link(client, people, address):
    url = reverse("set_language")
    return location(client.get(f"{url}?language=en&next={address}")), url


def language_switcher_from_a_referer(client, people, address):
    url = reverse("set_language")
    response = client.post(url, {"language": "en"}, HTTP_REFERER=address)
    return location(response), url


def code_prompt_when_verified(client, people, address):
    client.force_login(people["coordinator"])
    return location(client.get(f"{VERIFY}?next={address}")), VERIFY


def code_prompt_given_the_code(client, people, address):
    coordinator = people["coordinator"]
    device = give_an_app(coordinator)
    log_in_with_password(client, coordinator)
    url = f"{VERIFY}?next={address}"
    return location(client.post(url, {"code": authenticator_code(device)})), VERIFY


def setting_up_an_app(client, people, address):
    """The setup goes to the backup codes, whose »Fortsæt« goes on."""
    coordinator = people["coordinator"]
    log_in_with_password(client, coordinator)
    follow_app_link(client, coordinator)
    client.get(f"{SETUP}?next={address}")
    device = TOTPDevice.objects.get(user=coordinator)
    url = f"{SETUP}?next={address}"
    codes = location(client.post(url, {"code": authenticator_code(device)}))
    assert lands_on_the_portal(codes, SETUP)
    return continue_link(client.get(codes)), BACKUP_CODES


def setup_when_an_app_is_set_up(client, people, address):
    client.force_login(people["coordinator"])
    return location(client.get(f"{SETUP}?next={address}")), SETUP


def backup_codes_page(client, people, address):
    client.force_login(people["coordinator"])
    return continue_link(client.get(f"{BACKUP_CODES}?next={address}")), BACKUP_CODES


def admin_login(client, people, address):
    """The admin's login sends to the portal's, which then logs in."""
    url = reverse("admin:login")
    login_page = location(client.get(f"{url}?next={address}"))
    assert lands_on_the_portal(login_page, url)
    admin = people["admin_user"]
    credentials = {"username": admin.username, "password": PASSWORD}
    return location(client.post(login_page, credentials)), LOGIN


def admin_logout(client, people, address):
    client.force_login(people["admin_user"])
    url = reverse("admin:logout")
    return location(client.post(url, {"next": address})), url


def task_marked_done(client, people, address):
    client.force_login(people["partner"])
    url = reverse("safety:task_done", args=[people["task"].pk])
    return location(client.post(url, {"next": address})), url


def task_reopened(client, people, address):
    client.force_login(people["partner"])
    url = reverse("safety:task_reopen", args=[people["task"].pk])
    return location(client.post(url, {"next": address})), url


def htmx_poll_after_the_session_ended(client, people, address):
    """The page an htmx request says it came from, through the login after it."""
    answer = client.get(
        reverse("my_work_count"),
        headers={"HX-Request": "true", "HX-Current-URL": address},
    )
    credentials = {"username": people["partner"].username, "password": PASSWORD}
    return location(client.post(answer["HX-Redirect"], credentials)), LOGIN


PLACES = [
    htmx_poll_after_the_session_ended,
    login_when_signed_in,
    login_with_the_password,
    logout,
    logout_with_the_address_in_the_query,
    language_switcher,
    language_switcher_by_link,
    language_switcher_from_a_referer,
    code_prompt_when_verified,
    code_prompt_given_the_code,
    setting_up_an_app,
    setup_when_an_app_is_set_up,
    backup_codes_page,
    admin_login,
    admin_logout,
    task_marked_done,
    task_reopened,
]


@pytest.fixture
def people(staff, partner, coordinator, admin_user) -> dict:
    """The personas, and a follow-up task of the partner's organisation."""
    police = Organisation.objects.get(name="Fyns Politi")
    meeting = NetworkMeeting.objects.create(
        held_on=datetime.date(2026, 4, 27), agenda="1. Status", decisions="Ingen."
    )
    meeting.organisations.set([police])
    meeting.areas.set([Area.objects.get(slug="rising")])
    task = FollowUpTask.objects.create(
        meeting=meeting,
        owner=police,
        description="Øget patruljering i Rising",
        due_on=datetime.date(2026, 5, 18),
    )
    return {
        "staff": staff,
        "partner": partner,
        "coordinator": coordinator,
        "admin_user": admin_user,
        "task": task,
    }


@pytest.mark.parametrize("address", FOREIGN)
@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.__name__)
def test_an_address_on_another_site_is_never_followed(client, people, place, address):
    goes_to, page = place(client, people, address)

    assert lands_on_the_portal(goes_to, page), goes_to


# Two go on through another page, which then follows (or refuses) the address.
FOLLOWING = [p for p in PLACES if p not in (setup_when_an_app_is_set_up, admin_login)]


@pytest.mark.parametrize("place", FOLLOWING, ids=lambda place: place.__name__)
def test_an_address_on_the_portal_is_followed(client, people, place):
    """The other half: a place that ignored `next` altogether would pass above."""
    ours = "/safety/tasks/?overdue=on"

    goes_to, page = place(client, people, ours)

    assert goes_to == ours


@pytest.mark.parametrize("address", ["//evil.example", "/\\evil.example"])
def test_a_path_that_looks_like_another_site_stays_on_the_portal(
    client, coordinator, address
):
    """Django's slash appending and the code prompt both redirect to the path."""
    anonymous = client.get(address)
    log_in_with_password(client, coordinator)
    between_password_and_code = client.get(address)

    for response in (anonymous, between_password_and_code):
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert lands_on_the_portal(response["Location"], "/")
    assert between_password_and_code.status_code == 302


# --- Host header -------------------------------------------------------------------

PORTAL_HOST = "portal.example.dk"


@pytest.fixture
def production_hosts(settings):
    settings.ALLOWED_HOSTS = [PORTAL_HOST]
    settings.DEBUG = False
    return settings


@pytest.mark.parametrize(
    "host",
    ["evil.example", f"{PORTAL_HOST}@evil.example", "127.0.0.1:8000@evil.example"],
)
@pytest.mark.parametrize(
    "url", [reverse("login"), reverse("password_reset"), reverse("home"), "/nowhere/"]
)
def test_a_request_for_another_host_gets_400(production_hosts, db, host, url):
    response = Client().get(url, HTTP_HOST=host)

    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


def test_the_portals_own_host_is_served(production_hosts, db):
    response = Client().get(reverse("login"), HTTP_HOST=PORTAL_HOST)

    assert response.status_code == 200


def test_a_forwarded_host_is_not_believed(production_hosts, staff, mailoutbox):
    assert not production_hosts.USE_X_FORWARDED_HOST
    client = Client(HTTP_HOST=PORTAL_HOST)

    response = client.post(
        reverse("password_reset"),
        {"email": staff.email},
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_FORWARDED="host=evil.example",
    )

    assert response.status_code == 302
    (mail,) = mailoutbox
    assert f"http://{PORTAL_HOST}/account/password/reset/" in mail.body
    assert "evil.example" not in mail.body + mail.subject


def test_a_password_reset_asked_for_another_host_sends_no_mail(
    production_hosts, staff, mailoutbox
):
    response = Client().post(
        reverse("password_reset"), {"email": staff.email}, HTTP_HOST="evil.example"
    )

    assert response.status_code == 400
    assert mailoutbox == []


# --- The error page ---------------------------------------------------------------


SECRET_DETAIL = "SELECT password FROM boligsocial_user /srv/portal/settings.py"


def fails(request):
    raise RuntimeError(SECRET_DETAIL)


# This module is also the URL configuration of the error page's tests.
urlpatterns = [path("fails/", fails)]
handler500 = views.server_error


def test_the_portal_uses_the_error_page_with_an_error_id():
    assert get_resolver("boligsocial.urls").resolve_error_handler(500) == (
        views.server_error
    )


@pytest.mark.urls(__name__)
def test_a_failure_shows_a_plain_page_with_an_error_id_the_log_has_too(
    production_hosts, db, caplog
):
    client = Client(HTTP_HOST=PORTAL_HOST, raise_request_exception=False)

    with caplog.at_level(logging.ERROR):
        response = client.get("/fails/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Der skete en fejl" in page
    for detail in (
        "Traceback",
        "RuntimeError",
        "SELECT",
        "password",
        "settings.py",
        str(ROOT),
        production_hosts.SECRET_KEY,
        "DEBUG",
    ):
        assert detail not in page
    error_id = re.search(r"Fejl-id: <strong>([0-9a-f]{8})</strong>", page)[1]
    (logged,) = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged.exc_info[0] is RuntimeError


def test_the_error_page_needs_nothing_to_be_shown():
    """Django's own handler renders it with an empty context and no request."""
    source = (ROOT / "templates" / "500.html").read_text()
    assert "{% extends" not in source and "{% url" not in source
    assert "{% static" not in source and "{{ request" not in source

    page = render_to_string("500.html")

    assert "Der skete en fejl" in page
    assert "Fejl-id" not in page


def test_a_refused_forms_way_back_is_never_another_site(staff):
    client = TwoFactorClient(enforce_csrf_checks=True)
    client.force_login(staff)
    for referer in ("https://evil.example/phish", "//evil.example/", "javascript:x"):
        response = client.post(
            reverse("activities:record_create"),
            {"note": "x"},
            headers={"referer": referer},
        )
        assert response.status_code == 403
        assert "Tilbage til siden, du kom fra" not in response.content.decode()
