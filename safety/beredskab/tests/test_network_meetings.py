"""The crime-prevention network's meetings: kept by the tryghedsrådgivere and
coordinators, read by staff and by the partners whose organisation took part."""

import datetime

import pytest
from django.urls import reverse

from boligsocial.models import Area
from safety.conftest import TODAY, make_meeting, make_task
from safety.models import NetworkMeeting

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("safety:meeting_list")
CREATE = reverse("safety:meeting_create")
CPR_TEXT = "Drøftet familien med cpr 010203-4567"


def edit_url(meeting) -> str:
    return reverse("safety:meeting_edit", args=[meeting.pk])


@pytest.fixture
def meeting(police, municipality, rising) -> NetworkMeeting:
    """Fyns Politi and the municipality took part; SSP did not."""
    return make_meeting(organisations=[police, municipality], areas=[rising])


@pytest.fixture
def ssp_meeting(ssp) -> NetworkMeeting:
    return make_meeting(
        organisations=[ssp],
        held_on=TODAY - datetime.timedelta(days=30),
        agenda="SSP-samarbejdet",
    )


def meeting_data(organisations, areas=(), **extra) -> dict:
    data = {
        "held_on": "2026-04-28",
        "forum": NetworkMeeting.DEFAULT_FORUM,
        "areas": [area.pk for area in areas],
        "organisations": [organisation.pk for organisation in organisations],
        "participants": "Mette Betjent, områdebetjent\nKim Kommune, beredskabschef",
        "agenda": "1. Uro ved Rising Allé\n2. Sommerferien",
        "decisions": "Politiet øger patruljeringen.",
    }
    data.update(extra)
    return data


def form_errors(response) -> dict:
    return {
        name: list(errors) for name, errors in response.context["form"].errors.items()
    }


# --- Keeping the meetings ----------------------------------------------------------


@pytest.mark.parametrize("role", ["safety_advisor", "coordinator"])
def test_the_leads_record_a_meeting_with_who_took_part(
    client, personas, police, municipality, rising, role
):
    client.force_login(personas[role])
    response = client.get(CREATE)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["forum"].value() == "Kriminalitetsforebyggelse i netværk"
    assert form["held_on"].value() == TODAY
    response = client.post(CREATE, meeting_data([police, municipality], [rising]))
    meeting = NetworkMeeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.created_by == personas[role]
    assert set(meeting.organisations.all()) == {police, municipality}
    assert list(meeting.areas.all()) == [rising]
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Mødet er gemt." in html
    assert "<p>1. Uro ved Rising Allé<br>2. Sommerferien</p>" in html
    assert "Politiet øger patruljeringen." in html


def test_the_leads_correct_a_meeting(client, safety_advisor, meeting, ssp):
    client.force_login(safety_advisor)
    data = meeting_data([ssp], decisions="SSP tager over.", version=meeting.version)
    response = client.post(edit_url(meeting), data)
    assert response["Location"] == meeting.get_absolute_url()
    meeting.refresh_from_db()
    assert meeting.decisions == "SSP tager over."
    assert list(meeting.organisations.all()) == [ssp]
    assert not meeting.areas.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"organisations": []},
            "organisations",
            "Vælg de organisationer, der deltog i mødet.",
        ),
        ({"agenda": ""}, "agenda", "Skriv mødets dagsorden."),
        ({"held_on": ""}, "held_on", "Skriv mødets dato."),
        ({"held_on": "31-02-2026"}, "held_on", None),
    ],
)
def test_bad_input_on_a_meeting_is_refused_next_to_its_field_and_kept(
    client, coordinator, police, change, field, message
):
    client.force_login(coordinator)
    response = client.post(CREATE, {**meeting_data([police]), **change})
    assert response.status_code == 200
    errors = form_errors(response)
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert "Politiet øger patruljeringen." in response.content.decode()
    assert not NetworkMeeting.objects.exists()


@pytest.mark.parametrize("field", ["agenda", "decisions", "participants"])
def test_a_cpr_number_is_warned_of_and_stored_only_when_confirmed(
    client, safety_advisor, police, field
):
    client.force_login(safety_advisor)
    data = meeting_data([police], **{field: CPR_TEXT})
    response = client.post(CREATE, data)
    assert "CPR-nummer" in form_errors(response)[field][0]
    assert 'name="confirm_cpr"' in response.content.decode()
    assert not NetworkMeeting.objects.exists()
    client.post(CREATE, {**data, "confirm_cpr": "on"})
    assert getattr(NetworkMeeting.objects.get(), field) == CPR_TEXT


def test_staff_read_meetings_but_cannot_keep_them(client, staff, meeting, police):
    client.force_login(staff)
    assert client.get(LIST).status_code == 200
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert edit_url(meeting) not in html
    assert 'data-testid="task-form"' not in html
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, meeting_data([police])).status_code == 403
    assert client.get(edit_url(meeting)).status_code == 403
    assert client.post(edit_url(meeting), meeting_data([police])).status_code == 403
    assert NetworkMeeting.objects.count() == 1


# --- Reading them ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "coordinator"])
def test_the_incident_roles_see_every_meeting_newest_first(
    client, personas, meeting, ssp_meeting, role
):
    client.force_login(personas[role])
    response = client.get(LIST)
    assert list(response.context["page"]) == [meeting, ssp_meeting]
    html = response.content.decode()
    assert "Fyns Politi, Odense Kommune, Beskæftigelses- og Socialforvaltningen" in html
    assert "Rising" in html
    assert (CREATE in html) == (role != "staff")


def test_the_list_counts_each_meetings_open_tasks(
    client, staff, meeting, police, municipality
):
    make_task(meeting, police)
    make_task(meeting, municipality)
    make_task(meeting, police, done_on=TODAY)
    client.force_login(staff)
    html = client.get(LIST).content.decode()
    assert '<td class="text-end">2</td>' in html
    assert list(client.get(LIST).context["page"])[0].open_tasks == 2


def test_a_partner_sees_the_meetings_its_organisation_took_part_in(
    client, partner, meeting, ssp_meeting, police, municipality
):
    make_task(meeting, police)
    make_task(meeting, municipality)
    client.force_login(partner)
    response = client.get(LIST)
    assert list(response.context["page"]) == [meeting]
    # Its own organisation's filter on the meeting does not thin the count.
    assert response.context["page"][0].open_tasks == 2
    assert CREATE not in response.content.decode()
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(ssp_meeting.get_absolute_url()).status_code == 404
    assert client.get(edit_url(ssp_meeting)).status_code == 404


def test_a_partner_reads_a_meeting_but_cannot_change_it(
    client, partner, meeting, police
):
    client.force_login(partner)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Status på tryghed" in html
    assert edit_url(meeting) not in html
    assert 'data-testid="task-form"' not in html
    assert client.get(CREATE).status_code == 403
    assert client.get(edit_url(meeting)).status_code == 403
    assert client.post(edit_url(meeting), meeting_data([police])).status_code == 403


def test_a_partner_whose_organisation_was_not_there_cannot_tell_it_exists(
    client, ssp_partner, meeting
):
    client.force_login(ssp_partner)
    assert list(client.get(LIST).context["page"]) == []
    assert client.get(meeting.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_roles_outside_the_network_see_none_of_it(client, personas, meeting, role):
    client.force_login(personas[role])
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert client.get(edit_url(meeting)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, meeting):
    for url in (LIST, CREATE, meeting.get_absolute_url(), edit_url(meeting)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_pages_refuse_other_methods(client, coordinator, meeting):
    client.force_login(coordinator)
    assert client.post(LIST).status_code == 405
    assert client.post(meeting.get_absolute_url()).status_code == 405
    assert client.put(CREATE).status_code == 405
    assert client.delete(edit_url(meeting)).status_code == 405


def test_the_list_is_paginated(client, staff, police):
    for n in range(27):
        make_meeting(organisations=[police], held_on=TODAY - datetime.timedelta(n))
    client.force_login(staff)
    page = client.get(LIST).context["page"]
    assert len(page) == 25
    assert page[0].held_on == TODAY
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 2


# --- Query counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "queries"), [("staff", 10), ("coordinator", 10), ("partner", 9)]
)
@pytest.mark.parametrize("extra", [0, 20])
def test_the_list_costs_the_same_queries_for_few_and_many_meetings(
    client, personas, meeting, police, django_assert_num_queries, role, queries, extra
):
    vollsmose = Area.objects.get(slug="vollsmose")
    for n in range(extra):
        other = make_meeting(organisations=[police], areas=[vollsmose])
        make_task(other, police, description=f"Opgave {n}")
    client.force_login(personas[role])
    # session, user, 3 for the session's renewal, count, page, the page's
    # organisations and areas; a coordinator's second factor is one more.
    with django_assert_num_queries(queries):
        client.get(LIST)


@pytest.mark.parametrize(
    ("role", "queries"),
    [("staff", 10), ("partner", 9), ("safety_advisor", 11), ("coordinator", 11)],
)
@pytest.mark.parametrize("count", [1, 12])
def test_the_meeting_page_costs_the_same_queries_for_one_and_many_tasks(
    client,
    personas,
    meeting,
    police,
    municipality,
    django_assert_num_queries,
    role,
    queries,
    count,
):
    for n in range(count):
        make_task(
            meeting,
            police if n % 2 else municipality,
            description=f"Opgave {n}",
            done_on=TODAY if n % 3 == 0 else None,
        )
    client.force_login(personas[role])
    # session, user, 3 for the session's renewal, the meeting, its organisations,
    # its areas, the tasks (with owner and who marked them done); the leads' task
    # form's organisations; a coordinator's second factor.
    with django_assert_num_queries(queries):
        response = client.get(meeting.get_absolute_url())
    assert response.content.decode().count('data-testid="task"') == count
