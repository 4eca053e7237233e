"""The portal's own error pages: 400, 403, 404 and a refused form (CSRF) inside
the portal's frame, in Danish and English, with a way on; and a resident whose
sign-up the CSRF check refuses gets the form back with what they typed."""

import re

import pytest
from django.test import Client
from django.urls import include, path, reverse

from boligsocial import views
from conftest import TwoFactorClient
from safety.models import SignUp

pytestmark = pytest.mark.django_db


def in_english(client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_a_missing_page_is_the_portals_with_its_navigation(client, staff):
    client.force_login(staff)

    response = client.get("/plan/records/999999/edit/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Siden findes ikke" in html
    assert 'data-testid="nav"' in html
    assert f'href="{reverse("home")}"' in html
    assert "Til din forside" in html


def test_a_missing_page_reads_in_english_too(client, staff):
    client.force_login(staff)
    in_english(client)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "The page does not exist" in html
    assert "To your start page" in html


def test_an_outsider_is_shown_the_way_to_log_in(client):
    response = client.get("/nabohjaelp/no-such-area/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Siden findes ikke" in html
    assert f'href="{reverse("login")}"' in html
    assert reverse("notification_list") not in html


def test_a_page_the_role_may_not_see_says_so_in_the_frame(client, partner):
    client.force_login(partner)

    response = client.get(reverse("activities:record_import"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Du har ikke adgang til siden" in html
    assert 'data-testid="nav"' in html


def test_a_request_for_another_host_is_refused_with_the_portals_page(client):
    response = client.get("/", headers={"host": "evil.example"})

    assert response.status_code == 400
    assert "Forespørgslen kunne ikke læses" in response.content.decode()


def test_a_form_the_csrf_check_refuses_explains_and_leads_back(staff):
    client = TwoFactorClient(enforce_csrf_checks=True)
    client.force_login(staff)
    page = "http://testserver" + reverse("activities:record_create")

    response = client.post(
        reverse("activities:record_create"), {"note": "x"}, headers={"referer": page}
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "Formularen kunne ikke modtages" in html
    assert f'href="{page}"' in html
    assert 'data-testid="nav"' in html


def test_a_refused_sign_up_comes_back_with_what_the_resident_typed(departments):
    rising_east = departments[0]
    rising_east.streets = "Rising Allé"
    rising_east.save(update_fields=["streets"])
    resident = Client(enforce_csrf_checks=True)
    page = reverse("nabohjaelp:signup", args=["rising"])
    typed = {
        "name": "Amira Hansen",
        "street": "Rising Allé",
        "number": "12",
        "floor_door": "2. tv",
        "phone": "20 12 34 56",
        "consent": "on",
    }

    refused = resident.post(page, typed)

    assert refused.status_code == 403
    html = refused.content.decode()
    assert 'data-testid="csrf-refused"' in html
    assert 'value="Amira Hansen"' in html
    assert 'value="Rising Allé"' in html
    assert not SignUp.objects.exists()
    # The page carries a fresh token: sent again, the sign-up is taken.
    token = refused.cookies["csrftoken"].value
    again = resident.post(page, {**typed, "csrfmiddlewaretoken": token})
    assert again.status_code == 302
    assert SignUp.objects.get().name == "Amira Hansen"


def fails(request):
    raise RuntimeError("boom")


# This module is also the URL configuration of the framed failure's test.
urlpatterns = [path("fails/", fails), path("", include("boligsocial.urls"))]
handler500 = views.server_error


@pytest.mark.urls(__name__)
def test_a_failure_is_shown_in_the_frame_with_its_error_id(staff):
    client = TwoFactorClient(raise_request_exception=False)
    client.force_login(staff)

    response = client.get("/fails/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Der skete en fejl" in html
    assert 'data-testid="nav"' in html
    assert re.search(r"Fejl-id:\s*<strong>[0-9a-f]{8}</strong>", html)
    assert "boom" not in html
