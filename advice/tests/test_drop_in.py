"""Drop-in hours: the week's list for the advice team, and a resident's visit logged
on one of my open cases in a few seconds."""

import datetime

import pytest
from django.urls import reverse

from advice.models import CaseAccess, DropIn, Meeting
from boligsocial.models import Area

from .conftest import TODAY, make_case, make_household

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("advice:drop_in_list")


def make_drop_in(name, *, weekday=DropIn.Weekday.MONDAY, area="rising", **fields):
    values = {
        "address": "Rising Allé 1",
        "starts_at": datetime.time(15, 0),
        "ends_at": datetime.time(17, 0),
        **fields,
    }
    return DropIn.objects.create(
        name=name, area=Area.objects.get(slug=area), weekday=weekday, **values
    )


@pytest.fixture
def drop_in(db) -> DropIn:
    """Monday (today) 15–17 in Rising Beboerhus."""
    return make_drop_in("Rising Beboerhus")


def visit_url(drop_in) -> str:
    return reverse("advice:drop_in_visit", args=[drop_in.pk])


def visit_data(drop_in, for_case, **extra) -> dict:
    prefix = f"visit-{drop_in.pk}"
    data = {"case": for_case.pk, "duration_minutes": "20", "note": "Kom med rykker"}
    data.update(extra)
    return {f"{prefix}-{name}": value for name, value in data.items()}


# --- The list -------------------------------------------------------------------------


def test_the_list_groups_the_drop_ins_by_weekday_and_marks_today(
    client, advisor, case, drop_in
):
    make_drop_in(
        "Vollsmose Kulturhus",
        weekday=DropIn.Weekday.WEDNESDAY,
        area="vollsmose",
        address="Vollsmose Torv 8",
    )
    make_drop_in("Lukket café", weekday=DropIn.Weekday.TUESDAY, is_active=False)
    client.force_login(advisor)
    response = client.get(LIST)
    assert response.status_code == 200
    days = response.context["days"]
    assert [(day["name"], day["is_today"]) for day in days] == [
        ("mandag", True),
        ("onsdag", False),
    ]
    html = response.content.decode()
    assert html.count('data-testid="today"') == 1
    assert "Vollsmose Kulturhus" in html and "Vollsmose Torv 8" in html
    assert "15.00–17.00 · Rising" in html
    assert "Lukket café" not in html
    assert html.count('value="2026-05-04"') == 2  # each visit is held today
    assert reverse("advice:case_create") in html


def test_the_visit_form_offers_only_my_open_cases_by_number_and_name(
    client, advisor, other_advisor, case, drop_in, departments
):
    theirs = make_case(
        make_household(departments[2], name="Hans Jensen"), advisors=[other_advisor]
    )
    closed = make_case(
        make_household(departments[1], name="Lone Berg"),
        advisors=[advisor],
        status="closed",
        closed_on=TODAY,
    )
    client.force_login(advisor)
    html = client.get(LIST).content.decode()
    assert f"{case.number} · Fatima Hansen" in html
    assert "Hans Jensen" not in html and theirs.number not in html
    assert "Lone Berg" not in html and closed.number not in html
    assert not CaseAccess.objects.exists()


def test_an_advisor_without_open_cases_is_told_so(client, other_advisor, drop_in):
    client.force_login(other_advisor)
    html = client.get(LIST).content.decode()
    assert 'data-testid="no-cases"' in html
    assert f'data-testid="visit-form-{drop_in.pk}"' not in html


def test_the_list_costs_the_same_queries_for_few_and_many(
    client, advisor, case, drop_in, departments, django_assert_num_queries
):
    client.force_login(advisor)
    with django_assert_num_queries(8):
        client.get(LIST)
    for n in range(10):
        make_drop_in(f"Sted {n}", weekday=n % 7)
        household = make_household(departments[n % 3], name=f"Beboer {n}")
        make_case(household, advisors=[advisor])
    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert response.content.decode().count('data-testid="drop-in"') == 11


# --- A visit --------------------------------------------------------------------------


def test_a_visit_becomes_a_meeting_at_the_drop_in_today_and_is_logged(
    client, advisor, case, drop_in
):
    client.force_login(advisor)
    response = client.post(visit_url(drop_in), visit_data(drop_in, case))
    assert response.status_code == 302
    assert response["Location"] == LIST
    meeting = Meeting.objects.get()
    assert (meeting.case, meeting.place, meeting.drop_in) == (case, "drop_in", drop_in)
    assert (meeting.held_on, meeting.held_by) == (TODAY, advisor)
    assert (meeting.duration_minutes, meeting.note) == (20, "Kom med rykker")
    assert list(CaseAccess.objects.values_list("case", "action")) == [
        (case.pk, CaseAccess.Action.MEETING)
    ]
    html = client.get(LIST).content.decode()
    assert f"Besøget i Rising Beboerhus er registreret på sag {case.number}" in html


def test_a_visit_may_be_logged_at_a_drop_in_of_another_weekday(client, advisor, case):
    wednesday = make_drop_in("Vollsmose Kulturhus", weekday=DropIn.Weekday.WEDNESDAY)
    client.force_login(advisor)
    client.post(visit_url(wednesday), visit_data(wednesday, case, note=""))
    meeting = Meeting.objects.get()
    assert (meeting.drop_in, meeting.held_on, meeting.note) == (wednesday, TODAY, "")


def test_a_posted_date_is_ignored_a_visit_is_held_today(client, advisor, case, drop_in):
    client.force_login(advisor)
    client.post(visit_url(drop_in), visit_data(drop_in, case, held_on="2026-04-01"))
    assert Meeting.objects.get().held_on == TODAY


def test_a_case_that_is_not_mine_is_refused_by_the_field(
    client, advisor, other_advisor, drop_in, departments
):
    theirs = make_case(
        make_household(departments[2], name="Hans Jensen"), advisors=[other_advisor]
    )
    make_case(make_household(departments[0], name="Mit Navn"), advisors=[advisor])
    client.force_login(advisor)
    response = client.post(visit_url(drop_in), visit_data(drop_in, theirs))
    assert response.status_code == 400
    form = next(
        row["form"]
        for day in response.context["days"]
        for row in day["rows"]
        if row["drop_in"] == drop_in
    )
    assert form.errors["case"] == ["Vælg en af dine egne åbne sager."]
    html = response.content.decode()
    assert "Vælg en af dine egne åbne sager." in html
    assert "Kom med rykker" in html
    assert "Hans Jensen" not in html
    assert not Meeting.objects.exists()
    assert not CaseAccess.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration_minutes", "0"), ("duration_minutes", "1000"), ("case", "")],
)
def test_a_visit_with_bad_input_is_refused_with_input_kept(
    client, advisor, case, drop_in, field, value
):
    client.force_login(advisor)
    response = client.post(
        visit_url(drop_in), visit_data(drop_in, case, **{field: value})
    )
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode()
    assert "Kom med rykker" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_visit_note_with_a_cpr_number_is_warned_then_stored_when_confirmed(
    client, advisor, case, drop_in
):
    note = "Cpr 010203-1234 på brevet"
    client.force_login(advisor)
    response = client.post(visit_url(drop_in), visit_data(drop_in, case, note=note))
    assert response.status_code == 400
    assert "CPR-nummer" in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(
        visit_url(drop_in), visit_data(drop_in, case, note=note, confirm_cpr="on")
    )
    assert response.status_code == 302
    assert Meeting.objects.get().note == note


def test_a_visit_cannot_be_logged_before_the_case_opened(
    client, advisor, case, drop_in
):
    case.opened_on = TODAY + datetime.timedelta(days=1)
    case.save(update_fields=["opened_on"])
    client.force_login(advisor)
    response = client.post(visit_url(drop_in), visit_data(drop_in, case))
    assert response.status_code == 400
    assert "før sagen blev åbnet" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_drop_in_no_longer_held_takes_no_visit(client, advisor, case, drop_in):
    drop_in.is_active = False
    drop_in.save(update_fields=["is_active"])
    client.force_login(advisor)
    response = client.post(visit_url(drop_in), visit_data(drop_in, case))
    assert response.status_code == 404
    assert not Meeting.objects.exists()


# --- Who may --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["staff", "safety_advisor", "coordinator", "partner", "admin"]
)
def test_only_the_advice_team_reaches_the_drop_in_hours(
    client, personas, case, drop_in, role
):
    client.force_login(personas[role])
    assert client.get(LIST).status_code == 403
    response = client.post(visit_url(drop_in), visit_data(drop_in, case))
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, case, drop_in):
    for response in (
        client.get(LIST),
        client.post(visit_url(drop_in), visit_data(drop_in, case)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Meeting.objects.exists()


def test_the_list_is_read_and_a_visit_posted(client, advisor, case, drop_in):
    client.force_login(advisor)
    assert client.post(LIST).status_code == 405
    assert client.get(visit_url(drop_in)).status_code == 405
