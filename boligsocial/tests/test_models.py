"""Invariants the core models own."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from boligsocial.models import (
    Area,
    HousingDepartment,
    Organisation,
    Role,
    User,
    in_house_numbers,
)
from boligsocial.retention import purge_expired_sessions_and_login_records


@pytest.mark.django_db
def test_a_user_outside_the_admin_role_must_belong_to_an_organisation():
    with pytest.raises(ValidationError) as error:
        User(username="løs", role=Role.STAFF).full_clean()
    assert "organisation" in error.value.message_dict


@pytest.mark.django_db
def test_an_unknown_role_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role="superhero")


def test_a_department_number_is_unique_within_its_organisation(departments):
    first = departments[0]
    with pytest.raises(IntegrityError):
        HousingDepartment.objects.create(
            organisation=first.organisation,
            area=first.area,
            number=first.number,
            name="Dublet",
            households=1,
        )


@pytest.mark.django_db
def test_housing_organisations_are_the_organisations_of_that_kind(housing_org):
    from boligsocial.models import HousingOrganisation

    assert list(HousingOrganisation.objects.all()) == [housing_org]
    assert Organisation.objects.count() > 1


@pytest.mark.django_db
def test_housekeeping_purges_expired_sessions_and_stale_login_attempts():
    store = SessionStore()
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    stale = AccessAttempt.objects.create(
        username="someone", ip_address="10.0.0.1", failures_since_start=3
    )
    # attempt_time is set on creation; age the row the way time would.
    AccessAttempt.objects.filter(pk=stale.pk).update(
        attempt_time=timezone.now() - timedelta(days=1)
    )
    fresh = AccessAttempt.objects.create(
        username="fresh", ip_address="10.0.0.2", failures_since_start=1
    )
    purged = purge_expired_sessions_and_login_records()
    assert purged == {"sessions": 1, "attempts": 1, "logs": 0, "failures": 0}
    assert list(AccessAttempt.objects.all()) == [fresh]


def test_a_departments_street_lines_may_give_house_numbers_after_the_name():
    department = HousingDepartment(
        streets="Rugårdsvej 1-15\nKløvermarken 2, 4, 6B\nRising Allé\n"
        "H.C. Andersens Vej 3"
    )
    assert department.street_list == [
        "Rugårdsvej",
        "Kløvermarken",
        "Rising Allé",
        "H.C. Andersens Vej",
    ]
    assert department.has_street("rugårdsvej")
    assert department.has_street("H.C. Andersens Vej")
    assert not department.has_street("Rugårdsvej 1-15")
    assert not department.has_street("Vestergade")


@pytest.mark.parametrize(
    "number, numbers, inside",
    [
        ("7", "", True),
        ("7", "1-15", True),
        ("16", "1-15", False),
        ("12B", "1-15", True),
        ("4", "2, 4, 6", True),
        ("5", "2, 4, 6", False),
        ("33", "17-31, 33B", True),
        ("", "1-15", False),
        ("st.", "1-15", False),
    ],
)
def test_a_house_number_lies_in_a_street_lines_numbers(number, numbers, inside):
    assert in_house_numbers(number, numbers) is inside


def test_a_street_line_that_cannot_be_read_is_refused(housing_org):
    department = HousingDepartment(
        organisation=housing_org,
        area=Area.objects.get(slug="rising"),
        number="1",
        name="Afdeling",
        households=10,
        streets="Rugårdsvej 1-15\nRugårdsvej 1/3",
    )
    with pytest.raises(ValidationError, match="Rugårdsvej 1/3"):
        department.full_clean()
    department.streets = "Rugårdsvej 1-15\nKløvermarken"
    department.full_clean()
