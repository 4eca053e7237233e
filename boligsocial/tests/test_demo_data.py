"""The demo data command: a login per role, marked demo records, never production."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from activities.models import Target
from boligsocial.management.commands.demo_data import DEMO_PASSWORD
from boligsocial.models import HousingDepartment, Organisation, Role, User


def run_demo_data() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_data_creates_a_login_per_role_and_prints_it_with_its_password():
    output = run_demo_data()
    users = User.objects.all()
    assert {u.role for u in users} == set(Role)
    for user in users:
        assert user.check_password(DEMO_PASSWORD)
        assert user.username in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_housing_departments_are_marked_as_demo():
    run_demo_data()
    departments = HousingDepartment.objects.all()
    assert departments.count() == 22  # as many as the 2024–2028 plan has
    assert all(d.is_demo and d.organisation.is_demo for d in departments)
    assert not Organisation.objects.filter(name="Fyns Politi", is_demo=True).exists()


@pytest.mark.django_db
def test_demo_targets_are_marked_as_demo():
    run_demo_data()
    assert Target.objects.exists()
    assert not Target.objects.filter(is_demo=False).exists()


@pytest.mark.django_db
def test_running_demo_data_twice_changes_nothing_twice():
    run_demo_data()
    counts = (User.objects.count(), HousingDepartment.objects.count())
    run_demo_data()
    assert (User.objects.count(), HousingDepartment.objects.count()) == counts


@pytest.mark.django_db
def test_demo_data_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        run_demo_data()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_each_demo_login_reaches_its_landing_page(client):
    run_demo_data()
    for user in User.objects.all():
        client.post(
            "/account/login/", {"username": user.username, "password": DEMO_PASSWORD}
        )
        response = client.get("/")
        assert response.status_code == 200, user.username
        assert f"boligsocial/home_{user.role}.html" in [
            t.name for t in response.templates
        ]
        client.post("/account/logout/")
