"""Meetings on a case: logged, corrected, refused when they cannot have happened,
and shown on the case page."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from advice.models import CaseAccess, DropIn, Meeting
from boligsocial.models import Area

from .conftest import OPENED, TODAY, add_meeting, make_case

pytestmark = pytest.mark.usefixtures("frozen_today")

CPR_NOTE = "Brev med cpr 010203-1234 vedlagt"


@pytest.fixture
def drop_in(db) -> DropIn:
    return DropIn.objects.create(
        name="Rising Beboerhus",
        area=Area.objects.get(slug="rising"),
        address="Rising Allé 1",
        weekday=DropIn.Weekday.MONDAY,
        starts_at=datetime.time(15, 0),
        ends_at=datetime.time(17, 0),
    )


def create_url(case) -> str:
    return reverse("advice:meeting_create", args=[case.pk])


def edit_url(meeting) -> str:
    return reverse("advice:meeting_edit", args=[meeting.case_id, meeting.pk])


def meeting_data(**extra) -> dict:
    data = {
        "held_on": TODAY.isoformat(),
        "place": Meeting.Place.HOME,
        "drop_in": "",
        "duration_minutes": "60",
        "note": "Gennemgik budget og rykkere",
    }
    data.update(extra)
    return data


def actions(case) -> list[str]:
    return list(
        CaseAccess.objects.filter(case=case)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Logging a meeting ----------------------------------------------------------------


def test_the_form_opens_with_today_as_the_date_and_the_view_is_logged(
    client, advisor, case
):
    client.force_login(advisor)
    response = client.get(create_url(case))
    assert response.status_code == 200
    assert response.context["form"]["held_on"].value() == TODAY
    assert "Fatima Hansen" in response.content.decode()
    assert actions(case) == [CaseAccess.Action.VIEW]


def test_an_advisor_on_the_case_logs_a_home_meeting(client, advisor, case):
    client.force_login(advisor)
    response = client.post(create_url(case), meeting_data())
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    meeting = Meeting.objects.get()
    assert (meeting.case, meeting.held_on, meeting.place) == (case, TODAY, "home")
    assert (meeting.duration_minutes, meeting.held_by) == (60, advisor)
    assert meeting.note == "Gennemgik budget og rykkere"
    assert actions(case) == [CaseAccess.Action.MEETING]


def test_a_meeting_at_the_drop_in_names_the_drop_in(client, advisor, case, drop_in):
    client.force_login(advisor)
    client.post(create_url(case), meeting_data(place="drop_in", drop_in=drop_in.pk))
    assert Meeting.objects.get().drop_in == drop_in


def test_a_drop_in_no_longer_held_is_not_offered_for_new_meetings(
    client, advisor, case, drop_in
):
    drop_in.is_active = False
    drop_in.save(update_fields=["is_active"])
    client.force_login(advisor)
    response = client.post(
        create_url(case), meeting_data(place="drop_in", drop_in=drop_in.pk)
    )
    assert response.status_code == 400
    assert "drop_in" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_an_advisor_corrects_a_meeting_and_who_held_it_stays(
    client, advisor, other_advisor, case
):
    meeting = add_meeting(case, by=other_advisor, note="Kort snak")
    client.force_login(advisor)
    data = meeting_data(
        held_on="2026-04-02", duration_minutes="45", version=meeting.version
    )
    response = client.post(edit_url(meeting), data)
    assert response["Location"] == case.get_absolute_url()
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.duration_minutes) == (
        datetime.date(2026, 4, 2),
        45,
    )
    assert meeting.held_by == other_advisor
    assert actions(case) == [CaseAccess.Action.MEETING]


def test_the_edit_form_shows_the_meeting_as_recorded(client, advisor, case):
    meeting = add_meeting(case, by=advisor, note="Kort snak")
    client.force_login(advisor)
    response = client.get(edit_url(meeting))
    assert response.status_code == 200
    assert "Kort snak" in response.content.decode()
    assert actions(case) == [CaseAccess.Action.VIEW]


def test_a_meeting_of_another_case_is_not_found_through_this_case(
    client, advisor, case, departments
):
    mine_too = make_case(case.household, advisors=[advisor])
    meeting = add_meeting(mine_too)
    client.force_login(advisor)
    url = reverse("advice:meeting_edit", args=[case.pk, meeting.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, meeting_data()).status_code == 404


# --- A closed case --------------------------------------------------------------------


@pytest.fixture
def closed_case(case):
    case.status, case.closed_on = case.Status.CLOSED, datetime.date(2026, 4, 30)
    case.save(update_fields=["status", "closed_on"])
    return case


def test_a_closed_case_asks_to_be_reopened_before_a_new_meeting(
    client, advisor, closed_case
):
    client.force_login(advisor)
    response = client.get(create_url(closed_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="case-closed"' in html
    assert "genåbn sagen først" in html
    assert 'data-testid="meeting-form"' not in html


def test_a_meeting_posted_to_a_closed_case_is_refused(client, advisor, closed_case):
    client.force_login(advisor)
    response = client.post(create_url(closed_case), meeting_data())
    assert response.status_code == 400
    assert 'data-testid="case-closed"' in response.content.decode()
    assert not Meeting.objects.exists()
    assert actions(closed_case) == [CaseAccess.Action.VIEW]


def test_a_meeting_on_a_closed_case_can_still_be_corrected(
    client, advisor, closed_case
):
    meeting = add_meeting(closed_case, by=advisor)
    client.force_login(advisor)
    data = meeting_data(held_on="2026-04-01", version=meeting.version)
    response = client.post(edit_url(meeting), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.held_on == datetime.date(2026, 4, 1)


# --- Bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error_field", "message"),
    [
        ("held_on", "2026-03-01", "held_on", "før sagen blev åbnet (02.03.2026)"),
        ("held_on", "2026-05-05", "held_on", "i fremtiden"),
        ("duration_minutes", "0", "duration_minutes", "5"),
        ("duration_minutes", "1000", "duration_minutes", "480"),
        ("duration_minutes", "", "duration_minutes", ""),
        ("place", "garden", "place", ""),
    ],
)
def test_a_meeting_that_cannot_be_is_refused_by_the_field_with_input_kept(
    client, advisor, case, field, value, error_field, message
):
    client.force_login(advisor)
    response = client.post(create_url(case), meeting_data(**{field: value}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert error_field in errors
    assert message in " ".join(errors[error_field])
    assert "Gennemgik budget og rykkere" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_drop_in_with_the_place_home_is_refused(client, advisor, case, drop_in):
    client.force_login(advisor)
    response = client.post(
        create_url(case), meeting_data(place="home", drop_in=drop_in.pk)
    )
    assert response.status_code == 400
    assert "Åben rådgivning hører kun til" in " ".join(
        response.context["form"].errors["drop_in"]
    )
    assert not Meeting.objects.exists()


def test_a_note_with_a_cpr_number_is_warned_then_stored_when_confirmed(
    client, advisor, case
):
    client.force_login(advisor)
    response = client.post(create_url(case), meeting_data(note=CPR_NOTE))
    assert response.status_code == 400
    assert "CPR-nummer" in " ".join(response.context["form"].errors["note"])
    assert CPR_NOTE in response.content.decode()
    assert not Meeting.objects.exists()

    response = client.post(
        create_url(case), meeting_data(note=CPR_NOTE, confirm_cpr="on")
    )
    assert response.status_code == 302
    assert Meeting.objects.get().note == CPR_NOTE


# --- Who may --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_advisor", "coordinator"])
def test_those_who_know_of_the_case_but_do_not_work_on_it_are_refused(
    client, personas, other_advisor, case, who
):
    meeting = add_meeting(case)
    client.force_login(other_advisor if who == "other_advisor" else personas[who])
    assert client.get(create_url(case)).status_code == 403
    assert client.post(create_url(case), meeting_data()).status_code == 403
    assert client.get(edit_url(meeting)).status_code == 403
    assert client.post(edit_url(meeting), meeting_data()).status_code == 403
    assert Meeting.objects.count() == 1
    assert not CaseAccess.objects.exists()


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "partner", "admin"])
def test_other_roles_cannot_tell_the_case_exists(client, personas, case, role):
    meeting = add_meeting(case)
    client.force_login(personas[role])
    assert client.get(create_url(case)).status_code == 404
    assert client.post(create_url(case), meeting_data()).status_code == 404
    assert client.get(edit_url(meeting)).status_code == 404
    assert Meeting.objects.count() == 1


def test_an_anonymised_case_takes_no_meeting(client, advisor, case):
    case.status, case.closed_on = case.Status.CLOSED, OPENED
    case.note = ""
    case.anonymised_at = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    case.save(update_fields=["status", "closed_on", "note", "anonymised_at"])
    client.force_login(advisor)
    assert client.get(create_url(case)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, case):
    meeting = add_meeting(case)
    for url in (create_url(case), edit_url(meeting)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_meeting_pages_take_only_get_and_post(client, advisor, case):
    meeting = add_meeting(case)
    client.force_login(advisor)
    assert client.put(create_url(case)).status_code == 405
    assert client.delete(edit_url(meeting)).status_code == 405
    assert not CaseAccess.objects.exists()


# --- On the case page -----------------------------------------------------------------


def render_meetings(case, *, can_edit=True) -> str:
    meetings = list(case.meetings.select_related("held_by", "drop_in"))
    context = {"case": case, "can_edit": can_edit, "meetings": meetings}
    return render_to_string("advice/_case_meetings.html", context)


def test_the_case_page_lists_meetings_with_their_count_and_hours(
    advisor, case, drop_in
):
    add_meeting(case, by=advisor, duration_minutes=90, note="Budget lagt")
    add_meeting(
        case,
        on=TODAY,
        place=Meeting.Place.DROP_IN,
        drop_in=drop_in,
        duration_minutes=15,
        by=None,
    )
    html = render_meetings(case)
    assert "2 møder, 1,8 timer i alt" in html
    assert "Åben rådgivning: Rising Beboerhus" in html
    assert "Budget lagt" in html and "Advisor" in html
    assert html.count('data-testid="meeting"') == 2
    assert reverse("advice:meeting_create", args=[case.pk]) in html


def test_without_can_edit_the_meetings_have_no_buttons(advisor, case):
    add_meeting(case, by=advisor)
    html = render_meetings(case, can_edit=False)
    assert "1 møde, 1 timer i alt" in html
    assert reverse("advice:meeting_create", args=[case.pk]) not in html
    assert "/edit/" not in html


def test_a_closed_case_offers_no_new_meeting_on_its_page(advisor, case):
    case.status = case.Status.CLOSED
    html = render_meetings(case)
    assert reverse("advice:meeting_create", args=[case.pk]) not in html
    assert 'data-testid="meetings-closed"' in html


def test_the_meetings_fragment_queries_nothing_for_few_or_many(
    advisor, case, drop_in, django_assert_num_queries
):
    add_meeting(case, by=advisor)
    meetings = list(case.meetings.select_related("held_by", "drop_in"))
    context = {"case": case, "can_edit": True, "meetings": meetings}
    with django_assert_num_queries(0):
        render_to_string("advice/_case_meetings.html", context)
    for n in range(12):
        add_meeting(
            case,
            on=OPENED + datetime.timedelta(days=n),
            place=Meeting.Place.DROP_IN,
            drop_in=drop_in,
            by=advisor,
        )
    meetings = list(case.meetings.select_related("held_by", "drop_in"))
    context["meetings"] = meetings
    with django_assert_num_queries(0):
        html = render_to_string("advice/_case_meetings.html", context)
    assert html.count('data-testid="meeting"') == 13
