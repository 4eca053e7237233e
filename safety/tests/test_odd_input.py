"""Input the form fuzzing (tests/test_fuzz_forms.py) found to give a server error,
and stored text the XSS sweep (tests/test_xss.py) found shown unescaped.

Each now gets an answer: "²" is a digit to str.isdigit() that int() cannot read,
and redirect() reads a bare word as the name of a URL."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area
from safety.conftest import make_meeting, make_task
from safety.models import ConsentText, Finding, FindingCategory, Incident, Walk

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.mark.parametrize("back", ["0", "tasks", "safety:task_list"])
def test_marking_a_task_done_with_a_bare_word_to_go_back_to_shows_the_task(
    client, safety_advisor, police, back
):
    task = make_task(make_meeting(organisations=[police]), police)
    client.force_login(safety_advisor)
    response = client.post(reverse("safety:task_done", args=[task.pk]), {"next": back})
    assert response.status_code == 302
    assert response["Location"] == task.get_absolute_url()
    task.refresh_from_db()
    assert task.is_done


def test_a_task_done_goes_back_to_the_list_it_was_marked_on(
    client, safety_advisor, police
):
    task = make_task(make_meeting(organisations=[police]), police)
    client.force_login(safety_advisor)
    back = reverse("safety:task_list") + "?page=1"
    response = client.post(reverse("safety:task_done", args=[task.pk]), {"next": back})
    assert response["Location"] == back


@pytest.mark.parametrize("version", ["²", "9" * 5000])
def test_confirming_a_fix_from_a_version_that_is_no_number_changes_nothing(
    client, staff, police, version
):
    rising = Area.objects.get(slug="rising")
    walk = Walk.objects.create(area=rising, starts_at=timezone.now(), status="held")
    fixed = Finding.objects.create(
        walk=walk,
        area=rising,
        category=FindingCategory.objects.order_by("pk").first(),
        description="Knust lygte",
        place="Stien",
        responsible=police,
        status=Finding.Status.FIXED,
        fixed_at=timezone.now(),
        recheck_on=timezone.localdate(),
    )
    client.force_login(staff)
    url = reverse("safety:finding_confirm_fix", args=[fixed.pk])
    response = client.post(url, {"version": version, "walk": version})
    assert response["Location"] == fixed.get_absolute_url()
    fixed.refresh_from_db()
    assert fixed.recheck_on == timezone.localdate()


@pytest.mark.parametrize("year", ["²", "9" * 5000])
def test_the_nabohjaelp_figures_for_a_year_that_is_no_number_show_this_year(
    client, staff, year
):
    client.force_login(staff)
    response = client.get(reverse("safety:nabohjaelp"), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == datetime.date(2026, 5, 4).year


def test_the_consent_wording_is_shown_as_text_on_the_staff_sign_up_form(client, staff):
    """A help text is shown as HTML; the wording is typed in the admin."""
    ConsentText.objects.update(text='"><img src=x onerror=alert(1)>')
    client.force_login(staff)
    html = client.get(reverse("safety:signup_create")).content.decode()
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_incident_in_year_one_is_refused_next_to_the_field(
    client, safety_advisor, rising
):
    """A moment in year 1 lies before what the database's clock can hold."""
    client.force_login(safety_advisor)
    data = {
        "title": "Brand i kælder",
        "kind": Incident.Kind.FIRE,
        "area": rising.pk,
        "place": "Opgang 12",
        "occurred_at": "0001-01-01T00:00",
        "severity": Incident.Severity.SERIOUS,
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Røg i kælderen.",
    }
    response = client.post(reverse("safety:incident_create"), data)
    assert response.status_code == 200
    assert "occurred_at" in response.context["form"].errors
    assert 'value="Brand i kælder"' in response.content.decode()
    assert not Incident.objects.exists()


def test_a_walk_in_year_one_is_refused_next_to_the_field(client, staff, rising):
    client.force_login(staff)
    data = {"area": rising.pk, "starts_at": "0001-01-01T00:00", "status": "planned"}
    response = client.post(reverse("safety:walk_create"), data)
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    assert not Walk.objects.exists()


def test_beredskab_figures_for_a_period_at_the_end_of_the_calendar_say_why_not(
    client, safety_advisor
):
    client.force_login(safety_advisor)
    query = {"start": "2026-01-01", "end": "9999-12-31"}
    response = client.get(reverse("safety:beredskab_figures"), query)
    assert response.status_code == 200
    assert "Datoen skal ligge mellem" in str(response.context["form"].errors["end"])
