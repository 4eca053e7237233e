"""No mass assignment (security checklist item 18): a form sets only the fields
it names, whatever else is posted.

Statically, every ModelForm of our apps names its fields (no "__all__", no
`exclude`, which would let a new model field into the form unseen). Dynamically,
the key create and edit views are posted valid data plus the fields a person
must not set (who made it, its owner or advisors, its status, another area or
organisation, its id, staff and superuser flags), and the database keeps what
the portal decides.
"""

import datetime
import importlib
import pkgutil
import uuid

import pytest
import time_machine
from django import forms
from django.urls import reverse

from activities.models import ActivityRecord
from advice.models import Case, EvictionReport
from boligsocial.models import Area, Role, User
from safety.models import Finding, Incident, SignUp
from tests.world import NOW, TODAY, build_world

OUR_APPS = ["boligsocial", "activities", "safety", "advice", "reports"]


def our_modules():
    """Every module of our apps but their migrations and tests, imported."""
    for app in OUR_APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".tests" in info.name:
                continue
            yield importlib.import_module(info.name)


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def our_model_forms() -> list[type[forms.ModelForm]]:
    list(our_modules())
    return sorted(
        {
            form
            for form in subclasses(forms.ModelForm)
            # A base for other forms, of no model, has no fields to name.
            if form.__module__.split(".")[0] in OUR_APPS and form._meta.model
        },
        key=lambda form: f"{form.__module__}.{form.__qualname__}",
    )


def test_the_model_forms_of_our_apps_are_found():
    names = {form.__name__ for form in our_model_forms()}
    assert {"RecordForm", "PublicSignUpForm", "CaseForm", "IncidentForm"} <= names


@pytest.mark.parametrize(
    "form", our_model_forms(), ids=lambda form: f"{form.__module__}.{form.__name__}"
)
def test_every_model_form_names_its_fields(form):
    meta = form._meta
    assert isinstance(meta.fields, list | tuple), f"fields = {meta.fields!r}"
    assert meta.exclude is None, f"exclude = {meta.exclude!r}"


# --- Posting what may not be set -----------------------------------------------------


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def logged_in(client, world, role):
    client.force_login(world.people[role])
    return client


def someone_else(world) -> User:
    return world.people[Role.PARTNER]


def test_a_new_record_is_the_loggers_whatever_is_posted(client, world):
    logged_in(client, world, Role.STAFF)
    data = {
        "activity": world.activity.pk,
        "date": TODAY.isoformat(),
        "area": world.rising.pk,
        "participants": "12",
        "submission": str(uuid.uuid4()),
        # not the form's to set:
        "id": "999",
        "pk": "999",
        "created_by": someone_else(world).pk,
        "created_at": "2020-01-01T00:00",
        "is_demo": "on",
    }
    response = client.post(reverse("activities:record_create"), data)
    assert response.status_code == 302
    record = ActivityRecord.objects.exclude(pk=world.record.pk).get()
    assert record.pk != 999
    assert record.created_by == world.people[Role.STAFF]
    assert record.created_at.date() == TODAY


def test_a_residents_sign_up_waits_in_the_pages_area_whatever_is_posted(client, world):
    vollsmose = Area.objects.get(slug="vollsmose")
    data = {
        "name": "Fatima Ahmadi",
        "street": "Østergade",
        "number": "4",
        "floor_door": "1. th",
        "phone": "+45 31 22 33 44",
        "consent": "on",
        "submission": str(uuid.uuid4()),
        "website": "",
        # not the resident's to set:
        "area": vollsmose.pk,
        "status": SignUp.Status.ACTIVE,
        "channel": SignUp.Channel.DOOR,
        "created_by": world.people[Role.STAFF].pk,
        "confirmed_by": world.people[Role.STAFF].pk,
        "signed_up_on": "2020-01-01",
        "note": "VIP",
        "is_demo": "on",
    }
    response = client.post(reverse("nabohjaelp:signup", args=["rising"]), data)
    assert response.status_code == 302
    signup = SignUp.objects.get(name="Fatima Ahmadi")
    assert signup.area == world.rising
    assert signup.status == SignUp.Status.TO_CONFIRM
    assert signup.channel == SignUp.Channel.PUBLIC_PAGE
    assert (signup.created_by, signup.confirmed_by) == (None, None)
    assert signup.signed_up_on == TODAY
    assert (signup.note, signup.is_demo) == ("", False)


def case_edit_data(case: Case) -> dict:
    household = case.household
    return {
        "department": household.department_id,
        "name": household.name,
        "street": household.street,
        "number": household.number,
        "floor_door": household.floor_door,
        "phone": str(household.phone),
        "composition": household.composition,
        "opened_on": case.opened_on.isoformat(),
        "source": case.source,
        "issue_rent_arrears": "on",
        "eviction_risk": case.eviction_risk,
        "arrears_at_start": str(case.arrears_at_start),
        "arrears_now": "9000",
        "note": "Afdragsordning",
        "version": case.version,
    }


def test_a_case_edit_keeps_its_advisors_status_and_household_whatever_is_posted(
    client, world
):
    case, other = world.case, world.colleagues_case
    logged_in(client, world, Role.ADVISOR)
    data = {
        **case_edit_data(case),
        # not the form's to set:
        "advisors": [world.people["other_advisor"].pk],
        "assigned_advisor": world.people["other_advisor"].pk,
        "created_by": someone_else(world).pk,
        "status": Case.Status.CLOSED,
        "closed_on": TODAY.isoformat(),
        "household": other.household_id,
        "anonymised_at": "2026-01-01T00:00",
        "id": other.pk,
        "pk": other.pk,
    }
    response = client.post(reverse("advice:case_edit", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert str(case.arrears_now) == "9000.00"  # the edit was saved
    assert list(case.advisors.all()) == [world.people[Role.ADVISOR]]
    assert (case.status, case.closed_on, case.anonymised_at) == (
        Case.Status.OPEN,
        None,
        None,
    )
    assert case.household == world.household
    assert case.created_by is None
    other.refresh_from_db()
    assert other.arrears_now != 9000


def test_a_new_incident_is_open_and_the_handlers_whatever_is_posted(client, world):
    keeper = world.people[Role.SAFETY_ADVISOR]
    logged_in(client, world, Role.SAFETY_ADVISOR)
    data = {
        "title": "Røg i opgangen",
        "kind": Incident.Kind.FIRE,
        "area": world.rising.pk,
        "place": "Opgang 14",
        "occurred_at": "2026-05-04T09:15",
        "severity": Incident.Severity.SERIOUS,
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Brandvæsenet kom.",
        "submission": str(uuid.uuid4()),
        # not the form's to set:
        "created_by": someone_else(world).pk,
        "status": Incident.Status.CLOSED,
        "closed_by": someone_else(world).pk,
        "closed_at": "2026-05-04T10:00",
        "evaluation": "Alt gik godt",
        "is_demo": "on",
    }
    response = client.post(reverse("safety:incident_create"), data)
    assert response.status_code == 302
    incident = Incident.objects.get(title="Røg i opgangen")
    assert (incident.created_by, incident.status) == (keeper, Incident.Status.OPEN)
    assert (incident.closed_by, incident.closed_at) == (None, None)
    assert (incident.evaluation, incident.is_demo) == ("", False)


def test_a_finding_lies_in_its_walks_area_and_is_sent_whatever_is_posted(client, world):
    keeper = world.people[Role.SAFETY_ADVISOR]
    logged_in(client, world, Role.SAFETY_ADVISOR)
    data = {
        "category": world.category.pk,
        "description": "Væltet skilt",
        "place": "Ved nr. 4",
        "severity": Finding.Severity.LOW,
        "responsible": world.police.pk,
        "due_date": (TODAY + datetime.timedelta(days=7)).isoformat(),
        "submission": str(uuid.uuid4()),
        # not the form's to set:
        "area": Area.objects.get(slug="vollsmose").pk,
        "status": Finding.Status.FIXED,
        "created_by": someone_else(world).pk,
        "found_at": "2020-01-01T00:00",
        "version": "99",
    }
    response = client.post(reverse("safety:finding_create", args=[world.walk.pk]), data)
    assert response.status_code == 302
    finding = Finding.objects.get(description="Væltet skilt")
    assert (finding.area, finding.walk) == (world.rising, world.walk)
    assert finding.status == Finding.Status.SENT
    assert finding.created_by == keeper
    assert finding.found_at.date() == TODAY


def test_eviction_figures_are_the_partners_own_organisations_whatever_is_posted(
    client, world
):
    partner = world.people["housing_partner"]
    logged_in(client, world, "housing_partner")
    data = {
        "reminder_letters": "40",
        "reminders_settled": "30",
        "bailiff_cases": "5",
        "evictions": "1",
        "note": "",
        # not the partner's to set:
        "organisation": world.police.pk,
        "year": "2020",
        "updated_by": world.people[Role.STAFF].pk,
        "is_demo": "on",
    }
    response = client.post(reverse("advice:network_report", args=[2026]), data)
    assert response.status_code == 302
    report = EvictionReport.objects.get(year=2026)
    assert report.organisation == partner.organisation
    assert (report.updated_by, report.is_demo) == (partner, False)
    assert not EvictionReport.objects.filter(organisation=world.police).exists()
    assert not EvictionReport.objects.filter(year=2020).exists()


def test_the_person_form_cannot_make_anyone_staff_superuser_or_active(client, world):
    """A coordinator changes a person's name, e-mail, role, organisation and areas
    on the people pages; Django's own flags (which the portal does not use), the
    password, the user name and the activation stay as they are. The Django admin
    changes nobody."""
    staff = world.people[Role.STAFF]
    logged_in(client, world, Role.COORDINATOR)
    data = {
        "first_name": "Sara",
        "last_name": staff.last_name,
        "email": staff.email,
        "role": Role.STAFF,
        "organisation": staff.organisation_id,
        "areas": [world.rising.pk],
        "version": staff.version,
        # not in the form:
        "username": "sara",
        "is_active": "",
        "is_staff": "on",
        "is_superuser": "on",
        "user_permissions": [1, 2, 3],
        "groups": [1],
        "password": "md5$x$y",
        "date_joined": "2000-01-01T00:00",
    }
    response = client.post(reverse("person_edit", args=[staff.pk]), data)
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.first_name == "Sara"  # the change was saved
    assert (staff.is_staff, staff.is_superuser) == (False, False)
    assert staff.is_active and staff.username != "sara"
    assert not staff.user_permissions.exists() and not staff.groups.exists()
    assert staff.password != "md5$x$y"
    assert staff.date_joined.year != 2000

    logged_in(client, world, Role.ADMIN)
    url = reverse("admin:boligsocial_user_change", args=[staff.pk])
    assert client.post(url, {**data, "first_name": "Admin"}).status_code == 403
    staff.refresh_from_db()
    assert staff.first_name == "Sara"
