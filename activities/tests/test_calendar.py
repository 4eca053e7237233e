"""The calendar of planned events: who does what, where and when, and who may plan."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from activities.models import Activity, PlannedEvent
from boligsocial.models import Area, Organisation, Role
from conftest import make_user

# A Monday; the calendar shows the eight weeks from here.
TODAY = datetime.date(2026, 5, 4)

INSIDE_ROLES = [role for role in Role if role != Role.PARTNER]
CALENDAR = reverse("activities:calendar")
CREATE = reverse("activities:event_create")


def make_event(
    by,
    *,
    title="Fritidsjobcafé",
    area="rising",
    day=TODAY,
    organiser="BoligSocialt Hus",
    activity="Fritidsjobrådgivning",
    start=datetime.time(16, 0),
    end=datetime.time(18, 0),
) -> PlannedEvent:
    return PlannedEvent.objects.create(
        activity=Activity.objects.get(name=activity),
        title=title,
        date=day,
        start_time=start,
        end_time=end,
        place="Risingskolen",
        area=Area.objects.get(slug=area),
        organiser=Organisation.objects.get(name=organiser),
        created_by=by,
    )


def in_days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def edit_url(pk: int) -> str:
    return reverse("activities:event_edit", args=[pk])


def delete_url(pk: int) -> str:
    return reverse("activities:event_delete", args=[pk])


def titles(response) -> list[str]:
    return [event.title for event in response.context["events"]]


def form_data(**changes) -> dict:
    data = {
        "title": "Lektiecafé",
        "activity": Activity.objects.get(name="Ungerådgivning").pk,
        "date": "2026-05-12",
        "start_time": "15:00",
        "end_time": "17:00",
        "place": "Biblioteket i Vollsmose",
        "area": "vollsmose",
        "organiser": Organisation.objects.get(name="BoligSocialt Hus").pk,
    }
    data.update(changes)
    data["area"] = Area.objects.get(slug=data["area"]).pk
    return data


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-05-04 10:00 +0200", tick=False):
        yield


@pytest.fixture
def other_staff(db):
    return make_user(
        "kollega", Role.STAFF, organisation="BoligSocialt Hus", areas=["vollsmose"]
    )


# --- The calendar ---------------------------------------------------------------------


@pytest.mark.parametrize("role", INSIDE_ROLES)
def test_every_inside_role_sees_the_events_of_every_area(client, personas, role):
    make_event(personas[Role.STAFF], title="I Rising", area="rising")
    make_event(personas[Role.STAFF], title="I Vollsmose", area="vollsmose")
    client.force_login(personas[role])
    response = client.get(CALENDAR)
    assert response.status_code == 200
    assert titles(response) == ["I Rising", "I Vollsmose"]
    assert 'data-testid="plan-event"' in response.content.decode()


def test_a_partner_sees_only_the_events_of_its_granted_area(client, staff, partner):
    make_event(staff, title="I Rising", area="rising")
    make_event(staff, title="I Vollsmose", area="vollsmose")
    client.force_login(partner)
    response = client.get(CALENDAR)
    html = response.content.decode()
    assert titles(response) == ["I Rising"]
    assert "I Vollsmose" not in html


def test_a_partner_is_offered_to_plan_its_organisations_events(client, partner):
    client.force_login(partner)
    html = client.get(CALENDAR).content.decode()
    assert 'data-testid="plan-event"' in html
    assert CREATE in html


def test_the_calendar_shows_the_coming_eight_weeks_by_day(client, staff):
    make_event(staff, title="I går", day=in_days(-1))
    make_event(staff, title="I dag", day=TODAY)
    make_event(
        staff, title="Senere i dag", day=TODAY, start=datetime.time(19, 0), end=None
    )
    make_event(staff, title="Sidste dag", day=in_days(55))
    make_event(staff, title="Om otte uger", day=in_days(56))
    client.force_login(staff)
    response = client.get(CALENDAR)
    html = response.content.decode()
    assert titles(response) == ["I dag", "Senere i dag", "Sidste dag"]
    assert html.count('data-testid="event-day"') == 2
    assert "Mandag 4. maj 2026" in html
    assert "Fra 4. maj 2026 til 28. juni 2026" in html
    assert "16:00–18:00" in html


def test_a_later_start_shows_later_weeks_and_a_past_start_shows_from_today(
    client, staff
):
    make_event(staff, title="I går", day=in_days(-1))
    make_event(staff, title="I dag", day=TODAY)
    make_event(staff, title="Om ti uger", day=in_days(70))
    client.force_login(staff)
    later = client.get(CALENDAR, {"start": "2026-06-29"})
    past = client.get(CALENDAR, {"start": "2026-01-01"})
    assert titles(later) == ["Om ti uger"]
    assert later.context["earlier"] == TODAY
    assert titles(past) == ["I dag"]
    assert past.context["earlier"] is None


def test_the_calendar_filters_by_area_and_by_activity(client, staff):
    make_event(staff, title="Rising", area="rising")
    make_event(staff, title="Vollsmose", area="vollsmose")
    make_event(
        staff, title="Vandring", area="korslokkeparken", activity="Tryghedsvandringer"
    )
    client.force_login(staff)
    by_area = client.get(CALENDAR, {"area": "vollsmose"})
    walk = Activity.objects.get(name="Tryghedsvandringer")
    by_activity = client.get(CALENDAR, {"activity": walk.pk})
    assert titles(by_area) == ["Vollsmose"]
    assert titles(by_activity) == ["Vandring"]


def test_a_partner_filtering_on_an_area_it_is_not_granted_sees_a_note_not_the_area(
    client, staff, partner
):
    make_event(staff, title="I Rising", area="rising")
    make_event(staff, title="I Vollsmose", area="vollsmose")
    client.force_login(partner)
    response = client.get(CALENDAR, {"area": "vollsmose"})
    html = response.content.decode()
    assert response.status_code == 200
    assert titles(response) == ["I Rising"]
    assert "Området kendes ikke. Kalenderen viser alle områder." in html
    assert ">Vollsmose<" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"area": "atlantis"},
        {"activity": "999999"},
        {"activity": "not-a-number"},
        {"start": "2026-13-45"},
    ],
)
def test_an_unknown_filter_value_is_left_out_with_a_note(client, staff, query):
    make_event(staff, title="I Rising")
    client.force_login(staff)
    response = client.get(CALENDAR, query)
    assert response.status_code == 200
    assert titles(response) == ["I Rising"]
    assert "kendes ikke" in response.content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.PARTNER])
def test_the_calendar_costs_the_same_queries_for_three_and_thirty_events(
    client, personas, role, django_assert_num_queries
):
    client.force_login(personas[role])
    counts = []
    for total in (3, 30):
        PlannedEvent.objects.all().delete()
        for n in range(total):
            make_event(
                personas[Role.STAFF],
                title=f"Nr. {n}",
                day=in_days(n % 10),
                organiser=("BoligSocialt Hus", "Fyns Politi")[n % 2],
            )
        # Session and user, the chosen area, the events with their parallel flag,
        # the area and activity choices, the session's renewal (3); staff also
        # the device that verified their session (two factors).
        with django_assert_num_queries(9 + personas[role].needs_two_factor):
            response = client.get(CALENDAR, {"area": "rising"})
        counts.append(len(response.context["events"]))
    assert counts == [3, 30]


# --- Parallel efforts -----------------------------------------------------------------


def parallel_titles(response) -> list[str]:
    return [event.title for event in response.context["events"] if event.parallel]


def test_two_organisers_in_one_area_on_one_day_are_marked_as_parallel(client, staff):
    make_event(staff, title="Cafe", organiser="BoligSocialt Hus")
    make_event(
        staff,
        title="Ungemøde",
        organiser="Fyns Politi",
        activity="Ungerådgivning",
        start=datetime.time(20, 0),
        end=datetime.time(22, 0),
    )
    client.force_login(staff)
    response = client.get(CALENDAR)
    html = response.content.decode()
    assert parallel_titles(response) == ["Cafe", "Ungemøde"]
    assert html.count("Flere arrangører samme dag") == 2


def test_the_parallel_mark_counts_events_the_activity_filter_leaves_out(client, staff):
    make_event(staff, title="Cafe", organiser="BoligSocialt Hus")
    make_event(
        staff,
        title="Ungemøde",
        organiser="Fyns Politi",
        activity="Ungerådgivning",
    )
    cafe = Activity.objects.get(name="Fritidsjobrådgivning")
    client.force_login(staff)
    response = client.get(CALENDAR, {"activity": cafe.pk})
    assert parallel_titles(response) == ["Cafe"]


@pytest.mark.parametrize(
    "second",
    [
        {"organiser": "BoligSocialt Hus"},  # the same organiser twice
        {"organiser": "Fyns Politi", "area": "vollsmose"},  # another area
        {"organiser": "Fyns Politi", "day": in_days(1)},  # another day
    ],
)
def test_no_parallel_mark_without_another_organiser_that_day_in_that_area(
    client, staff, second
):
    make_event(staff, title="Cafe", organiser="BoligSocialt Hus")
    make_event(staff, title="Andet", **second)
    client.force_login(staff)
    response = client.get(CALENDAR)
    assert parallel_titles(response) == []
    assert "Flere arrangører samme dag" not in response.content.decode()


# --- Who may edit, as the calendar shows it -------------------------------------------


def test_the_calendar_offers_editing_exactly_where_the_door_allows_it(
    client, personas, other_staff
):
    mine = make_event(personas[Role.STAFF], title="Min")
    theirs = make_event(other_staff, title="Kollegas")
    for role, user in personas.items():
        client.force_login(user)
        html = client.get(CALENDAR).content.decode()
        for event in (mine, theirs):
            url = edit_url(event.pk)
            allowed = client.get(url).status_code == 200
            assert (f'href="{url}"' in html) == allowed, (role, event.title)
            assert event.is_editable_by(user) == allowed


def test_the_menu_marks_the_calendar_on_its_pages(client, staff):
    client.force_login(staff)
    for url in (CALENDAR, CREATE):
        html = client.get(url).content.decode()
        assert f'href="{CALENDAR}" aria-current="page"' in html


# --- Planning an event ----------------------------------------------------------------


@pytest.mark.parametrize("role", INSIDE_ROLES)
def test_every_inside_role_plans_an_event(client, personas, role):
    user = personas[role]
    client.force_login(user)
    response = client.post(CREATE, form_data())
    event = PlannedEvent.objects.get()
    assert response.status_code == 302
    assert response.url == CALENDAR
    assert (event.title, event.date, event.created_by) == (
        "Lektiecafé",
        datetime.date(2026, 5, 12),
        user,
    )
    assert "Aktiviteten er sat i kalenderen." in client.get(CALENDAR).content.decode()


def test_the_plan_form_starts_with_the_users_organisation_and_a_given_activity(
    client, staff
):
    walk = Activity.objects.get(name="Tryghedsvandringer")
    client.force_login(staff)
    response = client.get(CREATE, {"activity": walk.pk})
    form = response.context["form"]
    assert response.status_code == 200
    assert form["organiser"].value() == staff.organisation_id
    assert str(form["activity"].value()) == str(walk.pk)
    assert 'type="date"' in response.content.decode()


def test_ended_activities_are_not_offered_for_planning(client, staff):
    client.force_login(staff)
    form = client.get(CREATE).context["form"]
    offered = list(form.fields["activity"].queryset)
    assert Activity.objects.get(name="Gadeplansarbejde") not in offered
    assert Activity.objects.get(name="Tryghedsvandringer") in offered
    assert offered[0].name == "Rådgivning i forælderrollen"


def test_a_partner_without_an_organisation_may_not_plan_an_event(client, partner):
    partner.organisation = None
    partner.save(update_fields=["organisation"])
    client.force_login(partner)
    url = CREATE
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(area="rising")).status_code == 403
    assert not PlannedEvent.objects.exists()


@pytest.mark.parametrize(
    "changes,field,message",
    [
        (
            {"date": "2026-05-03"},
            "date",
            "En planlagt aktivitet kan ikke ligge i fortiden.",
        ),
        (
            {"end_time": "14:00"},
            "end_time",
            "Sluttidspunktet skal ligge efter starten.",
        ),
        (
            {"area": "skt-klemensparken"},
            "area",
            "Aktiviteten kører ikke i Skt. Klemensparken.",
        ),
        ({"place": ""}, "place", "Dette felt er påkrævet."),
    ],
)
def test_bad_input_comes_back_with_the_error_at_the_field_and_the_input_kept(
    client, staff, changes, field, message
):
    client.force_login(staff)
    response = client.post(CREATE, form_data(**changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert f'id="error_1_id_{field}"' in html
    assert 'value="Lektiecafé"' in html
    assert not PlannedEvent.objects.exists()


# --- Changing and deleting an event ---------------------------------------------------


def test_staff_change_their_own_event(client, staff):
    event = make_event(staff)
    client.force_login(staff)
    url = edit_url(event.pk)
    assert client.get(url).status_code == 200
    response = client.post(
        url, form_data(title="Flyttet", area="rising", version=event.version)
    )
    event.refresh_from_db()
    assert response.url == CALENDAR
    assert (event.title, event.place) == ("Flyttet", "Biblioteket i Vollsmose")
    assert event.created_by == staff


def test_staff_may_not_change_another_staff_members_event(client, staff, other_staff):
    event = make_event(other_staff)
    client.force_login(staff)
    url = edit_url(event.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(area="rising")).status_code == 403
    event.refresh_from_db()
    assert event.title == "Fritidsjobcafé"


def test_a_coordinator_changes_anyones_event(client, coordinator, other_staff):
    event = make_event(other_staff)
    client.force_login(coordinator)
    url = edit_url(event.pk)
    response = client.post(
        url, form_data(title="Rettet", area="rising", version=event.version)
    )
    event.refresh_from_db()
    assert response.status_code == 302
    assert event.title == "Rettet"
    assert event.created_by == other_staff


def test_a_partner_gets_not_found_outside_its_areas_and_forbidden_inside(
    client, staff, partner
):
    rising = make_event(staff, area="rising")
    vollsmose = make_event(staff, area="vollsmose")
    client.force_login(partner)
    assert client.get(edit_url(rising.pk)).status_code == 403
    assert client.get(edit_url(vollsmose.pk)).status_code == 404
    for event, status in ((rising, 403), (vollsmose, 404)):
        url = delete_url(event.pk)
        assert client.post(url).status_code == status
    assert PlannedEvent.objects.count() == 2


def test_an_unknown_event_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(edit_url(999999)).status_code == 404


def test_an_event_already_past_can_be_corrected_on_its_own_day(client, staff):
    event = make_event(staff, day=in_days(-2))
    client.force_login(staff)
    url = edit_url(event.pk)
    kept = client.post(url, form_data(date="2026-05-02", area="rising", version=1))
    moved = client.post(url, form_data(date="2026-05-01", area="rising", version=2))
    assert kept.status_code == 302
    assert moved.context["form"].errors == {
        "date": ["En planlagt aktivitet kan ikke ligge i fortiden."]
    }


def test_an_event_keeps_its_activity_after_the_activity_has_ended(client, staff):
    event = make_event(staff)
    Activity.objects.filter(pk=event.activity_id).update(status=Activity.Status.ENDED)
    client.force_login(staff)
    url = edit_url(event.pk)
    data = form_data(activity=event.activity_id, area="rising", version=event.version)
    response = client.post(url, data)
    assert response.status_code == 302


def test_the_author_deletes_an_event(client, staff):
    event = make_event(staff)
    client.force_login(staff)
    response = client.post(delete_url(event.pk))
    assert response.url == CALENDAR
    assert not PlannedEvent.objects.exists()
    assert (
        "Den planlagte aktivitet er slettet." in client.get(CALENDAR).content.decode()
    )


def test_staff_may_not_delete_another_staff_members_event(client, staff, other_staff):
    event = make_event(other_staff)
    client.force_login(staff)
    response = client.post(delete_url(event.pk))
    assert response.status_code == 403
    assert PlannedEvent.objects.filter(pk=event.pk).exists()


# --- Methods and logging in -----------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_calendar_answers_get_only(client, staff, method):
    client.force_login(staff)
    assert getattr(client, method)(CALENDAR).status_code == 405


def test_deleting_answers_post_only_and_planning_get_and_post(client, staff):
    event = make_event(staff)
    client.force_login(staff)
    assert client.get(delete_url(event.pk)).status_code == 405
    assert client.put(CREATE).status_code == 405
    assert client.delete(edit_url(event.pk)).status_code == 405
    assert PlannedEvent.objects.filter(pk=event.pk).exists()


def test_every_calendar_page_sends_the_anonymous_to_the_login(client, staff):
    event = make_event(staff)
    urls = [
        CALENDAR,
        CREATE,
        edit_url(event.pk),
        delete_url(event.pk),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert client.post(urls[-1]).url.startswith(reverse("login"))
    assert PlannedEvent.objects.exists()
