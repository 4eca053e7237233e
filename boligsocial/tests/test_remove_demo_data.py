"""`manage.py remove_demo_data`: every demo row goes before go-live, nothing real
goes with it, and real data depending on demo data stops it."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.models import Activity, ActivityRecord, Indicator
from advice.models import Household
from boligsocial.management.commands.demo_data import USERS
from boligsocial.models import (
    Area,
    HousingDepartment,
    Organisation,
    PersonChange,
    User,
)
from reports.models import ReportSchedule
from safety.beredskab.models import NetworkMeeting
from safety.models import SignUp, Walk

INITIAL = importlib.import_module("boligsocial.migrations.0002_areas_and_organisations")
DEMO_USERNAMES = {username for username, *_ in USERS}


def remove_demo_data(*args) -> str:
    out = StringIO()
    call_command("remove_demo_data", *args, interactive=False, stdout=out)
    return out.getvalue()


def every_row() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count() for model in apps.get_models()
    }


@pytest.fixture
def demo(db):
    call_command("demo_data", stdout=StringIO())


def test_removing_the_demo_data_leaves_no_demo_row_and_every_real_one(demo):
    plan_rows = (Activity.objects.count(), Indicator.objects.count())
    output = remove_demo_data()
    assert "The demo data is removed." in output
    for model in apps.get_models():
        if any(field.name == "is_demo" for field in model._meta.fields):
            assert not model._base_manager.filter(is_demo=True).exists(), model
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    assert not HousingDepartment.objects.exists()
    assert not ActivityRecord.objects.exists()
    assert not Walk.objects.exists()
    assert not Household.objects.exists()
    assert set(Area.objects.values_list("name", flat=True)) == {
        name for name, *_ in INITIAL.AREAS
    }
    assert set(Organisation.objects.values_list("name", "kind")) == set(
        INITIAL.ORGANISATIONS
    )
    assert (Activity.objects.count(), Indicator.objects.count()) == plan_rows


def test_removing_again_finds_nothing_to_remove(demo):
    remove_demo_data()
    assert "There is no demo data." in remove_demo_data()


def test_a_dry_run_lists_what_would_go_and_changes_nothing(demo):
    before = every_row()
    output = remove_demo_data("--dry-run")
    assert "Would remove:" in output
    assert "boligsocial.HousingDepartment: 22" in output
    assert (
        "boligsocial.Organisation: 3 (Demo Almene Boliger Odense, "
        "Demo Boligforening Fyn, Demo Boligselskabet Syd)"
    ) in output
    assert "boligsocial.User: 7 (admin, koordinator, medarbejder," in output
    assert "Dry run: nothing was changed." in output
    assert every_row() == before


def test_a_real_department_of_a_demo_organisation_stops_the_removal(demo):
    organisation = Organisation.objects.get(name="Demo Boligforening Fyn")
    HousingDepartment.objects.create(
        organisation=organisation,
        area=Area.objects.get(slug="rising"),
        number="999",
        name="Rigtig afdeling",
        households=40,
    )
    before = every_row()
    with pytest.raises(CommandError) as refusal:
        remove_demo_data()
    message = str(refusal.value)
    assert "Nothing was changed" in message
    assert "boligsocial.HousingDepartment (Rigtig afdeling (afd. 999))" in message
    assert "Demo Boligforening Fyn" in message
    assert every_row() == before


def test_a_dry_run_names_the_real_data_that_depends_on_the_demo_data(demo):
    real = User.objects.create_user(
        "lise",
        role=User.Role.PARTNER,
        organisation=Organisation.objects.get(name="Demo Almene Boliger Odense"),
    )
    before = every_row()
    with pytest.raises(CommandError, match="boligsocial.User \\(lise\\) through"):
        remove_demo_data("--dry-run")
    assert every_row() == before
    assert User.objects.get(pk=real.pk).organisation.is_demo


def test_a_real_sign_up_in_a_demo_department_stops_the_removal(demo):
    signup = SignUp.objects.filter(is_demo=True).first()
    SignUp.objects.filter(pk=signup.pk).update(is_demo=False)
    with pytest.raises(CommandError, match="1 real safety.SignUp"):
        remove_demo_data()
    assert SignUp.objects.filter(is_demo=True).exists()


def test_a_real_sign_up_a_demo_login_registered_stays_without_its_registrar(
    demo, departments
):
    staff = User.objects.get(username="medarbejder")
    demo_signup = SignUp.objects.filter(is_demo=True).first()
    SignUp.objects.filter(pk=demo_signup.pk).update(
        is_demo=False, department=departments[0], area=departments[0].area
    )
    # The fixture's departments are real ones of a demo organisation: made real.
    Organisation.objects.filter(name="Testboligselskabet").update(is_demo=False)
    SignUp.objects.filter(pk=demo_signup.pk).update(created_by=staff)
    output = remove_demo_data()
    assert "Kept, losing the link to demo data: 1 safety.SignUp (created_by)" in output
    assert SignUp.objects.get(pk=demo_signup.pk).created_by is None


def test_a_demo_login_a_log_names_is_kept_but_can_never_log_in(demo, coordinator):
    partner = User.objects.get(username="partner-bolig")
    demo_coordinator = User.objects.get(username="koordinator")
    PersonChange.objects.create(
        person=partner, by=demo_coordinator, action=PersonChange.Action.DEACTIVATED
    )
    output = remove_demo_data()
    assert "demo login koordinator" in output
    assert "demo login partner-bolig" in output
    demo_coordinator.refresh_from_db()
    assert not demo_coordinator.is_active
    assert not demo_coordinator.has_usable_password()
    assert PersonChange.objects.get().by == demo_coordinator
    partner.refresh_from_db()
    assert not TOTPDevice.objects.filter(user__username="koordinator").exists()
    assert not ReportSchedule.objects.exists()  # the demo coordinator's
    assert not partner.is_active
    assert not partner.has_usable_password()
    assert partner.organisation is None
    assert not Organisation.objects.filter(is_demo=True).exists()
    others = DEMO_USERNAMES - {"partner-bolig", "koordinator"}
    assert not User.objects.filter(username__in=others).exists()


def test_a_real_login_named_like_a_demo_login_is_not_demo(db):
    User.objects.create_user(
        "admin",
        email="it@boligsocialthus.dk",
        role=User.Role.ADMIN,
    )
    assert "There is no demo data." in remove_demo_data()
    assert User.objects.filter(username="admin").exists()


def test_a_real_meeting_naming_a_demo_organisation_stops_the_removal(demo):
    meeting = NetworkMeeting.objects.filter(
        is_demo=True, organisations__name="Demo Boligforening Fyn"
    ).first()
    NetworkMeeting.objects.filter(pk=meeting.pk).update(is_demo=False)
    before = every_row()
    with pytest.raises(CommandError) as refusal:
        remove_demo_data()
    message = str(refusal.value)
    assert (
        f"1 real safety.NetworkMeeting (#{meeting.pk}) through organisations "
        "-> demo boligsocial.Organisation: "
    ) in message
    assert "Demo Boligforening Fyn" in message
    assert every_row() == before
