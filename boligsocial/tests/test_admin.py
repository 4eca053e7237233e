"""Coordinators and admins keep the backbone in Django admin; no one else gets in."""

import pytest
from django.urls import reverse

from boligsocial.models import Area, Organisation, Role


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_coordinators_and_admins_open_the_admin(client, personas, role):
    client.force_login(personas[role])
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR, Role.PARTNER]
)
def test_other_roles_are_refused_the_admin(client, personas, role):
    client.force_login(personas[role])
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    area = Area.objects.first()
    url = reverse("admin:boligsocial_area_change", args=[area.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"name": "Ændret", "slug": area.slug}).status_code in (
        302,
        403,
    )
    area.refresh_from_db()
    assert area.name != "Ændret"


def test_a_coordinator_edits_an_area_in_the_admin(client, coordinator):
    client.force_login(coordinator)
    area = Area.objects.get(slug="stadionvej")
    url = reverse("admin:boligsocial_area_change", args=[area.pk])
    response = client.post(
        url, {"name": "Stadionvej-kvarteret", "slug": "stadionvej", "description": ""}
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.name == "Stadionvej-kvarteret"


def test_a_department_owned_by_a_non_housing_organisation_is_refused(
    client, coordinator
):
    client.force_login(coordinator)
    police = Organisation.objects.get(name="Fyns Politi")
    response = client.post(
        reverse("admin:boligsocial_housingdepartment_add"),
        {
            "organisation": police.pk,
            "area": Area.objects.get(slug="rising").pk,
            "number": "1",
            "name": "Politiblokken",
            "households": "10",
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert 'value="Politiblokken"' in response.content.decode()


def test_only_the_admin_role_manages_users(client, coordinator, admin_user):
    url = reverse("admin:boligsocial_user_changelist")
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_the_admin_login_page_sends_visitors_to_the_portal_login(client, db):
    response = client.get(reverse("admin:login") + "?next=/admin/boligsocial/area/")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/admin/boligsocial/area/"


def test_a_created_superuser_gets_the_admin_role(django_user_model):
    user = django_user_model.objects.create_superuser("boss", "b@example.org", "x")
    assert user.role == Role.ADMIN


def test_an_area_cannot_take_the_address_of_the_residents_withdrawal_pages(
    client, coordinator
):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:boligsocial_area_add"),
        {"name": "Afmeld", "slug": "afmeld", "description": ""},
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Area.objects.filter(slug="afmeld").exists()
