"""A calendar partners share: a partner plans, changes and cancels its own
organisation's events in its areas, and the parallel mark works across
organisations."""

import datetime

import pytest
from django.urls import reverse

from activities.models import Activity, PlannedEvent
from activities.tests.test_calendar import (
    CALENDAR,
    CREATE,
    delete_url,
    edit_url,
    form_data,
    make_event,
    parallel_titles,
    titles,
)
from boligsocial.models import Area, Organisation, Role
from conftest import make_user

HOUSING = "Testboligselskabet"


@pytest.fixture
def drift(housing_org):
    """The housing organisation's operations manager, granted Rising."""
    return make_user("drift", Role.PARTNER, organisation=HOUSING, areas=["rising"])


def cancel_url(pk: int) -> str:
    return reverse("activities:event_cancel", args=[pk])


def partner_data(**changes) -> dict:
    """The plan form as a partner sends it: no organiser (the field is fixed)."""
    data = form_data(area="rising", **changes)
    del data["organiser"]
    return data


# --- Planning -------------------------------------------------------------------------


def test_a_partner_plans_an_event_for_its_own_organisation(client, drift):
    client.force_login(drift)
    response = client.post(CREATE, partner_data())
    event = PlannedEvent.objects.get()
    assert response.status_code == 302
    assert response.url == CALENDAR
    assert (event.organiser.name, event.area.slug, event.created_by) == (
        HOUSING,
        "rising",
        drift,
    )


def test_the_organiser_a_partner_sends_is_ignored_for_its_own(client, drift):
    client.force_login(drift)
    police = Organisation.objects.get(name="Fyns Politi")
    client.post(CREATE, partner_data(organiser=police.pk))
    assert PlannedEvent.objects.get().organiser.name == HOUSING


def test_a_partners_form_offers_only_its_areas_and_shows_its_organisation_fixed(
    client, drift
):
    client.force_login(drift)
    response = client.get(CREATE)
    form = response.context["form"]
    assert [area.slug for area in form.fields["area"].queryset] == ["rising"]
    assert form.fields["organiser"].disabled
    assert form["organiser"].value() == drift.organisation_id
    assert "Vollsmose" not in str(form["area"])


def test_a_partner_cannot_plan_in_an_area_it_is_not_granted(client, drift):
    client.force_login(drift)
    data = partner_data()
    data["area"] = Area.objects.get(slug="vollsmose").pk
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["area"]
    assert 'value="Lektiecafé"' in response.content.decode()
    assert not PlannedEvent.objects.exists()


def test_a_deactivated_partner_may_not_plan(client, drift):
    drift.is_active = False
    drift.save(update_fields=["is_active"])
    assert not PlannedEvent.may_be_planned_by(drift)


# --- Changing and cancelling ----------------------------------------------------------


def test_a_partner_changes_its_organisations_event_made_by_a_colleague(
    client, drift, housing_org, staff
):
    colleague = make_user(
        "drift2", Role.PARTNER, organisation=HOUSING, areas=["rising"]
    )
    event = make_event(colleague, organiser=HOUSING)
    client.force_login(drift)
    url = edit_url(event.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, partner_data(title="Flyttet", version=event.version))
    event.refresh_from_db()
    assert response.status_code == 302
    assert (event.title, event.organiser.name) == ("Flyttet", HOUSING)


def test_a_stale_edit_by_a_partner_keeps_its_input_and_saves_nothing(
    client, drift, staff
):
    event = make_event(drift, organiser=HOUSING)
    client.force_login(drift)
    stale = partner_data(title="Min ændring", version=event.version)
    PlannedEvent.objects.filter(pk=event.pk).update(version=event.version + 1)
    response = client.post(edit_url(event.pk), stale)
    event.refresh_from_db()
    assert response.status_code == 200
    assert event.title == "Fritidsjobcafé"
    assert 'value="Min ændring"' in response.content.decode()


def test_a_partner_may_not_change_or_cancel_another_organisations_event(
    client, drift, staff
):
    event = make_event(staff, organiser="BoligSocialt Hus")
    client.force_login(drift)
    assert client.get(edit_url(event.pk)).status_code == 403
    assert client.post(edit_url(event.pk), partner_data()).status_code == 403
    assert client.post(cancel_url(event.pk), {"version": 1}).status_code == 403
    event.refresh_from_db()
    assert (event.title, event.cancelled_at) == ("Fritidsjobcafé", None)


def test_a_partner_gets_not_found_for_its_organisations_event_outside_its_areas(
    client, drift
):
    event = make_event(drift, organiser=HOUSING, area="vollsmose")
    client.force_login(drift)
    assert client.get(edit_url(event.pk)).status_code == 404
    assert client.post(cancel_url(event.pk), {"version": 1}).status_code == 404


def test_a_partner_cancels_its_organisations_event_which_stays_struck_through(
    client, drift, staff
):
    event = make_event(drift, organiser=HOUSING)
    client.force_login(drift)
    response = client.post(cancel_url(event.pk), {"version": event.version})
    event.refresh_from_db()
    assert response.url == CALENDAR
    assert event.is_cancelled
    assert event.version == 2
    client.force_login(staff)
    calendar = client.get(CALENDAR)
    html = calendar.content.decode()
    assert titles(calendar) == ["Fritidsjobcafé"]
    assert "<del" in html and 'data-testid="cancelled"' in html
    assert edit_url(event.pk) not in html  # nothing to change on a cancelled event


def test_a_cancel_from_a_page_someone_changed_since_is_refused(client, drift):
    event = make_event(drift, organiser=HOUSING)
    client.force_login(drift)
    response = client.post(cancel_url(event.pk), {"version": event.version + 5})
    event.refresh_from_db()
    assert response.url == edit_url(event.pk)
    assert not event.is_cancelled


def test_a_cancelled_event_is_not_edited_any_more(client, drift):
    event = make_event(drift, organiser=HOUSING)
    event.cancel(version=event.version)
    client.force_login(drift)
    response = client.get(edit_url(event.pk))
    assert response.status_code == 302
    assert response.url == CALENDAR


def test_a_partner_cancels_but_does_not_delete(client, drift):
    event = make_event(drift, organiser=HOUSING)
    client.force_login(drift)
    html = client.get(edit_url(event.pk)).content.decode()
    assert 'data-testid="event-cancel"' in html
    assert 'data-testid="event-delete"' not in html
    assert client.post(delete_url(event.pk)).status_code == 403
    assert PlannedEvent.objects.filter(pk=event.pk).exists()


def test_staff_cancel_their_own_event_and_still_may_delete_it(client, staff):
    event = make_event(staff)
    client.force_login(staff)
    html = client.get(edit_url(event.pk)).content.decode()
    assert 'data-testid="event-delete"' in html
    client.post(cancel_url(event.pk), {"version": event.version})
    event.refresh_from_db()
    assert event.is_cancelled


def test_cancelling_answers_post_only_and_sends_the_anonymous_to_log_in(client, drift):
    event = make_event(drift, organiser=HOUSING)
    response = client.post(cancel_url(event.pk))
    assert response.url.startswith(reverse("login"))
    client.force_login(drift)
    assert client.get(cancel_url(event.pk)).status_code == 405


def test_a_partner_sees_every_organisations_events_in_its_areas_and_edits_its_own(
    client, drift, staff
):
    ours = make_event(drift, title="Beboermøde", organiser=HOUSING)
    theirs = make_event(staff, title="Jobcafé", organiser="BoligSocialt Hus")
    make_event(staff, title="I Vollsmose", area="vollsmose")
    client.force_login(drift)
    response = client.get(CALENDAR)
    html = response.content.decode()
    assert sorted(titles(response)) == ["Beboermøde", "Jobcafé"]
    assert f'href="{edit_url(ours.pk)}"' in html
    assert f'href="{edit_url(theirs.pk)}"' not in html


def test_the_calendar_shows_a_partner_nobody_who_made_an_event(client, drift):
    author = make_user(
        "kanariefugl", Role.STAFF, organisation="BoligSocialt Hus", areas=["rising"]
    )
    make_event(author, title="Jobcafé")
    client.force_login(drift)
    html = client.get(CALENDAR).content.decode()
    assert "Jobcafé" in html
    assert "anariefugl" not in html


# --- The parallel mark across organisations -------------------------------------------


def test_a_partners_event_and_a_boligsocialt_hus_event_the_same_day_are_both_marked(
    client, personas, drift
):
    make_event(drift, title="Beboermøde", organiser=HOUSING)
    make_event(personas[Role.STAFF], title="Jobcafé", organiser="BoligSocialt Hus")
    for viewer in [drift, *personas.values()]:
        client.force_login(viewer)
        response = client.get(CALENDAR)
        # Every inside role, Fyns Politi's partner of Rising and the housing one.
        assert sorted(parallel_titles(response)) == ["Beboermøde", "Jobcafé"], viewer


def test_a_cancelled_event_neither_carries_nor_gives_the_parallel_mark(
    client, drift, staff
):
    ours = make_event(drift, title="Beboermøde", organiser=HOUSING)
    make_event(staff, title="Jobcafé", organiser="BoligSocialt Hus")
    ours.cancel(version=ours.version)
    client.force_login(staff)
    response = client.get(CALENDAR)
    assert parallel_titles(response) == []


def test_the_activity_page_marks_the_parallel_events_too(client, drift, staff):
    make_event(drift, title="Beboermøde", organiser=HOUSING)
    make_event(staff, title="Jobcafé", organiser="BoligSocialt Hus")
    activity = Activity.objects.get(name="Fritidsjobrådgivning")
    client.force_login(drift)
    response = client.get(reverse("activities:activity_detail", args=[activity.pk]))
    html = response.content.decode()
    assert html.count('data-testid="parallel"') == 2


def test_the_calendar_costs_the_same_queries_with_cancelled_and_partner_events(
    client, drift, staff, django_assert_num_queries
):
    for n in range(12):
        event = make_event(
            (drift, staff)[n % 2],
            title=f"Nr. {n}",
            day=datetime.date(2026, 5, 4) + datetime.timedelta(days=n % 4),
            organiser=(HOUSING, "BoligSocialt Hus")[n % 2],
        )
        if n % 3 == 0:
            event.cancel(version=event.version)
    client.force_login(drift)
    # Session and user, the events with their parallel flag, the area and
    # activity choices, the session's renewal (3).
    with django_assert_num_queries(8):
        response = client.get(CALENDAR)
    assert len(response.context["events"]) == 12
