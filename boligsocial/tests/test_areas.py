"""The area pages: everyone inside sees all areas, a partner only its own."""

import pytest
from django.urls import reverse

from boligsocial.models import Area, HousingDepartment


def test_staff_see_every_area_with_its_departments_and_households(
    client, staff, departments, django_assert_num_queries
):
    client.force_login(staff)
    with django_assert_num_queries(7):
        response = client.get(reverse("area_list"))
    areas = {a.name: a for a in response.context["areas"]}
    assert len(areas) == Area.objects.count() == 8
    assert (areas["Rising"].department_count, areas["Rising"].households) == (2, 500)
    assert areas["Stadionvej"].households is None


def test_a_partner_lists_only_its_granted_areas(client, partner, departments):
    client.force_login(partner)
    response = client.get(reverse("area_list"))
    assert [a.name for a in response.context["areas"]] == ["Rising"]
    assert "Vollsmose" not in response.content.decode()


def test_the_area_page_lists_departments_in_constant_queries(
    client, staff, departments, housing_org, django_assert_num_queries
):
    rising = Area.objects.get(slug="rising")
    for n in range(5):
        HousingDepartment.objects.create(
            organisation=housing_org,
            area=rising,
            number=f"9{n}",
            name=f"Blok {n}",
            households=10,
        )
    client.force_login(staff)
    with django_assert_num_queries(8):
        response = client.get(reverse("area_detail", args=["rising"]))
    assert response.status_code == 200
    assert len(response.context["departments"]) == 7
    assert "Rising Øst" in response.content.decode()


def test_a_partner_opens_its_own_area(client, partner, departments):
    client.force_login(partner)
    response = client.get(reverse("area_detail", args=["rising"]))
    assert response.status_code == 200


def test_a_partner_gets_not_found_for_an_area_it_is_not_granted(client, partner):
    client.force_login(partner)
    response = client.get(reverse("area_detail", args=["vollsmose"]))
    assert response.status_code == 404


def test_an_unknown_area_is_not_found(client, staff):
    client.force_login(staff)
    assert client.get(reverse("area_detail", args=["atlantis"])).status_code == 404


@pytest.mark.parametrize("name,args", [("area_list", []), ("area_detail", ["rising"])])
def test_the_area_pages_refuse_other_methods_than_get(client, staff, name, args):
    client.force_login(staff)
    assert client.post(reverse(name, args=args)).status_code == 405


def test_household_counts_are_grouped_the_danish_way(
    client, staff, departments, housing_org
):
    HousingDepartment.objects.create(
        organisation=housing_org,
        area=Area.objects.get(slug="vollsmose"),
        number="22",
        name="Vollsmose Syd",
        households=1650,
    )
    client.force_login(staff)
    html = client.get(reverse("area_list")).content.decode()
    assert ">2.550<" in html
