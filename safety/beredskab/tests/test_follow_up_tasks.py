"""The network's follow-up tasks: added on the meeting's page by the leads, marked
done by the leads and by the owning organisation's partners, and followed across
meetings on one list."""

import datetime

import pytest
from django.urls import reverse

from safety.conftest import TODAY, make_meeting, make_task
from safety.models import FollowUpTask, NetworkMeeting

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("safety:task_list")
YESTERDAY = TODAY - datetime.timedelta(days=1)


def create_url(meeting) -> str:
    return reverse("safety:task_create", args=[meeting.pk])


def edit_url(task) -> str:
    return reverse("safety:task_edit", args=[task.pk])


def done_url(task) -> str:
    return reverse("safety:task_done", args=[task.pk])


def reopen_url(task) -> str:
    return reverse("safety:task_reopen", args=[task.pk])


@pytest.fixture
def meeting(police, municipality, rising) -> NetworkMeeting:
    """Fyns Politi and the municipality took part; SSP did not."""
    return make_meeting(organisations=[police, municipality], areas=[rising])


@pytest.fixture
def police_task(meeting, police) -> FollowUpTask:
    return make_task(meeting, police, description="Øget patruljering i Rising")


@pytest.fixture
def municipality_task(meeting, municipality) -> FollowUpTask:
    return make_task(
        meeting,
        municipality,
        description="Lys på stien",
        due_on=YESTERDAY,
        owner_name="Kim Kommune",
    )


def task_data(owner, **extra) -> dict:
    data = {
        "description": "Indkald til dialogmøde med forældrene",
        "owner": owner.pk if owner else "",
        "owner_name": "Sara SSP",
        "due_on": "2026-05-20",
        "route_anyway": "on",  # the warning has its own tests (test_routing.py)
    }
    data.update(extra)
    return data


def form_errors(response, name="form") -> dict:
    return {
        field: list(errors) for field, errors in response.context[name].errors.items()
    }


# --- Adding and correcting tasks ---------------------------------------------------


@pytest.mark.parametrize("role", ["safety_advisor", "coordinator"])
def test_the_leads_add_a_task_on_the_meeting_page(client, personas, meeting, ssp, role):
    client.force_login(personas[role])
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert f'action="{create_url(meeting)}#new-task"' in html
    response = client.post(create_url(meeting), task_data(ssp))
    task = FollowUpTask.objects.get()
    assert response["Location"] == f"{meeting.get_absolute_url()}#task-{task.pk}"
    assert (task.meeting, task.owner, task.owner_name) == (meeting, ssp, "Sara SSP")
    assert task.due_on == datetime.date(2026, 5, 20)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Opfølgningsopgaven er gemt." in html
    assert f'id="task-{task.pk}"' in html
    assert "Indkald til dialogmøde med forældrene" in html


def test_the_organisations_that_took_part_are_offered_first(
    client, safety_advisor, meeting
):
    client.force_login(safety_advisor)
    form = client.get(meeting.get_absolute_url()).context["task_form"]
    groups = form.fields["owner"].choices
    assert groups[0] == ("", "---------")
    assert groups[1][0] == "Deltog i mødet"
    assert [name for _, name in groups[1][1]] == [
        "Fyns Politi",
        "Odense Kommune, Beskæftigelses- og Socialforvaltningen",
    ]
    assert groups[2][0] == "Andre organisationer"
    assert "SSP Odense" in [name for _, name in groups[2][1]]


def test_a_task_without_an_owner_says_so_by_the_owner_on_the_meeting_page(
    client, safety_advisor, meeting
):
    client.force_login(safety_advisor)
    response = client.post(create_url(meeting), task_data(None))
    assert response.status_code == 200
    assert response.templates[0].name == "safety/meeting_detail.html"
    assert form_errors(response, "task_form") == {
        "owner": ["Vælg den organisation, der har ansvaret."]
    }
    html = response.content.decode()
    assert "Vælg den organisation, der har ansvaret." in html
    assert "Indkald til dialogmøde med forældrene" in html
    assert 'value="Sara SSP"' in html
    assert 'value="2026-05-20"' in html
    assert not FollowUpTask.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due_on": ""}, "due_on", "Sæt en frist for opgaven."),
        ({"description": ""}, "description", "Beskriv opgaven."),
        ({"owner": "999999"}, "owner", "Vælg den organisation, der har ansvaret."),
        ({"due_on": "2026-04-01"}, "due_on", "Fristen ligger før mødet."),
        ({"due_on": "2026-13-01"}, "due_on", None),
    ],
)
def test_bad_input_on_a_task_is_refused_next_to_its_field_and_kept(
    client, coordinator, meeting, ssp, change, field, message
):
    client.force_login(coordinator)
    response = client.post(create_url(meeting), {**task_data(ssp), **change})
    assert response.status_code == 200
    errors = form_errors(response, "task_form")
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert 'value="Sara SSP"' in response.content.decode()
    assert not FollowUpTask.objects.exists()


def test_a_cpr_number_in_a_task_is_warned_of(client, safety_advisor, meeting, ssp):
    client.force_login(safety_advisor)
    data = task_data(ssp, description="Ring til 010203-4567s mor")
    response = client.post(create_url(meeting), data)
    assert "CPR-nummer" in form_errors(response, "task_form")["description"][0]
    assert not FollowUpTask.objects.exists()
    client.post(create_url(meeting), {**data, "confirm_cpr": "on"})
    assert FollowUpTask.objects.get().description == "Ring til 010203-4567s mor"


def test_the_new_task_form_has_a_page_of_its_own(client, safety_advisor, meeting):
    client.force_login(safety_advisor)
    response = client.get(create_url(meeting))
    assert response.status_code == 200
    assert response.templates[0].name == "safety/task_form.html"


def test_the_leads_correct_a_task(client, safety_advisor, police_task, ssp):
    client.force_login(safety_advisor)
    assert client.get(edit_url(police_task)).status_code == 200
    data = task_data(ssp, description="SSP tager den", version=police_task.version)
    response = client.post(edit_url(police_task), data)
    assert response["Location"] == police_task.get_absolute_url()
    police_task.refresh_from_db()
    assert (police_task.owner, police_task.description) == (ssp, "SSP tager den")


def test_a_correction_without_an_owner_is_refused_and_kept(
    client, coordinator, police_task, police
):
    client.force_login(coordinator)
    response = client.post(edit_url(police_task), task_data(None))
    assert form_errors(response) == {
        "owner": ["Vælg den organisation, der har ansvaret."]
    }
    police_task.refresh_from_db()
    assert police_task.owner == police


@pytest.mark.parametrize("role", ["staff", "partner"])
def test_readers_cannot_add_or_correct_tasks(
    client, personas, meeting, police_task, police, role
):
    client.force_login(personas[role])
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert edit_url(police_task) not in html
    assert client.get(create_url(meeting)).status_code == 403
    assert client.post(create_url(meeting), task_data(police)).status_code == 403
    assert client.get(edit_url(police_task)).status_code == 403
    assert client.post(edit_url(police_task), task_data(police)).status_code == 403
    assert FollowUpTask.objects.count() == 1


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_roles_outside_the_network_cannot_tell_a_task_exists(
    client, personas, meeting, police_task, role
):
    client.force_login(personas[role])
    assert client.get(create_url(meeting)).status_code == 404
    assert client.get(edit_url(police_task)).status_code == 404
    assert client.post(done_url(police_task)).status_code == 404
    assert client.get(LIST).status_code == 403


def test_a_partner_whose_organisation_was_not_there_cannot_tell_a_task_exists(
    client, ssp_partner, police_task
):
    client.force_login(ssp_partner)
    assert client.get(edit_url(police_task)).status_code == 404
    assert client.post(done_url(police_task)).status_code == 404
    assert list(client.get(LIST).context["page"]) == []


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, meeting, police_task):
    for url in (LIST, create_url(meeting), edit_url(police_task)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(done_url(police_task))
    assert response["Location"].startswith(reverse("login"))
    police_task.refresh_from_db()
    assert not police_task.is_done


def test_the_pages_refuse_other_methods(client, coordinator, meeting, police_task):
    client.force_login(coordinator)
    assert client.get(done_url(police_task)).status_code == 405
    assert client.get(reopen_url(police_task)).status_code == 405
    assert client.put(create_url(meeting)).status_code == 405
    assert client.delete(edit_url(police_task)).status_code == 405
    assert client.post(LIST).status_code == 405


# --- Done or not -------------------------------------------------------------------


def test_a_partner_marks_its_own_organisations_task_done_and_open_again(
    client, partner, police_task
):
    client.force_login(partner)
    html = client.get(police_task.meeting.get_absolute_url()).content.decode()
    assert f'action="{done_url(police_task)}"' in html
    response = client.post(done_url(police_task))
    assert response["Location"] == police_task.get_absolute_url()
    police_task.refresh_from_db()
    assert (police_task.done_on, police_task.done_by) == (TODAY, partner)
    html = client.get(police_task.meeting.get_absolute_url()).content.decode()
    assert f'action="{reopen_url(police_task)}"' in html
    client.post(reopen_url(police_task))
    police_task.refresh_from_db()
    assert police_task.done_on is None


def test_a_partner_cannot_mark_another_organisations_task(
    client, partner, municipality_task
):
    client.force_login(partner)
    html = client.get(municipality_task.meeting.get_absolute_url()).content.decode()
    assert done_url(municipality_task) not in html
    assert client.post(done_url(municipality_task)).status_code == 403
    assert client.post(reopen_url(municipality_task)).status_code == 403
    assert client.get(edit_url(municipality_task)).status_code == 403
    municipality_task.refresh_from_db()
    assert not municipality_task.is_done


@pytest.mark.parametrize("role", ["safety_advisor", "coordinator"])
def test_the_leads_mark_any_task(client, personas, municipality_task, role):
    client.force_login(personas[role])
    client.post(done_url(municipality_task))
    municipality_task.refresh_from_db()
    assert municipality_task.done_by == personas[role]


def test_staff_read_the_tasks_but_do_not_mark_them(client, staff, police_task):
    client.force_login(staff)
    html = client.get(police_task.meeting.get_absolute_url()).content.decode()
    assert done_url(police_task) not in html
    assert client.post(done_url(police_task)).status_code == 403


def test_marking_a_done_task_done_again_keeps_who_did_it_first(
    client, partner, coordinator, police_task
):
    police_task.mark_done(by=partner)
    client.force_login(coordinator)
    client.post(done_url(police_task))
    police_task.refresh_from_db()
    assert police_task.done_by == partner


def test_marking_from_the_list_returns_to_the_list(client, partner, police_task):
    client.force_login(partner)
    back = f"{LIST}?overdue=on"
    response = client.post(done_url(police_task), {"next": back})
    assert response["Location"] == back


def test_a_return_address_elsewhere_is_ignored(client, partner, police_task):
    client.force_login(partner)
    response = client.post(done_url(police_task), {"next": "https://evil.example/"})
    assert response["Location"] == police_task.get_absolute_url()


# --- The list across meetings ------------------------------------------------------


def test_the_list_shows_open_tasks_nearest_due_first_with_the_overdue_marked(
    client, staff, police_task, municipality_task, meeting, ssp
):
    done = make_task(meeting, ssp, description="Afsluttet", done_on=TODAY)
    client.force_login(staff)
    response = client.get(LIST)
    rows = response.context["rows"]
    assert [row.task for row in rows] == [municipality_task, police_task]
    assert [row.is_overdue for row in rows] == [True, False]
    html = response.content.decode()
    assert html.count('data-testid="overdue"') == 1
    assert 'class="table-danger"' in html
    assert f'href="{police_task.get_absolute_url()}"' in html
    assert f'href="{meeting.get_absolute_url()}"' in html
    assert done.description not in html


def test_the_list_filters_by_owner_overdue_and_done(
    client, coordinator, police_task, municipality_task, meeting, police, ssp
):
    done = make_task(meeting, police, description="Afsluttet", done_on=TODAY)
    client.force_login(coordinator)

    def tasks(**query):
        return [row.task for row in client.get(LIST, query).context["rows"]]

    assert tasks(owner=police.pk) == [police_task]
    assert tasks(overdue="on") == [municipality_task]
    assert tasks(include_done="on") == [municipality_task, police_task, done]
    assert tasks(owner=police.pk, include_done="on") == [police_task, done]
    assert tasks(owner=ssp.pk) == []


def test_a_bad_filter_value_shows_the_message_not_an_error(client, staff, police_task):
    client.force_login(staff)
    response = client.get(LIST, {"owner": "abc", "page": "x"})
    assert response.status_code == 200
    assert response.context["filter"].errors
    # The rest of the filter still holds: done tasks stay out.
    assert [row.task for row in response.context["rows"]] == [police_task]


def test_a_partner_sees_the_tasks_of_its_meetings_its_own_first(
    client, partner, police, ssp, municipality_task
):
    later = make_task(
        municipality_task.meeting,
        police,
        description="Egen opgave",
        due_on=TODAY + datetime.timedelta(days=60),
    )
    elsewhere = make_meeting(organisations=[ssp])
    make_task(elsewhere, ssp, description="SSP's egen")
    client.force_login(partner)
    rows = client.get(LIST).context["rows"]
    assert [row.task for row in rows] == [later, municipality_task]
    assert [row.can_mark for row in rows] == [True, False]


def test_with_htmx_the_filter_swaps_only_the_rows(client, staff, police_task):
    client.force_login(staff)
    response = client.get(LIST, {"overdue": "on"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="task-rows"' in html
    assert "HX-Request" in response["Vary"]


def test_the_list_is_paginated(client, staff, meeting, police):
    for n in range(27):
        make_task(meeting, police, due_on=TODAY + datetime.timedelta(days=n))
    client.force_login(staff)
    assert len(client.get(LIST).context["rows"]) == 25
    assert len(client.get(LIST, {"page": 2}).context["rows"]) == 2


@pytest.mark.parametrize(
    ("role", "queries"),
    [("staff", 9), ("safety_advisor", 9), ("coordinator", 9), ("partner", 8)],
)
@pytest.mark.parametrize("count", [1, 20])
def test_the_list_costs_the_same_queries_for_few_and_many_tasks(
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
        other = make_meeting(organisations=[police, municipality])
        make_task(other, police if n % 2 else municipality, due_on=YESTERDAY)
    client.force_login(personas[role])
    # session, user, 3 for the session's renewal, count, page (with meeting,
    # owner and who marked it done), the filter's organisations; a
    # coordinator's second factor is one more.
    with django_assert_num_queries(queries):
        response = client.get(LIST)
    assert len(response.context["rows"]) == count
