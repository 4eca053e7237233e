"""The daylight-saving edges in the forms people type times into: a time in the
hour the spring switch skips is refused next to its field, with everything typed
kept and nothing saved; a time in the hour the autumn switch repeats is stored as
its first occurrence and shown as "sommertid"; figures count calendar days."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityRecord, PlannedEvent
from boligsocial import clock
from boligsocial.models import Area, Organisation
from conftest import summer_time_switches
from safety.models import Finding, FindingCategory, Incident, IncidentEntry, Walk
from safety.walks.figures import finding_figures

SPRING, AUTUMN = summer_time_switches(timezone.localdate().year)
# 02:10 on the autumn switch day, the second time: in winter time.
WINTER_TIME_0210 = clock.local_moment(
    AUTUMN, datetime.time(2, 10)
) + datetime.timedelta(hours=1)
SKIPPED_MESSAGE = "ved skiftet til sommertid gik urene fra 02:00 direkte til 03:00"


def noon(day: datetime.date):
    """Travel to noon on the day: its small hours lie in the past."""
    return time_machine.travel(clock.local_moment(day, datetime.time(12)), tick=False)


def post_at_noon(client, user, day: datetime.date, view: str, data: dict):
    """The view's form sent by the user at noon on the day."""
    with noon(day):
        client.force_login(user)
        return client.post(reverse(view), data)


def typed(day: datetime.date, clock_time: str) -> str:
    return f"{day.isoformat()}T{clock_time}"


def field_errors(response, field: str, form: str = "form") -> str:
    return " ".join(response.context[form].errors.get(field, []))


# --- Activity records and planned events (a day and clock times) ------------------


def record_data(day: datetime.date, start: str, end: str = "") -> dict:
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    return {
        "activity": jobs.pk,
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "area": Area.objects.get(slug="rising").pk,
        "participants": "12",
        "note": "Fritidsjobcafé om natten",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["start_time", "end_time"])
def test_a_record_at_a_skipped_time_is_refused_next_to_the_field_and_kept(
    client, staff, field
):
    times = {"start": "01:30", "end": "04:00"}
    times[field.removesuffix("_time")] = "02:30"
    response = post_at_noon(
        client, staff, SPRING, "activities:record_create", record_data(SPRING, **times)
    )
    assert response.status_code == 200
    assert SKIPPED_MESSAGE in field_errors(response, field)
    html = response.content.decode()
    assert 'value="02:30"' in html and "Fritidsjobcafé om natten" in html
    assert not ActivityRecord.objects.exists()


@pytest.mark.django_db
def test_a_record_in_the_repeated_hour_is_saved_as_typed(client, staff):
    response = post_at_noon(
        client,
        staff,
        AUTUMN,
        "activities:record_create",
        record_data(AUTUMN, start="02:15", end="02:45"),
    )
    assert response.status_code == 302
    record = ActivityRecord.objects.get()
    assert (record.date, record.start_time) == (AUTUMN, datetime.time(2, 15))


@pytest.mark.django_db
def test_a_planned_event_in_the_skipped_hour_is_refused_and_kept(client, staff):
    day_before = SPRING - datetime.timedelta(days=1)
    data = {
        "title": "Natteravne",
        "activity": Activity.objects.get(name="Fritidsjobrådgivning").pk,
        "date": SPRING.isoformat(),
        "start_time": "02:15",
        "end_time": "04:00",
        "place": "Risingskolen",
        "area": Area.objects.get(slug="rising").pk,
        "organiser": Organisation.objects.get(name="BoligSocialt Hus").pk,
    }
    with noon(day_before):
        client.force_login(staff)
        response = client.post(reverse("activities:event_create"), data)
        assert SKIPPED_MESSAGE in field_errors(response, "start_time")
        assert "Natteravne" in response.content.decode()
        assert not PlannedEvent.objects.exists()
        data["start_time"] = "03:15"
        assert client.post(reverse("activities:event_create"), data).status_code == 302
    assert PlannedEvent.objects.get().start_time == datetime.time(3, 15)


# --- Walks, incidents and their timeline (a moment typed as day and time) ----------


def walk_data(starts_at: str) -> dict:
    return {
        "area": Area.objects.get(slug="rising").pk,
        "starts_at": starts_at,
        "status": Walk.Status.HELD,
        "route": "Fra Rising Allé til skolen",
        "residents": "4",
    }


@pytest.mark.django_db
def test_a_walk_at_a_skipped_time_is_refused_with_the_route_kept(client, staff):
    response = post_at_noon(
        client, staff, SPRING, "safety:walk_create", walk_data(typed(SPRING, "02:30"))
    )
    assert SKIPPED_MESSAGE in field_errors(response, "starts_at")
    assert "(fx 03:30)" in field_errors(response, "starts_at")
    assert "Fra Rising Allé til skolen" in response.content.decode()
    assert not Walk.objects.exists()


@pytest.mark.django_db
def test_a_walk_in_the_repeated_hour_is_the_first_one_and_says_so(client, staff):
    with noon(AUTUMN):
        client.force_login(staff)
        response = client.post(
            reverse("safety:walk_create"), walk_data(typed(AUTUMN, "02:30"))
        )
        walk = Walk.objects.get()
        assert response["Location"] == walk.get_absolute_url()
        assert walk.starts_at == clock.local_moment(AUTUMN, datetime.time(2, 30))
        assert timezone.localtime(walk.starts_at).utcoffset().total_seconds() == 7200
        html = client.get(walk.get_absolute_url()).content.decode()
    assert "02:30 (sommertid)" in html


def incident_data(occurred_at: str) -> dict:
    return {
        "title": "Brand i kælder",
        "kind": Incident.Kind.FIRE,
        "area": Area.objects.get(slug="rising").pk,
        "place": "Opgang 12, Rising Allé",
        "occurred_at": occurred_at,
        "severity": Incident.Severity.SERIOUS,
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Røg i kælderen om natten.",
    }


def make_incident(occurred_at: datetime.datetime, by) -> Incident:
    fields = incident_data("") | {"area": Area.objects.get(slug="rising")}
    return Incident.objects.create(
        **fields | {"occurred_at": occurred_at}, created_by=by
    )


@pytest.mark.django_db
def test_an_incident_at_a_skipped_time_is_refused_with_what_was_typed(
    client, safety_advisor
):
    response = post_at_noon(
        client,
        safety_advisor,
        SPRING,
        "safety:incident_create",
        incident_data(typed(SPRING, "02:10")),
    )
    assert SKIPPED_MESSAGE in field_errors(response, "occurred_at")
    html = response.content.decode()
    assert f'value="{typed(SPRING, "02:10")}"' in html
    assert "Røg i kælderen om natten." in html
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_an_incident_in_the_repeated_hour_is_shown_in_summer_time_everywhere(
    client, safety_advisor
):
    with noon(AUTUMN):
        client.force_login(safety_advisor)
        client.post(
            reverse("safety:incident_create"), incident_data(typed(AUTUMN, "02:10"))
        )
        incident = Incident.objects.get()
        detail = client.get(incident.get_absolute_url()).content.decode()
        listed = client.get(reverse("safety:incident_list")).content.decode()
    assert incident.occurred_at == clock.local_moment(AUTUMN, datetime.time(2, 10))
    assert "02:10 (sommertid)" in detail
    assert "(sommertid)" in listed


@pytest.mark.django_db
def test_an_incident_in_the_second_repeated_hour_is_shown_as_winter_time(
    client, safety_advisor
):
    second = WINTER_TIME_0210
    with noon(AUTUMN):
        incident = make_incident(second, safety_advisor)
        client.force_login(safety_advisor)
        detail = client.get(incident.get_absolute_url()).content.decode()
    assert "02:10 (vintertid)" in detail


@pytest.mark.django_db
def test_a_timeline_entry_at_a_skipped_time_is_refused_next_to_its_field(
    client, safety_advisor
):
    with noon(SPRING):
        client.force_login(safety_advisor)
        incident = make_incident(
            clock.local_moment(SPRING, datetime.time(1, 30)), safety_advisor
        )
        response = client.post(
            reverse("safety:entry_create", args=[incident.pk]),
            {
                "kind": IncidentEntry.Kind.UPDATE,
                "happened_at": typed(SPRING, "02:45"),
                "text": "Brandvæsenet er gået.",
            },
        )
    assert SKIPPED_MESSAGE in field_errors(response, "happened_at", "entry_form")
    assert "Brandvæsenet er gået." in response.content.decode()
    assert not IncidentEntry.objects.exists()


# --- Figures: calendar days ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("switch", [SPRING, AUTUMN])
def test_days_to_a_fix_count_calendar_days_across_a_switch(staff, switch):
    rising = Area.objects.get(slug="rising")
    police = Organisation.objects.get(name="Fyns Politi")
    saturday = switch - datetime.timedelta(days=1)
    found_at = clock.local_moment(saturday, datetime.time(10))
    walk = Walk.objects.create(area=rising, starts_at=found_at, status="held")
    Finding.objects.create(
        walk=walk,
        area=rising,
        category=FindingCategory.objects.first(),
        place="Stien",
        description="Lampe ude",
        found_at=found_at,
        responsible=police,
        status=Finding.Status.FIXED,
        fixed_at=clock.local_moment(
            switch + datetime.timedelta(days=1), datetime.time(10)
        ),
    )
    with noon(switch + datetime.timedelta(days=7)):
        figures = finding_figures(areas=[rising], start=saturday, end=switch)
    assert figures.median_days == 2.0


@pytest.mark.django_db
def test_an_edit_that_leaves_a_winter_time_moment_as_shown_keeps_its_hour(
    client, safety_advisor
):
    second = WINTER_TIME_0210
    with noon(AUTUMN):
        incident = make_incident(second, safety_advisor)
        client.force_login(safety_advisor)
        edit = reverse("safety:incident_edit", args=[incident.pk])
        shown = client.get(edit).context["form"]["occurred_at"].value()
        data = incident_data(typed(AUTUMN, "02:10")) | {
            "version": incident.version,
            "place": "Opgang 14, Rising Allé",
        }
        assert client.post(edit, data).status_code == 302
    assert shown.strftime("%H:%M") == "02:10"  # as the input shows it
    incident.refresh_from_db()
    assert incident.place == "Opgang 14, Rising Allé"
    assert incident.occurred_at == second  # winter time still, not an hour earlier


@pytest.mark.django_db
def test_a_new_entry_keeps_the_winter_time_now_it_started_from(client, safety_advisor):
    now = clock.local_moment(AUTUMN, datetime.time(2, 40)) + datetime.timedelta(hours=1)
    with time_machine.travel(now, tick=False):
        incident = make_incident(now - datetime.timedelta(minutes=20), safety_advisor)
        client.force_login(safety_advisor)
        page = client.get(incident.get_absolute_url())
        shown = page.context["entry_form"]["happened_at"].value()
        client.post(
            reverse("safety:entry_create", args=[incident.pk]),
            {
                "kind": IncidentEntry.Kind.UPDATE,
                "happened_at": typed(AUTUMN, shown.strftime("%H:%M")),
                "text": "Brandvæsenet er gået.",
            },
        )
    assert IncidentEntry.objects.get().happened_at == now
