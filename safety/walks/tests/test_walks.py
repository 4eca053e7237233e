"""Walks, their findings, the findings' lifecycle, the worklist and the e-mails."""

import datetime
import json
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from boligsocial.editing import StaleEdit, stale_message
from boligsocial.models import Organisation, Role, User
from safety.conftest import TODAY
from safety.models import Finding, FindingCategory, RoutingRule, Walk
from safety.walks import notifications

pytestmark = pytest.mark.usefixtures("frozen_today")

NOW = timezone.make_aware(datetime.datetime(2026, 5, 4, 10, 0))


@pytest.fixture
def police(db) -> Organisation:
    return Organisation.objects.get(name="Fyns Politi")


@pytest.fixture
def municipality(db) -> Organisation:
    return Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).first()


@pytest.fixture
def vandalism(db) -> FindingCategory:
    return FindingCategory.objects.get(name="Hærværk")


@pytest.fixture
def lighting(db) -> FindingCategory:
    return FindingCategory.objects.get(name="Belysning")


@pytest.fixture
def walk(rising, staff) -> Walk:
    return Walk.objects.create(
        area=rising,
        starts_at=NOW - datetime.timedelta(hours=2),
        status=Walk.Status.HELD,
        residents=4,
        created_by=staff,
    )


@pytest.fixture
def partner_with_mail(partner) -> User:
    partner.email = "drift@politi.example"
    partner.save(update_fields=["email"])
    return partner


def make_finding(walk, responsible, category, **fields) -> Finding:
    values = {
        "walk": walk,
        "area": walk.area,
        "category": category,
        "description": "Knust lygte ved stien",
        "place": "Stien bag nr. 12",
        "responsible": responsible,
        "due_date": TODAY + datetime.timedelta(days=7),
        "found_at": NOW,
    }
    values.update(fields)
    return Finding.objects.create(**values)


def finding_data(kind, **extra) -> dict:
    data = {
        "category": kind.pk,
        "description": "Væltet skraldespand",
        "place": "Ved legepladsen",
        "latitude": "55.3912",
        "longitude": "10.4101",
        "severity": "medium",
        "responsible": "",
        "due_date": (TODAY + datetime.timedelta(days=14)).isoformat(),
        # Most organisations here have nobody in the portal; the warning about
        # that has its own tests (test_routing.py), which leave this out.
        "route_anyway": "on",
    }
    data.update(extra)
    return data


# --- Walks ---------------------------------------------------------------------------


def test_staff_plan_a_walk_and_it_appears_ahead_of_time(client, staff, rising, police):
    client.force_login(staff)
    response = client.post(
        reverse("safety:walk_create"),
        {
            "area": rising.pk,
            "starts_at": "2026-05-11T17:00",
            "status": "planned",
            "route": "Fra Rising Allé til skolen",
            "organisations": [police.pk],
            "residents": "0",
        },
    )
    walk = Walk.objects.get()
    assert response["Location"] == walk.get_absolute_url()
    assert list(walk.organisations.all()) == [police]
    html = client.get(reverse("safety:walk_list")).content.decode()
    assert "Fra Rising Allé til skolen" in html


def test_a_walk_in_the_future_cannot_be_held(client, staff, rising):
    client.force_login(staff)
    response = client.post(
        reverse("safety:walk_create"),
        {
            "area": rising.pk,
            "starts_at": "2026-06-01T17:00",
            "status": "held",
            "residents": "3",
            "route": "Ruten",
        },
    )
    assert "status" in response.context["form"].errors
    assert (
        'value="Ruten"' in response.content.decode()
        or "Ruten" in response.content.decode()
    )
    assert not Walk.objects.exists()


ROUTE = "55.4070, 10.4070\n55,4080 10,4090\n55.4090, 10.4110"


def held_walk(area, route_line: str) -> dict:
    """The walk form of a walk held this morning, with its route as typed."""
    return {
        "area": area.pk,
        "starts_at": "2026-05-04T08:00",
        "status": "held",
        "residents": "3",
        "route_line": route_line,
    }


def embedded(response, script_id: str):
    match = re.search(
        rf'<script id="{script_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    return json.loads(match.group(1)) if match else None


def test_the_route_drawn_on_the_walk_form_is_kept_and_drawn_on_its_page(
    client, staff, rising
):
    client.force_login(staff)
    form = client.get(reverse("safety:walk_create"))
    assert 'id="route-map"' in form.content.decode()
    # The base map: the areas' outlines (Rising's is the approximate default).
    areas = {area["name"]: area for area in embedded(form, "map-base")["areas"]}
    assert areas["Rising"]["approximate"]
    response = client.post(reverse("safety:walk_create"), held_walk(rising, ROUTE))
    walk = Walk.objects.get()
    assert response["Location"] == walk.get_absolute_url()
    assert walk.route_line == [[55.407, 10.407], [55.408, 10.409], [55.409, 10.411]]
    page = client.get(walk.get_absolute_url())
    assert 'data-testid="walk-map"' in page.content.decode()
    assert embedded(page, "walk-routes") == [
        {"line": walk.route_line, "label": str(walk)}
    ]
    edit = client.get(reverse("safety:walk_edit", args=[walk.pk])).content.decode()
    assert "55.408000, 10.409000" in edit


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("55.4070, 10.4070", "En rute skal have mindst to punkter."),
        ("55.4070, 10.4070\nved skolen", "Linje 2: skriv et punkt"),
        (
            "55.4070, 10.4070\n57.1, 10.4",
            "Linje 2: punktet 57.1, 10.4 ligger ikke i Odense.",
        ),
    ],
)
def test_a_route_with_a_mistake_is_refused_next_to_it_and_kept(
    client, staff, rising, typed, message
):
    client.force_login(staff)
    response = client.post(reverse("safety:walk_create"), held_walk(rising, typed))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["route_line"])
    assert typed.splitlines()[-1][-100:] in response.content.decode()
    assert not Walk.objects.exists()


def test_a_finding_form_and_a_walks_map_carry_only_the_walks_areas_outline(
    client, staff, walk, police, vandalism
):
    client.force_login(staff)
    form = client.get(reverse("safety:finding_create", args=[walk.pk]))
    assert [a["name"] for a in embedded(form, "map-base")["areas"]] == ["Rising"]
    assert 'data-area="Rising"' in form.content.decode()
    make_finding(walk, police, vandalism, latitude="55.4081", longitude="10.41")
    page = client.get(walk.get_absolute_url())
    assert [a["name"] for a in embedded(page, "map-base")["areas"]] == ["Rising"]


def test_a_walk_without_route_or_placed_findings_has_no_map(client, staff, walk):
    client.force_login(staff)
    response = client.get(walk.get_absolute_url())
    assert 'data-testid="walk-map"' not in response.content.decode()
    assert embedded(response, "map-base") is None


@pytest.mark.parametrize("count", [1, 12])
def test_a_walks_page_with_its_map_costs_the_same_queries_for_few_and_many(
    client, staff, walk, police, vandalism, django_assert_num_queries, count
):
    client.force_login(staff)
    for _n in range(count):
        make_finding(walk, police, vandalism, latitude="55.4081", longitude="10.41")
    walk.route_line = [[55.407, 10.407], [55.408, 10.409]]
    walk.save()
    # The session and the person (4, with the second factor and the renewal), the
    # walk, its organisations, its findings, the recheck list (staff keep
    # findings), the map's points, the base's areas and their departments: 13.
    with django_assert_num_queries(13):
        response = client.get(walk.get_absolute_url())
    assert len(embedded(response, "finding-points")) == count


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_roles_outside_the_walks_cannot_record_them(client, personas, role):
    client.force_login(personas[role])
    assert client.get(reverse("safety:walk_create")).status_code == 403


def test_a_partner_sees_walks_of_its_areas_but_cannot_change_them(
    client, partner, walk
):
    client.force_login(partner)
    assert client.get(walk.get_absolute_url()).status_code == 200
    assert client.get(reverse("safety:walk_edit", args=[walk.pk])).status_code == 403
    other = Walk.objects.create(
        area=walk.area.__class__.objects.get(slug="vollsmose"), starts_at=NOW
    )
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_walk_list_costs_the_same_queries_for_few_and_many(
    client, staff, walk, django_assert_num_queries
):
    client.force_login(staff)
    # Nine, and the filter's areas.
    with django_assert_num_queries(10):
        client.get(reverse("safety:walk_list"))
    for n in range(12):
        Walk.objects.create(area=walk.area, starts_at=NOW - datetime.timedelta(days=n))
    with django_assert_num_queries(10):
        client.get(reverse("safety:walk_list"))


# --- Recording findings ------------------------------------------------------------


def test_a_finding_is_routed_to_the_suggested_organisation_and_mailed(
    client,
    staff,
    walk,
    vandalism,
    police,
    partner_with_mail,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    RoutingRule.objects.create(category=vandalism, organisation=police)
    client.force_login(staff)
    url = reverse("safety:finding_create", args=[walk.pk])
    # Without the page's script the organisation is named first, not yet sent.
    response = client.post(url, finding_data(vandalism))
    assert response.status_code == 200 and not Finding.objects.exists()
    assert "sendes til Fyns Politi" in response.content.decode()
    assert response.context["form"]["responsible"].value() == police.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, finding_data(vandalism, responsible=police.pk))
    finding = Finding.objects.get()
    assert response["Location"] == walk.get_absolute_url()
    assert (finding.responsible, finding.status) == (police, Finding.Status.SENT)
    assert finding.area == walk.area
    assert [e.to_status for e in finding.events.all()] == ["sent"]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["drift@politi.example"]
    assert "Hærværk" in mail.subject and "Rising" in mail.subject
    assert finding.get_absolute_url() in mail.body


def test_with_the_broker_down_a_routed_finding_is_saved_and_the_page_answers_at_once(
    client,
    staff,
    walk,
    vandalism,
    police,
    broker_down,
    django_capture_on_commit_callbacks,
):
    RoutingRule.objects.create(category=vandalism, organisation=police)
    client.force_login(staff)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("safety:finding_create", args=[walk.pk]),
            finding_data(vandalism, responsible=police.pk),
        )
    assert time.monotonic() - started < 1.5
    assert response["Location"] == walk.get_absolute_url()
    assert Finding.objects.get().responsible == police


def test_an_areas_own_rule_wins_over_the_default(walk, vandalism, police, municipality):
    RoutingRule.objects.create(category=vandalism, organisation=municipality)
    RoutingRule.objects.create(category=vandalism, area=walk.area, organisation=police)
    assert RoutingRule.for_area(walk.area_id) == {str(vandalism.pk): police.pk}


def test_without_a_rule_the_recorder_chooses_who_is_responsible(
    client, staff, walk, lighting, municipality
):
    client.force_login(staff)
    url = reverse("safety:finding_create", args=[walk.pk])
    response = client.post(url, finding_data(lighting))
    assert "responsible" in response.context["form"].errors
    response = client.post(url, finding_data(lighting, responsible=municipality.pk))
    assert Finding.objects.get().responsible == municipality


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": "56.1629", "longitude": "10.2039"}, "latitude"),  # Aarhus
        ({"latitude": "55.39", "longitude": ""}, "latitude"),
        ({"due_date": "2026-05-01"}, "due_date"),
        ({"description": ""}, "description"),
        ({"category": "999"}, "category"),
    ],
)
def test_bad_input_on_a_finding_is_refused_by_its_field_and_kept(
    client, staff, walk, vandalism, police, change, field
):
    client.force_login(staff)
    data = finding_data(vandalism, responsible=police.pk, **change)
    response = client.post(reverse("safety:finding_create", args=[walk.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Ved legepladsen" in response.content.decode()
    assert not Finding.objects.exists()


def test_a_partner_cannot_record_findings(client, partner, walk):
    client.force_login(partner)
    url = reverse("safety:finding_create", args=[walk.pk])
    assert client.get(url).status_code == 403


# --- The lifecycle ------------------------------------------------------------------


def test_the_responsible_partner_moves_its_finding_to_fixed_with_comments(
    client, partner, walk, vandalism, police
):
    finding = make_finding(walk, police, vandalism, status=Finding.Status.SENT)
    client.force_login(partner)
    url = reverse("safety:finding_status", args=[finding.pk])
    client.post(url, {"to": "in_progress", "note": "Elektriker bestilt", "version": 1})
    client.post(
        url,
        {
            "to": "fixed",
            "note": "Ny lampe",
            "version": 2,
            "recheck_on": "2026-05-18",
            "confirmed": "on",
        },
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FIXED
    assert finding.fixed_at is not None
    assert finding.recheck_on == datetime.date(2026, 5, 18)
    history = [(e.to_status, e.note, e.by) for e in finding.events.all()]
    assert history == [
        ("in_progress", "Elektriker bestilt", partner),
        ("fixed", "Ny lampe", partner),
    ]


def test_a_step_the_lifecycle_does_not_have_is_refused(
    client, staff, walk, vandalism, police
):
    finding = make_finding(walk, police, vandalism)  # new
    client.force_login(staff)
    response = client.post(
        reverse("safety:finding_status", args=[finding.pk]),
        {"to": "fixed", "note": "Sprunget over", "version": 1},
    )
    assert response.status_code == 400
    assert "to" in response.context["form"].errors
    assert "Sprunget over" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.NEW


def test_closing_without_a_fix_needs_an_honest_reason(
    client, staff, walk, vandalism, police
):
    finding = make_finding(walk, police, vandalism, status=Finding.Status.SENT)
    client.force_login(staff)
    url = reverse("safety:finding_status", args=[finding.pk])
    response = client.post(url, {"to": "closed", "version": 1})
    assert response.status_code == 400
    response = client.post(url, {"to": "closed", "reason": "not_ours", "version": 1})
    assert "passed_to" in response.context["form"].errors
    client.post(
        url,
        {
            "to": "closed",
            "reason": "not_ours",
            "passed_to": "Vejdirektoratet",
            "version": 1,
            "confirmed": "on",
        },
    )
    finding.refresh_from_db()
    assert (finding.status, finding.close_reason, finding.passed_to) == (
        "closed",
        "not_ours",
        "Vejdirektoratet",
    )
    assert finding.fixed_at is None  # closed is not counted as fixed


def test_a_duplicate_names_the_finding_it_duplicates(
    client, staff, walk, vandalism, police
):
    first = make_finding(walk, police, vandalism, status=Finding.Status.SENT)
    second = make_finding(walk, police, vandalism, status=Finding.Status.SENT)
    client.force_login(staff)
    client.post(
        reverse("safety:finding_status", args=[second.pk]),
        {
            "to": "closed",
            "reason": "duplicate",
            "duplicate_of": first.pk,
            "version": 1,
            "confirmed": "on",
        },
    )
    second.refresh_from_db()
    assert second.duplicate_of == first


def test_a_fixed_finding_can_be_reopened_and_is_sent_again(
    client,
    staff,
    walk,
    vandalism,
    police,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
    partner_with_mail,
):
    finding = make_finding(
        walk, police, vandalism, status=Finding.Status.FIXED, fixed_at=NOW
    )
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("safety:finding_status", args=[finding.pk]),
            {"to": "sent", "note": "Lampen er i stykker igen", "version": 1},
        )
    finding.refresh_from_db()
    assert (finding.status, finding.fixed_at) == ("sent", None)
    assert len(mailoutbox) == 1


def test_two_people_changing_a_finding_at_once_the_second_is_told(
    client, staff, partner, walk, vandalism, police
):
    finding = make_finding(walk, police, vandalism, status=Finding.Status.SENT)
    url = reverse("safety:finding_status", args=[finding.pk])
    client.force_login(partner)
    client.post(url, {"to": "in_progress", "version": 1})
    client.force_login(staff)
    response = client.post(
        url,
        {
            "to": "closed",
            "reason": "no_action",
            "note": "Min kommentar",
            "version": 1,
            "confirmed": "on",
        },
    )
    assert response.status_code == 400
    assert stale_message() in response.content.decode()
    assert "Min kommentar" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.IN_PROGRESS
    assert finding.events.count() == 1


def test_the_model_refuses_a_stale_version(walk, vandalism, police, staff):
    finding = make_finding(walk, police, vandalism)
    finding.change_status(to="sent", by=staff, version=1)
    with pytest.raises(StaleEdit):
        finding.change_status(to="in_progress", by=staff, version=1)


def test_editing_a_finding_from_an_old_page_is_refused(
    client, staff, walk, vandalism, police
):
    finding = make_finding(walk, police, vandalism, status=Finding.Status.SENT)
    finding.change_status(to="in_progress", by=staff, version=1)
    client.force_login(staff)
    data = finding_data(vandalism, responsible=police.pk, place="Ny tekst", version="1")
    response = client.post(reverse("safety:finding_edit", args=[finding.pk]), data)
    assert stale_message() in response.content.decode()
    finding.refresh_from_db()
    assert finding.place == "Stien bag nr. 12"


# --- Who sees what -------------------------------------------------------------------


def test_a_partner_sees_only_findings_routed_to_its_organisation(
    client, partner, walk, vandalism, police, municipality
):
    ours = make_finding(walk, police, vandalism, status=Finding.Status.SENT)
    theirs = make_finding(
        walk,
        municipality,
        vandalism,
        status=Finding.Status.SENT,
        description="Kommunens sag",
    )
    client.force_login(partner)
    assert client.get(ours.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    status = reverse("safety:finding_status", args=[theirs.pk])
    assert client.post(status, {"to": "fixed", "version": 1}).status_code == 404
    worklist = client.get(reverse("safety:finding_worklist")).content.decode()
    assert ours.place in worklist
    assert "Kommunens sag" not in worklist
    walk_page = client.get(walk.get_absolute_url()).content.decode()
    assert theirs.get_absolute_url() not in walk_page


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_roles_outside_see_no_finding(client, personas, walk, vandalism, police, role):
    finding = make_finding(walk, police, vandalism)
    client.force_login(personas[role])
    assert client.get(finding.get_absolute_url()).status_code == 404
    assert client.get(reverse("safety:finding_worklist")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, walk, vandalism, police):
    finding = make_finding(walk, police, vandalism)
    for url in (
        finding.get_absolute_url(),
        reverse("safety:finding_worklist"),
        walk.get_absolute_url(),
    ):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_status_changes_are_post_only(client, staff, walk, vandalism, police):
    finding = make_finding(walk, police, vandalism)
    client.force_login(staff)
    assert (
        client.get(reverse("safety:finding_status", args=[finding.pk])).status_code
        == 405
    )


def test_the_worklist_marks_overdue_and_costs_the_same_for_few_and_many(
    client, partner, walk, vandalism, police, django_assert_num_queries
):
    make_finding(
        walk,
        police,
        vandalism,
        status="sent",
        due_date=TODAY - datetime.timedelta(days=1),
    )
    client.force_login(partner)
    # session, user, 3 for the session's renewal, count, page.
    with django_assert_num_queries(7):
        response = client.get(reverse("safety:finding_worklist"))
    assert "Over fristen" in response.content.decode()
    for n in range(20):
        make_finding(walk, police, vandalism, status="sent", place=f"Sted {n}")
    with django_assert_num_queries(7):
        client.get(reverse("safety:finding_worklist"))


# --- Overdue reminders ---------------------------------------------------------------


def test_an_organisation_is_reminded_once_of_its_overdue_findings(
    walk, vandalism, police, municipality, partner_with_mail, mailoutbox
):
    late = make_finding(
        walk,
        police,
        vandalism,
        status="sent",
        due_date=TODAY - datetime.timedelta(days=2),
        place="Cykelskuret",
    )
    make_finding(walk, police, vandalism, status="sent")  # not due yet
    make_finding(
        walk,
        police,
        vandalism,
        status="fixed",
        fixed_at=NOW,
        due_date=TODAY - datetime.timedelta(days=9),
    )
    assert notifications.mail_overdue(TODAY) == 1
    assert mailoutbox[0].to == ["drift@politi.example"]
    assert "Cykelskuret" in mailoutbox[0].body
    assert late.get_absolute_url() in mailoutbox[0].body
    assert notifications.mail_overdue(TODAY) == 0  # not twice
    late.refresh_from_db()
    # Given a new due date that passes too, it is reminded of again.
    late.due_date = TODAY + datetime.timedelta(days=1)
    late.save()
    assert notifications.mail_overdue(TODAY + datetime.timedelta(days=1)) == 0
    assert notifications.mail_overdue(TODAY + datetime.timedelta(days=2)) == 1


def test_inactive_partners_and_other_roles_get_no_mail(
    walk, vandalism, police, mailoutbox
):
    User.objects.create(
        username="gone",
        role=Role.PARTNER,
        organisation=police,
        email="gone@example.org",
        is_active=False,
    )
    make_finding(
        walk,
        police,
        vandalism,
        status="sent",
        due_date=TODAY - datetime.timedelta(days=2),
    )
    assert notifications.mail_overdue(TODAY) == 0
    assert mailoutbox == []


# --- Re-checking a fix on the next walk ----------------------------------------------


def test_the_next_walk_confirms_a_fix_due_for_a_recheck(
    client, staff, walk, vandalism, police
):
    fixed = make_finding(
        walk,
        police,
        vandalism,
        status="fixed",
        fixed_at=NOW,
        recheck_on=TODAY,
        place="Lampen ved p-pladsen",
    )
    later = Walk.objects.create(area=walk.area, starts_at=NOW, status="held")
    client.force_login(staff)
    page = client.get(later.get_absolute_url()).content.decode()
    assert "Lampen ved p-pladsen" in page and 'data-testid="recheck"' in page

    response = client.post(
        reverse("safety:finding_confirm_fix", args=[fixed.pk]),
        {"version": fixed.version, "walk": later.pk},
    )
    assert response["Location"] == later.get_absolute_url()
    fixed.refresh_from_db()
    assert fixed.recheck_on is None
    assert fixed.events.last().note.startswith("Bekræftet udbedret")
    page = client.get(later.get_absolute_url()).content.decode()
    assert 'data-testid="recheck"' not in page


def test_a_fix_not_yet_due_for_recheck_is_not_listed(
    client, staff, walk, vandalism, police
):
    make_finding(
        walk,
        police,
        vandalism,
        status="fixed",
        fixed_at=NOW,
        recheck_on=TODAY + datetime.timedelta(days=30),
    )
    client.force_login(staff)
    assert (
        'data-testid="recheck"'
        not in client.get(walk.get_absolute_url()).content.decode()
    )


def test_only_keepers_confirm_a_fix(client, partner, walk, vandalism, police):
    fixed = make_finding(
        walk, police, vandalism, status="fixed", fixed_at=NOW, recheck_on=TODAY
    )
    client.force_login(partner)
    url = reverse("safety:finding_confirm_fix", args=[fixed.pk])
    assert client.post(url, {"version": fixed.version}).status_code == 403
    assert client.get(url).status_code == 405


def test_confirming_an_open_finding_or_from_an_old_page_changes_nothing(
    client, staff, walk, vandalism, police
):
    open_one = make_finding(walk, police, vandalism, status="sent")
    client.force_login(staff)
    client.post(
        reverse("safety:finding_confirm_fix", args=[open_one.pk]),
        {"version": open_one.version},
    )
    assert open_one.events.count() == 0
    fixed = make_finding(
        walk, police, vandalism, status="fixed", fixed_at=NOW, recheck_on=TODAY
    )
    client.post(
        reverse("safety:finding_confirm_fix", args=[fixed.pk]), {"version": "7"}
    )
    fixed.refresh_from_db()
    assert fixed.recheck_on == TODAY


def test_a_new_finding_is_due_in_two_weeks_unless_changed(client, staff, walk):
    client.force_login(staff)
    form = client.get(reverse("safety:finding_create", args=[walk.pk])).context["form"]
    assert form["due_date"].value() == TODAY + datetime.timedelta(days=14)


@pytest.mark.parametrize("departments_drawn", [0, 3])
def test_the_walk_form_with_its_map_costs_the_same_queries_for_few_and_many(
    client, staff, departments, django_assert_num_queries, departments_drawn
):
    for department in departments[:departments_drawn]:
        department.outline = [[[55.408, 10.407], [55.409, 10.409], [55.41, 10.407]]]
        department.save()
    client.force_login(staff)
    # The session and the person (4), the staff member's first area, the areas and
    # the organisations to choose from, the base map's areas and their
    # departments, and the rest of the frame: 11, however many are drawn.
    with django_assert_num_queries(11):
        response = client.get(reverse("safety:walk_create"))
    drawn = [
        d for a in embedded(response, "map-base")["areas"] for d in a["departments"]
    ]
    assert len(drawn) == departments_drawn
