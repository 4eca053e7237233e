"""Targets against reached on the activity and focus area pages; target setting."""

from datetime import timedelta

import pytest
from django.urls import reverse

from activities.models import PlannedEvent, Target
from boligsocial.models import Area, Role
from boligsocial.periods import year_elapsed

from .conftest import TODAY, make_record, set_target


def progress_of(response) -> dict:
    return {row.name: (row.target, row.reached) for row in response.context["rows"]}


def test_the_activity_page_shows_target_against_what_the_records_reached(
    client, staff, jobs, got_job
):
    set_target(got_job, 2026, 40)
    make_record(jobs, staff, values={got_job: 3})
    make_record(jobs, staff, values={got_job: 4})
    make_record(jobs, staff, date=TODAY.replace(year=2025), values={got_job: 50})
    client.force_login(staff)
    response = client.get(jobs.get_absolute_url())
    assert progress_of(response)["Unge der har fået et fritidsjob"] == (40, 7)
    assert response.context["figures"].records == 2
    assert "<svg" in response.context["chart"]
    last_year = client.get(jobs.get_absolute_url(), {"year": "2025"})
    assert progress_of(last_year)["Unge der har fået et fritidsjob"] == (None, 50)


def test_how_far_through_the_year_we_are():
    import datetime

    assert year_elapsed(2026, datetime.date(2026, 1, 1)) == 0
    assert 0.33 < year_elapsed(2026, TODAY) < 0.34
    assert year_elapsed(2025, TODAY) == 1
    assert year_elapsed(2027, TODAY) == 0


def test_a_year_outside_the_plan_falls_back_to_this_year(client, staff, jobs):
    client.force_login(staff)
    for year in ["1999", "abc", "-1"]:
        response = client.get(jobs.get_absolute_url(), {"year": year})
        assert response.context["year"] == 2026


def test_the_activity_page_keeps_its_query_count_as_records_grow(
    client, partner, staff, jobs, got_job, django_assert_num_queries
):
    for n in range(40):
        make_record(jobs, staff, values={got_job: 1}, note=f"Note {n}")
    for n in range(12):
        PlannedEvent.objects.create(
            activity=jobs,
            title=f"Jobcafé {n}",
            date=TODAY + timedelta(days=n),
            place="Fælleshuset",
            area=Area.objects.get(slug="rising"),
            organiser=staff.organisation,
            created_by=staff,
        )
    client.force_login(partner)
    # The page's own 10, and the figures' 8: the areas, then activity_figures' 7,
    # the function the dashboard and the reports use too.
    with django_assert_num_queries(18):
        response = client.get(jobs.get_absolute_url())
    html = response.content.decode()
    assert "Note 1" not in html  # partners see aggregates, never a record's note
    assert "Registrér" not in html
    assert len(response.context["events"]) == 10
    assert "Jobcafé 0" in html


def test_the_focus_area_page_rolls_its_activities_up(
    client, partner, staff, jobs, got_job, django_assert_num_queries
):
    network = jobs.focus_area.activities.get(name="Kriminalitetsforebyggelse i netværk")
    meetings = network.indicators.get(name="Netværksmøder")
    for _ in range(20):
        make_record(jobs, staff, participants=2, values={got_job: 1})
        make_record(network, staff, participants=3, values={meetings: 1})
    set_target(meetings, 2026, 12)
    client.force_login(partner)
    url = reverse("activities:focus_area_detail", args=[jobs.focus_area.pk])
    with django_assert_num_queries(15):  # 8 of them the figures', as above
        response = client.get(url)
    assert response.context["totals"].records == 40
    assert response.context["totals"].participants == 100
    rollup = {a.name: rows for a, figures, rows in response.context["rows"]}
    assert [(r.target, r.reached) for r in rollup[network.name]][0] == (12, 20)


def test_a_coordinator_sets_an_activitys_yearly_targets(
    client, coordinator, jobs, got_job
):
    client.force_login(coordinator)
    url = reverse("activities:targets_edit", args=[jobs.pk])
    form = client.get(url).context["form"]
    key = form.key(got_job, 2027)
    set_target(got_job, 2025, 10)
    response = client.post(url, {key: "45", "version": jobs.targets_version})
    assert response.status_code == 302
    assert Target.objects.get(indicator=got_job, year=2027).value == 45
    # A field left blank means no target for that year.
    assert not Target.objects.filter(indicator=got_job, year=2025).exists()


def test_a_negative_target_is_refused_at_its_field_and_nothing_is_saved(
    client, coordinator, jobs, got_job
):
    client.force_login(coordinator)
    url = reverse("activities:targets_edit", args=[jobs.pk])
    form = client.get(url).context["form"]
    good, bad = form.key(got_job, 2026), form.key(got_job, 2027)
    response = client.post(url, {good: "30", bad: "-5"})
    assert response.status_code == 200
    assert bad in response.context["form"].errors
    assert 'value="30"' in response.content.decode()
    assert not Target.objects.filter(indicator=got_job).exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADVISOR, Role.PARTNER])
def test_only_coordinators_set_targets(client, personas, role, jobs):
    client.force_login(personas[role])
    url = reverse("activities:targets_edit", args=[jobs.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_the_target_page_answers_get_and_post_only(client, coordinator, jobs):
    client.force_login(coordinator)
    url = reverse("activities:targets_edit", args=[jobs.pk])
    assert client.delete(url).status_code == 405


def test_an_anonymous_visitor_is_sent_to_login_from_the_progress_pages(client, jobs):
    for url in [
        jobs.get_absolute_url(),
        reverse("activities:focus_area_detail", args=[jobs.focus_area.pk]),
        reverse("activities:targets_edit", args=[jobs.pk]),
    ]:
        assert client.get(url).url.startswith(reverse("login"))
