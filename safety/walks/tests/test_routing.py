"""Routing that reaches: what is routed to an organisation reaches every one of
its partners wherever it is, the person routing is warned when nobody could open
it, and a partner's change of status is deliberate."""

import datetime
import json

import pytest
from django.urls import reverse

from boligsocial.editing import stale_message
from boligsocial.models import Organisation, Role, User
from conftest import make_user
from safety.conftest import make_incident, make_meeting, make_task
from safety.models import Finding, FindingCategory, RoutingRule, Walk

from .test_walks import NOW, finding_data, make_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def korslokke_walk(staff) -> Walk:
    """A walk in Korsløkkeparken: not one of the police partner's areas."""
    return Walk.objects.create(
        area=_area("korslokkeparken"),
        starts_at=NOW - datetime.timedelta(hours=2),
        status=Walk.Status.HELD,
        created_by=staff,
    )


@pytest.fixture
def vandalism(db) -> FindingCategory:
    return FindingCategory.objects.get_or_create(name="Hærværk")[0]


def _area(slug):
    from boligsocial.models import Area

    return Area.objects.get(slug=slug)


def _organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


# --- Routing reaches -----------------------------------------------------------------


def test_a_finding_routed_to_an_organisation_reaches_its_partner_outside_its_areas(
    client, partner, korslokke_walk, vandalism
):
    police = _organisation("Fyns Politi")
    finding = make_finding(
        korslokke_walk, police, vandalism, status=Finding.Status.SENT
    )
    client.force_login(partner)  # granted Rising only
    worklist = client.get(reverse("safety:finding_worklist"))
    assert [f.pk for f in worklist.context["page"]] == [finding.pk]
    page = client.get(finding.get_absolute_url())
    assert page.status_code == 200
    # The walk is in an area the partner is not granted: no link to a 404.
    assert korslokke_walk.get_absolute_url() not in page.content.decode()
    assert client.get(korslokke_walk.get_absolute_url()).status_code == 404


def test_another_organisations_finding_is_not_found_by_a_partner(
    client, ssp_partner, korslokke_walk, vandalism
):
    finding = make_finding(
        korslokke_walk, _organisation("Fyns Politi"), vandalism, status="sent"
    )
    client.force_login(ssp_partner)
    assert client.get(finding.get_absolute_url()).status_code == 404
    worklist = client.get(reverse("safety:finding_worklist"))
    assert list(worklist.context["page"]) == []


def test_an_incident_and_a_task_reach_the_organisations_partner_outside_its_areas(
    client, partner
):
    police = _organisation("Fyns Politi")
    incident = make_incident(_area("vollsmose"), notify=[police])
    meeting = make_meeting(areas=[_area("vollsmose")])  # the police took no part
    task = make_task(meeting, police)
    client.force_login(partner)
    assert client.get(incident.get_absolute_url()).status_code == 200
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200 and task.description in page.content.decode()


# --- Warned before it is sent ---------------------------------------------------


def test_routing_to_an_organisation_with_nobody_active_warns_before_saving(
    client, staff, rising, vandalism, municipality
):
    gone = make_user("gone", Role.PARTNER, organisation=municipality.name)
    User.objects.filter(pk=gone.pk).update(is_active=False)  # left: not counted
    walk = Walk.objects.create(area=rising, starts_at=NOW, created_by=staff)
    client.force_login(staff)
    url = reverse("safety:finding_create", args=[walk.pk])
    data = finding_data(vandalism, responsible=municipality.pk, route_anyway="")
    response = client.post(url, data)
    assert response.status_code == 200 and not Finding.objects.exists()
    html = response.content.decode()
    assert f"{municipality.name} har ingen aktiv bruger i portalen" in html
    assert 'name="route_anyway"' in html and 'type="checkbox"' in html
    assert "Væltet skraldespand" in html  # what was typed is kept
    response = client.post(url, {**data, "route_anyway": "on"})
    assert response.status_code == 302
    assert Finding.objects.get().responsible == municipality


def test_an_organisation_with_an_active_partner_is_routed_to_without_a_warning(
    client, staff, partner, rising, vandalism
):
    walk = Walk.objects.create(area=rising, starts_at=NOW, created_by=staff)
    client.force_login(staff)
    data = finding_data(vandalism, responsible=partner.organisation_id, route_anyway="")
    response = client.post(reverse("safety:finding_create", args=[walk.pk]), data)
    assert response.status_code == 302, response.context["form"].errors


def test_the_finding_form_knows_who_normally_fixes_each_category_in_the_area(
    client, staff, rising, vandalism, municipality
):
    police = _organisation("Fyns Politi")
    lighting = FindingCategory.objects.get_or_create(name="Belysning")[0]
    RoutingRule.objects.create(category=vandalism, organisation=municipality)
    RoutingRule.objects.create(category=vandalism, area=rising, organisation=police)
    RoutingRule.objects.create(category=lighting, organisation=municipality)
    walk = Walk.objects.create(area=rising, starts_at=NOW, created_by=staff)
    client.force_login(staff)
    form = client.get(reverse("safety:finding_create", args=[walk.pk])).context["form"]
    routing = json.loads(form.fields["responsible"].widget.attrs["data-routing"])
    assert routing == {str(vandalism.pk): police.pk, str(lighting.pk): municipality.pk}


def test_telling_an_organisation_with_nobody_in_the_portal_of_an_incident_warns(
    client, staff, rising, contacts
):
    ssp = _organisation("SSP Odense")
    client.force_login(staff)
    incident = make_incident(rising, notify=[_organisation("Fyns Politi")])
    url = reverse("safety:incident_notify", args=[incident.pk])
    response = client.post(url, {"organisations": [ssp.pk]})
    assert "SSP Odense har ingen aktiv bruger" in response.content.decode()
    assert not incident.notifications.filter(organisation=ssp).exists()


def test_giving_a_task_to_an_organisation_with_nobody_in_the_portal_warns(
    client, safety_advisor
):
    ssp = _organisation("SSP Odense")
    meeting = make_meeting(organisations=[ssp])
    client.force_login(safety_advisor)
    data = {"description": "Ring til skolen", "owner": ssp.pk, "due_on": "2026-05-20"}
    response = client.post(reverse("safety:task_create", args=[meeting.pk]), data)
    assert "SSP Odense har ingen aktiv bruger" in response.content.decode()
    assert not meeting.tasks.exists()
    make_user("ssp", Role.PARTNER, organisation="SSP Odense")
    response = client.post(reverse("safety:task_create", args=[meeting.pk]), data)
    assert meeting.tasks.count() == 1


# --- A deliberate change of status --------------------------------------------------


@pytest.fixture
def routed(partner, rising, staff, vandalism) -> Finding:
    walk = Walk.objects.create(area=rising, starts_at=NOW, created_by=staff)
    return make_finding(walk, partner.organisation, vandalism, status="sent")


def test_a_partner_is_offered_as_duplicates_only_its_own_organisations_findings(
    client, partner, routed, vandalism
):
    ours = make_finding(routed.walk, partner.organisation, vandalism, place="Vores")
    make_finding(routed.walk, _organisation("SSP Odense"), vandalism, place="SSP's")
    client.force_login(partner)
    form = client.get(routed.get_absolute_url()).context["form"]
    assert list(form.fields["duplicate_of"].queryset) == [ours]
    assert "SSP's" not in client.get(routed.get_absolute_url()).content.decode()


def test_no_status_is_chosen_beforehand_and_each_final_status_has_its_own_fields(
    client, partner, routed
):
    client.force_login(partner)
    html = client.get(routed.get_absolute_url()).content.decode()
    assert 'name="to"' in html and "checked" not in html
    form = html[html.index('data-testid="status-form"') :]
    assert form.index("when-fixed") < form.index('name="recheck_on"')
    assert form.index("when-closed") < form.index('name="reason"')
    response = client.post(
        reverse("safety:finding_status", args=[routed.pk]), {"version": 1}
    )
    assert response.status_code == 400
    assert "Vælg den nye status." in response.content.decode()


def test_marking_a_finding_fixed_asks_once_to_confirm(client, partner, routed):
    client.force_login(partner)
    url = reverse("safety:finding_status", args=[routed.pk])
    typed = {"to": "fixed", "note": "Ny lampe sat op", "version": 1}
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="status-confirm"' in html and "»Udbedret«" in html
    routed.refresh_from_db()
    assert routed.status == "sent" and routed.events.count() == 0
    # Back: the form as it was filled in, nothing saved.
    back = client.post(url, {**typed, "revise": "1"})
    assert back.context["form"]["to"].value() == "fixed"
    assert "Ny lampe sat op" in back.content.decode()
    assert 'data-testid="status-confirm"' not in back.content.decode()
    response = client.post(url, {**typed, "confirmed": "on"})
    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.status == "fixed"
    assert [(e.to_status, e.note) for e in routed.events.all()] == [
        ("fixed", "Ny lampe sat op")
    ]


def test_a_confirmed_change_from_an_outdated_page_is_refused_and_keeps_the_text(
    client, partner, staff, routed
):
    routed.change_status(to="in_progress", by=staff, version=1)
    client.force_login(partner)
    response = client.post(
        reverse("safety:finding_status", args=[routed.pk]),
        {"to": "fixed", "note": "Min kommentar", "version": 1, "confirmed": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert stale_message() in html and "Min kommentar" in html
    routed.refresh_from_db()
    assert routed.status == "in_progress"


def test_a_closing_without_its_reason_is_refused_before_it_is_confirmed(
    client, partner, routed
):
    client.force_login(partner)
    response = client.post(
        reverse("safety:finding_status", args=[routed.pk]),
        {"to": "closed", "reason": "not_ours", "version": 1},
    )
    assert response.status_code == 400
    assert 'data-testid="status-confirm"' not in response.content.decode()
    assert "passed_to" in response.context["form"].errors


def test_the_menu_marks_the_front_page_current_only_on_itself(client, partner):
    client.force_login(partner)
    html = client.get(reverse("safety:finding_worklist")).content.decode()
    assert 'aria-current="page"' not in html  # the worklist has no entry yet
    assert 'href="/" aria-current="page"' in client.get("/").content.decode()
