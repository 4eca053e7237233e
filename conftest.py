"""Personas and small deterministic factories shared by every app's tests."""

import pytest

from boligsocial.models import Area, HousingDepartment, Organisation, Role, User

PASSWORD = "a-long-test-passphrase-2026"  # noqa: S105


def make_user(username: str, role: str, *, organisation: str, areas=()) -> User:
    org = Organisation.objects.get(name=organisation)
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=username.title(),
        role=role,
        organisation=org,
    )
    user.areas.set(Area.objects.filter(slug__in=areas))
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests hash passwords cheaply; the hasher itself is Django's, not ours."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def housing_org(db) -> Organisation:
    return Organisation.objects.create(
        name="Testboligselskabet", kind=Organisation.Kind.HOUSING, is_demo=True
    )


@pytest.fixture
def departments(housing_org) -> list[HousingDepartment]:
    """Rising: 2 departments, 500 households; Vollsmose: 1 department, 900."""
    rows = [
        ("rising", "11", "Rising Øst", 300),
        ("rising", "12", "Rising Vest", 200),
        ("vollsmose", "21", "Vollsmose Nord", 900),
    ]
    return [
        HousingDepartment.objects.create(
            organisation=housing_org,
            area=Area.objects.get(slug=slug),
            number=number,
            name=name,
            households=households,
        )
        for slug, number, name, households in rows
    ]


@pytest.fixture
def staff(db) -> User:
    return make_user(
        "staff", Role.STAFF, organisation="BoligSocialt Hus", areas=["rising"]
    )


@pytest.fixture
def advisor(db) -> User:
    return make_user(
        "advisor", Role.ADVISOR, organisation="BoligSocialt Hus", areas=["rising"]
    )


@pytest.fixture
def safety_advisor(db) -> User:
    return make_user(
        "tryghed",
        Role.SAFETY_ADVISOR,
        organisation="BoligSocialt Hus",
        areas=["korslokkeparken", "rising"],
    )


@pytest.fixture
def coordinator(db) -> User:
    return make_user("coordinator", Role.COORDINATOR, organisation="BoligSocialt Hus")


@pytest.fixture
def partner(db) -> User:
    """A partner from Fyns Politi granted Rising only."""
    return make_user(
        "partner", Role.PARTNER, organisation="Fyns Politi", areas=["rising"]
    )


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def personas(staff, advisor, safety_advisor, coordinator, partner, admin_user) -> dict:
    return {
        Role.STAFF: staff,
        Role.ADVISOR: advisor,
        Role.SAFETY_ADVISOR: safety_advisor,
        Role.COORDINATOR: coordinator,
        Role.PARTNER: partner,
        Role.ADMIN: admin_user,
    }
