"""No lost update, no double row (checklist items 55 and 56).

Every edit form two people may have open at once: both load it, A saves, B saves
from the page they loaded. B gets the conflict next to the form with what they
typed still in it, and A's change is what the database keeps.

Every form that makes a row: sent twice one after the other (a double click, the
back button), and twice at the same moment from two threads, it makes one row;
the second answer leads where the first did, never to an error page. The
threads need PostgreSQL (SQLite takes one writer at a time): that test runs in
bin/test, and fails rather than skips there.

The figures go to concurrency.txt in the artefacts folder.
"""

import datetime
import fcntl
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.forms import CheckboxInput, ClearableFileInput
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityRecord,
    Indicator,
    PlannedEvent,
    Target,
    YearStatus,
)
from advice.models import Case, CaseOutcome, DropIn, Household, Meeting, Referral
from boligsocial.editing import StaleEdit, stale_message
from boligsocial.models import Area, HousingDepartment, Organisation, Role
from conftest import TwoFactorClient, make_user
from reports.models import ReportRun
from safety.models import (
    ConsentText,
    Contact,
    Finding,
    FindingCategory,
    FollowUpTask,
    Incident,
    IncidentEntry,
    NetworkMeeting,
    SignUp,
    Walk,
)
from tests.worker import finished

# Its figures add up over the module: under pytest-xdist it runs in one process.
pytestmark = pytest.mark.xdist_group("concurrency")

# Trials of the same form sent at the same moment from two threads, per form.
TRIALS = 5


# --- What a browser sends -------------------------------------------------------------

HIDDEN_INPUT = re.compile(r"<input[^>]*\btype=\"hidden\"[^>]*>")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def hidden_inputs(html: str) -> dict:
    """The page's hidden fields (the version and the form's token among them)."""
    data = {}
    for tag in HIDDEN_INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            data[attributes["name"]] = attributes.get("value", "")
    data.pop("csrfmiddlewaretoken", None)
    return data


def as_posted(form) -> dict:
    """The form's fields with the values the page shows, as a browser posts them."""
    data = {}
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, ClearableFileInput):
            continue
        if isinstance(widget, CheckboxInput):
            if bound.value():
                data[bound.html_name] = "on"
            continue
        value = widget.format_value(bound.value())
        data[bound.html_name] = "" if value is None else value
    return data


def shown(response, *form_names: str) -> dict:
    """Everything the page would send back unchanged."""
    data = hidden_inputs(response.content.decode())
    for name in form_names or ("form",):
        form = name(response.context) if callable(name) else response.context[name]
        data.update(as_posted(form))
    return data


# --- The rows -------------------------------------------------------------------------

TODAY = timezone.localdate()


def rising() -> Area:
    return Area.objects.get(slug="rising")


def activity_in_rising() -> Activity:
    return Activity.objects.open().filter(areas__slug="rising").order_by("pk").first()


def organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def department() -> HousingDepartment:
    org, _ = Organisation.objects.get_or_create(
        name="Boligselskabet Test",
        defaults={"kind": Organisation.Kind.HOUSING, "is_demo": True},
    )
    home, _ = HousingDepartment.objects.get_or_create(
        organisation=org,
        number="11",
        defaults={
            "area": rising(),
            "name": "Rising Øst",
            "households": 300,
            "streets": "Rising Allé",
        },
    )
    return home


def make_record(people) -> ActivityRecord:
    return ActivityRecord.objects.create(
        activity=activity_in_rising(),
        date=TODAY,
        area=rising(),
        participants=8,
        created_by=people["staff"],
    )


def make_event(people) -> PlannedEvent:
    return PlannedEvent.objects.create(
        activity=activity_in_rising(),
        title="Lektiecafé",
        date=TODAY + datetime.timedelta(days=7),
        place="Beboerhuset",
        area=rising(),
        organiser=people["staff"].organisation,
        created_by=people["staff"],
    )


def make_status(people) -> YearStatus:
    activity = activity_in_rising()
    return YearStatus.objects.create(
        activity=activity,
        year=activity.focus_area.plan_period.current_year(),
        status=YearStatus.Status.ONGOING,
        narrative="Året går efter planen.",
        written_by=people["staff"],
    )


def make_indicator(people) -> Indicator:
    return Indicator.objects.create(activity=activity_in_rising(), name="Forløb")


def make_signup(people) -> SignUp:
    home = department()
    return SignUp.objects.create(
        area=home.area,
        department=home,
        name="Amira Hansen",
        street="Rising Allé",
        number="12",
        phone="+4520123456",
        channel=SignUp.Channel.DOOR,
        signed_up_on=TODAY,
        consent_text=ConsentText.current(),
        consented_at=timezone.now(),
        status=SignUp.Status.ACTIVE,
    )


def make_walk(people) -> Walk:
    return Walk.objects.create(
        area=rising(),
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        status=Walk.Status.HELD,
        created_by=people["staff"],
    )


def make_finding(people) -> Finding:
    walk = make_walk(people)
    return Finding.objects.create(
        walk=walk,
        area=walk.area,
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust lygte ved stien",
        place="Stien bag nr. 12",
        responsible=organisation("Fyns Politi"),
        due_date=TODAY + datetime.timedelta(days=7),
        status=Finding.Status.SENT,
    )


def make_incident(people) -> Incident:
    return Incident.objects.create(
        title="Brand i kælder",
        kind=Incident.Kind.FIRE,
        area=rising(),
        place="Opgang 12",
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
        severity=Incident.Severity.SERIOUS,
        reported_by=Incident.ReportedBy.RESIDENT,
        description="Røg i kælderen.",
        created_by=people["staff"],
    )


def make_contact(people) -> Contact:
    return Contact.objects.create(
        organisation=organisation("Fyns Politi"),
        name="Mette Betjent",
        role="Vagthavende",
        phone="+4566141448",
        rank=1,
    )


def make_network_meeting(people) -> NetworkMeeting:
    meeting = NetworkMeeting.objects.create(
        held_on=TODAY - datetime.timedelta(days=7),
        agenda="Status på tryghed",
        decisions="Fælles indsats i sommerferien.",
        created_by=people["safety_advisor"],
    )
    meeting.organisations.set([organisation("Fyns Politi")])
    return meeting


def make_task(people) -> FollowUpTask:
    return FollowUpTask.objects.create(
        meeting=make_network_meeting(people),
        owner=organisation("Fyns Politi"),
        description="Lav plan for sommeren",
        due_on=TODAY + datetime.timedelta(days=14),
    )


def make_case(people) -> Case:
    household = Household.objects.create(
        department=department(),
        name="Fatima Hansen",
        street="Rising Allé",
        number="7",
        composition=Household.Composition.SINGLE_PARENT,
    )
    case = Case.objects.create(
        household=household,
        opened_on=TODAY - datetime.timedelta(days=30),
        source=Case.Source.REMINDER_LETTER,
        issue_rent_arrears=True,
        eviction_risk=Case.EvictionRisk.REMINDER,
        arrears_at_start=Decimal("12500.00"),
        arrears_now=Decimal("12500.00"),
        created_by=people["advisor"],
    )
    case.advisors.set([people["advisor"], people["advisor_2"]])
    return case


def make_advice_meeting(people) -> Meeting:
    return Meeting.objects.create(
        case=make_case(people),
        held_on=TODAY - datetime.timedelta(days=1),
        place=Meeting.Place.HOME,
        duration_minutes=60,
        held_by=people["advisor"],
    )


@pytest.fixture
def people(personas) -> dict:
    """The personas, and a second advisor and coordinator: two people at once."""
    return {
        **{str(role): user for role, user in personas.items()},
        "advisor_2": make_user(
            "advisor2", Role.ADVISOR, organisation="BoligSocialt Hus", areas=["rising"]
        ),
        "coordinator_2": make_user(
            "coordinator2", Role.COORDINATOR, organisation="BoligSocialt Hus"
        ),
    }


def client_of(user) -> TwoFactorClient:
    client = TwoFactorClient()
    client.force_login(user)
    return client


# --- Two people, one row --------------------------------------------------------------

OWN_CONFLICT = "En anden har gemt ændringer"


@dataclass(frozen=True)
class Edit:
    """An edit form: who edits (two people), the row, its page, the field both
    change, and how to read back what was kept."""

    name: str
    editors: tuple[str, str]
    make: object
    url: object
    field: str
    kept: object
    conflict: str = OWN_CONFLICT
    post_url: object = None
    forms: tuple[str, ...] = ("form",)
    values: tuple = ("Ændret af A", "Ændret af B")
    # What else each of the two sends (a finding's next status).
    extra: tuple[dict, dict] = ({}, {})


def target_key(indicator: Indicator) -> str:
    return (
        f"target_{indicator.pk}_{indicator.activity.focus_area.plan_period.start.year}"
    )


def target_value(indicator: Indicator):
    target = Target.objects.filter(indicator=indicator).order_by("year").first()
    return str(target.value) if target else None


EDITS = [
    Edit(
        "activity record",
        ("staff", "coordinator"),
        make_record,
        lambda r: reverse("activities:record_edit", args=[r.pk]),
        "note",
        lambda r: r.note,
    ),
    Edit(
        "planned event",
        ("staff", "coordinator"),
        make_event,
        lambda r: reverse("activities:event_edit", args=[r.pk]),
        "title",
        lambda r: r.title,
    ),
    Edit(
        "year status text",
        ("staff", "coordinator"),
        make_status,
        lambda r: reverse("activities:status_edit", args=[r.activity_id, r.year]),
        "narrative",
        lambda r: r.narrative,
    ),
    Edit(
        "targets",
        ("coordinator", "coordinator_2"),
        make_indicator,
        lambda r: reverse("activities:targets_edit", args=[r.activity_id]),
        "target",
        target_value,
        values=("10", "20"),
    ),
    Edit(
        "Nabohjælp sign-up",
        ("staff", "safety_advisor"),
        make_signup,
        lambda r: reverse("safety:signup_edit", args=[r.pk]),
        "note",
        lambda r: r.note,
    ),
    Edit(
        "safety walk",
        ("staff", "safety_advisor"),
        make_walk,
        lambda r: reverse("safety:walk_edit", args=[r.pk]),
        "notes",
        lambda r: r.notes,
    ),
    Edit(
        "finding",
        ("staff", "safety_advisor"),
        make_finding,
        lambda r: reverse("safety:finding_edit", args=[r.pk]),
        "description",
        lambda r: r.description,
    ),
    Edit(
        "finding status",
        ("staff", "safety_advisor"),
        make_finding,
        lambda r: reverse("safety:finding_detail", args=[r.pk]),
        "note",
        lambda r: r.events.order_by("-pk").first().note,
        post_url=lambda r: reverse("safety:finding_status", args=[r.pk]),
        # Both steps can follow either status: only the version tells.
        # The fixing is confirmed (the status form asks once).
        extra=(
            {"to": Finding.Status.IN_PROGRESS},
            {"to": Finding.Status.FIXED, "confirmed": "on"},
        ),
    ),
    Edit(
        "incident",
        ("staff", "safety_advisor"),
        make_incident,
        lambda r: reverse("safety:incident_edit", args=[r.pk]),
        "description",
        lambda r: r.description,
    ),
    Edit(
        "beredskab contact",
        ("safety_advisor", "coordinator"),
        make_contact,
        lambda r: reverse("safety:contact_edit", args=[r.pk]),
        "note",
        lambda r: r.note,
    ),
    Edit(
        "network meeting",
        ("safety_advisor", "coordinator"),
        make_network_meeting,
        lambda r: reverse("safety:meeting_edit", args=[r.pk]),
        "decisions",
        lambda r: r.decisions,
    ),
    Edit(
        "follow-up task",
        ("safety_advisor", "coordinator"),
        make_task,
        lambda r: reverse("safety:task_edit", args=[r.pk]),
        "description",
        lambda r: r.description,
    ),
    Edit(
        "advice case",
        ("advisor", "advisor_2"),
        make_case,
        lambda r: reverse("advice:case_edit", args=[r.pk]),
        "note",
        lambda r: r.note,
        forms=("household_form", "form"),
    ),
    Edit(
        "advice meeting",
        ("advisor", "advisor_2"),
        make_advice_meeting,
        lambda r: reverse("advice:meeting_edit", args=[r.case_id, r.pk]),
        "note",
        lambda r: r.note,
    ),
]


def kept(artefacts, part: str, name: str, value) -> dict:
    """The run's results of one part, with this one added. Kept in a file, not in
    the process: bin/test runs the report case in its worker phase, another one."""
    path = artefacts / "concurrency.json"
    # Two test processes may add theirs at the same moment: one at a time (a
    # reader once found the file half written).
    with open(artefacts / "concurrency.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = json.loads(path.read_text()) if path.exists() else {}
        results.setdefault(part, {})[name] = value
        path.write_text(json.dumps(results, indent=2, sort_keys=True))
    return results[part]


def record_figure(key: str, line: str, artefacts) -> None:
    lines = kept(artefacts, "figures", key, line)
    (artefacts / "concurrency.txt").write_text("\n".join(lines.values()) + "\n")


@pytest.mark.django_db
@pytest.mark.parametrize("edit", EDITS, ids=[edit.name for edit in EDITS])
def test_the_second_of_two_people_saving_one_row_is_told_and_the_first_change_stays(
    people, edit, artefacts
):
    row = edit.make(people)
    field_name = target_key(row) if edit.field == "target" else edit.field
    first, second = (client_of(people[name]) for name in edit.editors)
    url, post_url = edit.url(row), (edit.post_url or edit.url)(row)
    first_page, second_page = first.get(url), second.get(url)
    assert (first_page.status_code, second_page.status_code) == (200, 200)
    first_value, second_value = edit.values

    saved = first.post(
        post_url,
        {**shown(first_page, *edit.forms), **edit.extra[0], field_name: first_value},
    )
    refused = second.post(
        post_url,
        {**shown(second_page, *edit.forms), **edit.extra[1], field_name: second_value},
    )

    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    assert refused.status_code in (200, 400)
    html = refused.content.decode()
    assert edit.conflict in html
    assert f"{second_value}<" in html or f'value="{second_value}"' in html
    row.refresh_from_db()
    assert edit.kept(row) == first_value
    edits = kept(artefacts, "edits", edit.name, True)
    record_figure(
        "edits",
        f"concurrent edit → conflict shown, 0 lost updates "
        f"({len(edits)} of {len(EDITS)} edit forms)",
        artefacts,
    )


@pytest.mark.django_db
def test_the_first_text_of_a_year_written_by_two_at_once_keeps_the_first(people):
    activity = activity_in_rising()
    year = activity.focus_area.plan_period.current_year()
    url = reverse("activities:status_edit", args=[activity.pk, year])
    first, second = client_of(people["staff"]), client_of(people["coordinator"])
    first_page, second_page = first.get(url), second.get(url)
    data = {"status": YearStatus.Status.ONGOING}

    first.post(url, {**shown(first_page), **data, "narrative": "A skrev først"})
    refused = second.post(url, {**shown(second_page), **data, "narrative": "B"})

    assert refused.status_code == 200
    assert OWN_CONFLICT in refused.content.decode()
    assert YearStatus.objects.get(activity=activity, year=year).narrative == (
        "A skrev først"
    )


@pytest.mark.django_db
def test_an_edit_with_a_forged_version_is_refused_as_stale(people):
    record = make_record(people)
    client = client_of(people["staff"])
    url = reverse("activities:record_edit", args=[record.pk])
    data = {**shown(client.get(url)), "note": "Uden version", "version": "x"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert stale_message() in response.content.decode()
    record.refresh_from_db()
    assert record.note == ""


@pytest.mark.django_db
def test_an_edit_opened_before_a_withdrawal_cannot_write_the_person_back(people):
    signup = make_signup(people)
    opened = SignUp.objects.get(pk=signup.pk)
    signup.withdraw()
    opened.note = "Skrevet efter udmeldelsen"

    with pytest.raises(StaleEdit):
        opened.save_edit(version=opened.version, fields=["name", "note"])

    signup.refresh_from_db()
    assert (signup.name, signup.note) == ("", "")


# --- One form, one row ----------------------------------------------------------------


@dataclass(frozen=True)
class Create:
    """A form that makes a row: who sends it, its page (made from the people and
    the rows it needs), what to type, and the model that counts the rows."""

    name: str
    sender: str
    model: type
    page: object
    typed: object
    forms: tuple[str, ...] = ("form",)
    anonymous: bool = False


def _record_typed(people, response, n=0):
    return {"activity": activity_in_rising().pk, "area": rising().pk, "participants": 4}


def _event_typed(people, response, n=0):
    return {
        "title": "Fodbold",
        "activity": activity_in_rising().pk,
        "date": (TODAY + datetime.timedelta(days=3)).isoformat(),
        "place": "Banen",
        "area": rising().pk,
        "organiser": people["staff"].organisation_id,
    }


def _signup_typed(people, response, n=0):
    home = HousingDepartment.objects.get(name="Rising Øst")
    return {
        "area": home.area_id,
        "name": f"Hassan Demir {n}",
        "street": "Rising Allé",
        "number": "7",
        "phone": "20 12 34 56",
        "channel": SignUp.Channel.DOOR,
        "consent": "on",
    }


def _public_typed(people, response, n=0):
    return {
        "name": f"Hassan Demir {n}",
        "street": "Rising Allé",
        "number": "7",
        "phone": "20 12 34 56",
        "consent": "on",
    }


def _walk_typed(people, response, n=0):
    return {
        "area": rising().pk,
        "starts_at": (timezone.localtime() + datetime.timedelta(days=2)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "status": Walk.Status.PLANNED,
        "residents": 0,
    }


def _finding_typed(people, response, n=0):
    return {
        "category": FindingCategory.objects.get(name="Hærværk").pk,
        "description": "Graffiti på muren",
        "place": "Ved nr. 4",
        "responsible": organisation("Fyns Politi").pk,
    }


def _incident_typed(people, response, n=0):
    return {
        "title": "Uro ved centret",
        "kind": Incident.Kind.FIRE,
        "severity": Incident.Severity.SERIOUS,
        "area": rising().pk,
        "place": "Centret",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Røg fra en kælder.",
        "organisations": [],
    }


def _entry_typed(people, response, n=0):
    return {"kind": "update", "text": "Brandvæsenet er kommet."}


def _contact_typed(people, response, n=0):
    return {
        "organisation": organisation("Fyns Politi").pk,
        "name": "Lise Lund",
        "role": "Vagthavende",
        "phone": "66 14 14 48",
        "rank": 1,
    }


def _network_meeting_typed(people, response, n=0):
    return {
        "organisations": [organisation("Fyns Politi").pk],
        "agenda": "Status",
        "decisions": "Ingen",
    }


def _task_typed(people, response, n=0):
    return {
        "description": "Ring til skolen",
        "owner": organisation("Fyns Politi").pk,
        "due_on": (TODAY + datetime.timedelta(days=7)).isoformat(),
    }


def _case_typed(people, response, n=0):
    home = HousingDepartment.objects.get(name="Rising Øst")
    return {
        "department": home.pk,
        "name": f"Fatima Hansen {n}",
        "street": "Rising Allé",
        "number": "9",
        "source": Case.Source.REMINDER_LETTER,
        "eviction_risk": Case.EvictionRisk.NONE,
        "arrears_at_start": "0",
        "arrears_now": "0",
    }


def _advice_meeting_typed(people, response, n=0):
    return {"place": Meeting.Place.HOME, "duration_minutes": 45}


def _outcome_typed(people, response, n=0):
    kind = (
        response.context["form"].fields["kind"].queryset.filter(amount_required=False)
    )
    return {"kind": kind.first().pk, "achieved_on": TODAY.isoformat()}


def _referral_typed(people, response, n=0):
    return {"to": Referral._meta.get_field("to").choices[0][0], "recipient": "X"}


def _report_typed(people, response, n=0):
    # Another year each time: the same request while one is built is that run.
    return {"kind": ReportRun.Kind.MUNICIPALITY, "period": "year", "year": 2025 - n}


def _on_case(view):
    def page(people):
        return reverse(view, args=[make_case(people).pk])

    return page


def _on_walk(people):
    return reverse("safety:finding_create", args=[make_walk(people).pk])


def _on_incident(people):
    # The timeline's form is on the incident's page; it posts to its own address.
    incident = make_incident(people)
    return (
        reverse("safety:incident_detail", args=[incident.pk]),
        reverse("safety:entry_create", args=[incident.pk]),
    )


def _drop_in(people):
    make_case(people)
    drop_in = DropIn.objects.create(
        name="Beboerhuset",
        area=rising(),
        weekday=TODAY.weekday(),
        starts_at=datetime.time(13),
        ends_at=datetime.time(15),
    )
    return (
        reverse("advice:drop_in_list"),
        reverse("advice:drop_in_visit", args=[drop_in.pk]),
    )


def _visit_form(context):
    # The drop-in just made (each trial makes one more with the same name and hour).
    rows = [row for day in context["days"] for row in day["rows"]]
    return max(rows, key=lambda row: row["drop_in"].pk)["form"]


def _visit_typed(people, response, n=0):
    form = _visit_form(response.context)
    case = form.fields["case"].choices[1][0]
    return {form.add_prefix("case"): case, form.add_prefix("duration_minutes"): 20}


def _on_network_meeting(people):
    return reverse("safety:task_create", args=[make_network_meeting(people).pk])


def _public_page(people):
    department()
    return reverse("nabohjaelp:signup", args=["rising"])


def _staff_signup_page(people):
    department()
    return reverse("safety:signup_create")


def _case_page(people):
    department()
    return reverse("advice:case_create")


def _fixed(view):
    return lambda people: reverse(view)


CREATES = [
    Create(
        "activity record",
        "staff",
        ActivityRecord,
        _fixed("activities:record_create"),
        _record_typed,
    ),
    Create(
        "planned event",
        "staff",
        PlannedEvent,
        _fixed("activities:event_create"),
        _event_typed,
    ),
    Create(
        "Nabohjælp sign-up by staff", "staff", SignUp, _staff_signup_page, _signup_typed
    ),
    Create(
        "public Nabohjælp sign-up",
        "staff",
        SignUp,
        _public_page,
        _public_typed,
        anonymous=True,
    ),
    Create("safety walk", "staff", Walk, _fixed("safety:walk_create"), _walk_typed),
    Create("finding", "staff", Finding, _on_walk, _finding_typed),
    Create(
        "incident", "staff", Incident, _fixed("safety:incident_create"), _incident_typed
    ),
    Create(
        "incident timeline entry",
        "staff",
        IncidentEntry,
        _on_incident,
        _entry_typed,
        forms=("entry_form",),
    ),
    Create(
        "beredskab contact",
        "safety_advisor",
        Contact,
        _fixed("safety:contact_create"),
        _contact_typed,
    ),
    Create(
        "network meeting",
        "safety_advisor",
        NetworkMeeting,
        _fixed("safety:meeting_create"),
        _network_meeting_typed,
    ),
    Create(
        "follow-up task",
        "safety_advisor",
        FollowUpTask,
        _on_network_meeting,
        _task_typed,
    ),
    Create(
        "advice case",
        "advisor",
        Case,
        _case_page,
        _case_typed,
        forms=("household_form", "form"),
    ),
    Create(
        "advice follow-up case",
        "advisor",
        Case,
        _on_case("advice:case_followup"),
        _case_typed,
    ),
    Create(
        "advice meeting",
        "advisor",
        Meeting,
        _on_case("advice:meeting_create"),
        _advice_meeting_typed,
    ),
    Create(
        "advice outcome",
        "advisor",
        CaseOutcome,
        _on_case("advice:outcome_create"),
        _outcome_typed,
    ),
    Create(
        "advice referral",
        "advisor",
        Referral,
        _on_case("advice:referral_create"),
        _referral_typed,
    ),
    Create(
        "advice drop-in visit",
        "advisor",
        Meeting,
        _drop_in,
        _visit_typed,
        forms=(_visit_form,),
    ),
    Create(
        "report request",
        "coordinator",
        ReportRun,
        _fixed("reports:run_list"),
        _report_typed,
    ),
]


def pages(create: Create, people) -> tuple[str, str]:
    """The page with the form, and where it posts (most post to themselves)."""
    urls = create.page(people)
    return urls if isinstance(urls, tuple) else (urls, urls)


def filled_in(create: Create, people, client, page_url: str, n: int = 0) -> dict:
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    return {**shown(page, *create.forms), **create.typed(people, page, n)}


def sender(create: Create, people):
    if create.anonymous:
        return TwoFactorClient()
    return client_of(people[create.sender])


@pytest.mark.django_db
@pytest.mark.parametrize("create", CREATES, ids=[c.name for c in CREATES])
def test_a_form_sent_twice_one_after_the_other_makes_one_row(people, create):
    client = sender(create, people)
    page_url, target = pages(create, people)
    data = filled_in(create, people, client, page_url)
    before = create.model.objects.count()

    first = client.post(target, data)
    second = client.post(target, data)

    assert first.status_code == 302, first.context and first.context["form"].errors
    assert (second.status_code, second["Location"]) == (302, first["Location"])
    assert create.model.objects.count() == before + 1


@pytest.mark.django_db
def test_a_new_form_without_a_token_still_saves_and_bad_input_still_shows(people):
    client = client_of(people["staff"])
    url = reverse("activities:record_create")
    data = {**_record_typed(people, None), "date": TODAY.isoformat()}

    saved = client.post(url, data)
    refused = client.post(url, {**data, "participants": "-1"})

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "participants" in refused.context["form"].errors
    assert ActivityRecord.objects.count() == 1


# --- The same form at the same moment (PostgreSQL) ------------------------------------


@pytest.fixture
def postgres():
    """Two writers at once need a database that takes them: PostgreSQL, which
    bin/test starts. Elsewhere the test is skipped; where bin/test started the
    services (and in CI), a missing PostgreSQL fails it."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true" or os.environ.get("PORTAL_TEST_SERVICES"):
            pytest.fail("PostgreSQL is needed for the parallel double submits")
        pytest.skip("needs PostgreSQL: run bin/test")


def send_at_once(clients, url: str, data: dict) -> list:
    """Each client posts the same data from its own thread, released together."""
    start = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def send(index: int) -> None:
        try:
            start.wait()
            answers[index] = clients[index].post(url, data)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            answers[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "create",
    # The reports asked for are built by the real worker before the test ends.
    [
        pytest.param(c, marks=pytest.mark.worker) if c.model is ReportRun else c
        for c in CREATES
    ],
    ids=[c.name for c in CREATES],
)
def test_a_form_sent_twice_at_the_same_moment_makes_one_row(
    postgres, people, create, artefacts, caplog
):
    caplog.set_level(logging.INFO, logger="boligsocial.editing")
    one_row = 0
    for trial in range(TRIALS):
        cache.clear()  # the public page's rate limit counts per address
        clients = [sender(create, people), sender(create, people)]
        page_url, target = pages(create, people)
        data = filled_in(create, people, clients[0], page_url, trial)
        before = create.model.objects.count()

        answers = send_at_once(clients, target, data)

        assert [getattr(a, "status_code", a) for a in answers] == [302, 302]
        assert answers[0]["Location"] == answers[1]["Location"]
        one_row += create.model.objects.count() == before + 1
    # The worker builds the reports asked for: they must be done before the test
    # empties the database under it.
    for run in ReportRun.objects.all() if create.model is ReportRun else []:
        finished(run)
    # The trials where both copies got past the first look for the token and
    # the database's UNIQUE refused the second (the others were found earlier).
    raced = caplog.text.count("was refused by its token")
    results = kept(artefacts, "parallel", create.name, [one_row, TRIALS, raced])
    trials = sum(result[1] for result in results.values())
    good = sum(result[0] for result in results.values())
    record_figure(
        "parallel",
        f"parallel double submit → exactly 1 row in {good} of {trials} trials "
        f"({len(results)} forms × {TRIALS}; in "
        f"{sum(result[2] for result in results.values())} the two copies "
        f"reached the database together and its UNIQUE token refused one)",
        artefacts,
    )
    assert one_row == TRIALS
