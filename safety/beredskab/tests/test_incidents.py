"""Incidents: the list, opening one and telling partners, correcting it, telling
more partners, retrying a failed notification, closing and reopening; per role."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from boligsocial.editing import stale_message
from boligsocial.models import Role, User
from conftest import make_user
from safety.conftest import make_incident
from safety.models import Incident, IncidentNotification

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("safety:incident_list")
CREATE = reverse("safety:incident_create")
LOGIN = reverse("login")
MUNICIPALITY = "Odense Kommune, Beskæftigelses- og Socialforvaltningen"


def url(name: str, incident: Incident, *args) -> str:
    return reverse(f"safety:{name}", args=[incident.pk, *args])


def incident_data(where, *organisations, **extra) -> dict:
    data = {
        "title": "Brand i kælder",
        "kind": Incident.Kind.FIRE,
        "area": where.pk,
        "place": "Opgang 12, Rising Allé",
        "occurred_at": "2026-05-04T09:15",
        "severity": Incident.Severity.SERIOUS,
        "reported_by": Incident.ReportedBy.RESIDENT,
        "description": "Røg i kælderen; brandvæsenet slukkede.",
        "organisations": [o.pk for o in organisations],
        # Few organisations here have people in the portal; the warning about
        # that has its own tests (safety/walks/tests/test_routing.py).
        "route_anyway": "on",
    }
    data.update(extra)
    return data


def form_errors(response, name: str = "form") -> dict:
    return {
        field: list(errors) for field, errors in response.context[name].errors.items()
    }


@pytest.fixture
def other_area_partner(db) -> User:
    """Fyns Politi too, but granted Vollsmose only: what Fyns Politi is told of
    reaches it all the same."""
    return make_user(
        "politi-vollsmose",
        Role.PARTNER,
        organisation="Fyns Politi",
        areas=["vollsmose"],
    )


@pytest.fixture
def people(
    staff,
    safety_advisor,
    coordinator,
    partner,
    ssp_partner,
    other_area_partner,
    advisor,
    admin_user,
) -> dict[str, User]:
    return {
        "staff": staff,
        "safety_advisor": safety_advisor,
        "coordinator": coordinator,
        "partner": partner,
        "ssp_partner": ssp_partner,
        "other_area_partner": other_area_partner,
        "advisor": advisor,
        "admin": admin_user,
    }


@pytest.fixture
def incident(rising, police, staff) -> Incident:
    """Open, in Rising, Fyns Politi told (sent)."""
    return make_incident(rising, notify=[police], by=staff)


# --- Who may do what ----------------------------------------------------------------

# Per person: list, new form, page, edit form, notify form, close form, and the
# POSTs: entry (empty, so re-rendered), retry (a sent one: a message), reopen.
ACCESS = {
    "staff": [200, 200, 200, 200, 200, 403, 200, 302, 403],
    "safety_advisor": [200, 200, 200, 200, 200, 200, 200, 302, 302],
    "coordinator": [200, 200, 200, 200, 200, 200, 200, 302, 302],
    "partner": [200, 403, 200, 403, 403, 403, 403, 403, 403],
    "ssp_partner": [200, 403, 404, 404, 404, 404, 404, 404, 404],
    "other_area_partner": [200, 403, 200, 403, 403, 403, 403, 403, 403],
    "advisor": [403, 403, 404, 404, 404, 404, 404, 404, 404],
    "admin": [403, 403, 404, 404, 404, 404, 404, 404, 404],
}


def statuses(client, incident: Incident) -> list[int]:
    notification = incident.notifications.get()
    gets = [
        LIST,
        CREATE,
        incident.get_absolute_url(),
        url("incident_edit", incident),
        url("incident_notify", incident),
        url("incident_close", incident),
    ]
    posts = [
        url("entry_create", incident),
        url("notification_retry", incident, notification.pk),
        url("incident_reopen", incident),
    ]
    return [client.get(u).status_code for u in gets] + [
        client.post(u).status_code for u in posts
    ]


@pytest.mark.parametrize("who", ACCESS)
def test_each_role_reaches_the_incident_pages_it_may(client, people, incident, who):
    client.force_login(people[who])
    assert statuses(client, incident) == ACCESS[who]
    incident.refresh_from_db()
    assert (incident.is_open, incident.entries.count()) == (True, 0)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, incident):
    for status_code in statuses(client, incident):
        assert status_code == 302
    response = client.get(incident.get_absolute_url())
    assert response["Location"].startswith(LOGIN)


def test_the_pages_refuse_other_methods(client, safety_advisor, incident):
    notification = incident.notifications.get()
    client.force_login(safety_advisor)
    for page in (LIST, incident.get_absolute_url()):
        assert client.post(page).status_code == 405
    for page in (
        CREATE,
        url("incident_edit", incident),
        url("incident_notify", incident),
        url("incident_close", incident),
    ):
        assert client.delete(page).status_code == 405
    for page in (
        url("entry_create", incident),
        url("notification_retry", incident, notification.pk),
        url("incident_reopen", incident),
    ):
        assert client.get(page).status_code == 405


def test_nothing_is_written_to_a_closed_incident_until_it_is_reopened(
    client, safety_advisor, incident, ssp, contacts
):
    incident.close(by=safety_advisor, evaluation="Godt samarbejde med politiet.")
    client.force_login(safety_advisor)
    for page in ("incident_edit", "incident_notify", "incident_close"):
        assert client.get(url(page, incident)).status_code == 403
    assert client.post(url("incident_edit", incident), {}).status_code == 403
    entry = {"kind": "update", "happened_at": "2026-05-04T09:30", "text": "Ro igen"}
    assert client.post(url("entry_create", incident), entry).status_code == 403
    notify = {"organisations": [ssp.pk]}
    assert client.post(url("incident_notify", incident), notify).status_code == 403
    assert (incident.entries.count(), incident.notifications.count()) == (0, 1)

    assert client.post(url("incident_reopen", incident)).status_code == 302
    assert client.post(url("entry_create", incident), entry).status_code == 302
    assert incident.entries.count() == 1


# --- The list -----------------------------------------------------------------------


def test_handlers_see_every_incident_newest_first_with_its_notifications(
    client, staff, rising, police, ssp, municipality
):
    vollsmose = rising.__class__.objects.get(slug="vollsmose")
    older = make_incident(
        vollsmose,
        title="Uro ved centret",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        severity=Incident.Severity.MINOR,
    )
    newer = make_incident(rising, notify=[police, ssp], title="Brand i kælder")
    IncidentNotification.objects.create(incident=newer, organisation=municipality)
    client.force_login(staff)
    response = client.get(LIST)
    html = response.content.decode()
    assert [i.pk for i in response.context["page"]] == [newer.pk, older.pk]
    assert html.index("Brand i kælder") < html.index("Uro ved centret")
    assert newer.get_absolute_url() in html
    assert "2 sendt" in html
    assert "1 venter" in html
    assert "Ny hændelse" in html


def test_a_partner_lists_only_incidents_it_was_told_of_wherever_they_are(
    client, partner, rising, police, ssp
):
    vollsmose = rising.__class__.objects.get(slug="vollsmose")
    told = make_incident(rising, notify=[police], title="Politiet ved om")
    make_incident(rising, notify=[ssp], title="Kun SSP ved om")
    elsewhere = make_incident(vollsmose, notify=[police], title="Andet område")
    make_incident(vollsmose, notify=[ssp], title="SSP i Vollsmose")
    client.force_login(partner)
    response = client.get(LIST)
    html = response.content.decode()
    assert {i.pk for i in response.context["page"]} == {told.pk, elsewhere.pk}
    assert "Kun SSP ved om" not in html and "SSP i Vollsmose" not in html
    assert "Ny hændelse" not in html
    assert CREATE not in html
    area_choices = set(response.context["filter"].form.fields["area"].queryset)
    assert area_choices == {rising, vollsmose}


def test_the_list_filters_by_area_severity_status_and_period(
    client, staff, rising, safety_advisor
):
    vollsmose = rising.__class__.objects.get(slug="vollsmose")
    now = timezone.now()
    fire = make_incident(rising, title="Brand", severity=Incident.Severity.CRITICAL)
    old = make_incident(
        rising, title="Gammel", occurred_at=now - datetime.timedelta(days=40)
    )
    other = make_incident(vollsmose, title="Vollsmose")
    closed = make_incident(rising, title="Afsluttet")
    closed.close(by=safety_advisor, evaluation="Forløb roligt.")
    client.force_login(staff)

    def listed(**query) -> set[int]:
        return {i.pk for i in client.get(LIST, query).context["page"]}

    assert listed(area=vollsmose.pk) == {other.pk}
    assert listed(severity=Incident.Severity.CRITICAL) == {fire.pk}
    assert listed(status="closed") == {closed.pk}
    assert listed(status="open", area=rising.pk) == {fire.pk, old.pk}
    assert listed(occurred_to="2026-04-01") == {old.pk}
    assert listed(occurred_from="2026-05-04") == {fire.pk, other.pk, closed.pk}
    assert listed(severity="9") == {fire.pk, old.pk, other.pk, closed.pk}


def test_htmx_gets_only_the_rows(client, staff, incident):
    client.force_login(staff)
    response = client.get(LIST, {"status": "open"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="incident-rows"' in html
    assert "<html" not in html and 'data-testid="incident-filter"' not in html
    assert incident.title in html
    assert "HX-Request" in response["Vary"]


def test_the_list_is_paginated(client, staff, rising):
    for n in range(27):
        make_incident(rising, title=f"Hændelse {n}")
    client.force_login(staff)
    response = client.get(LIST, {"area": rising.pk})
    assert len(response.context["page"]) == 25
    assert f"area={rising.pk}&amp;page=2" in response.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 2


@pytest.mark.parametrize(
    ("who", "queries"), [("staff", 9), ("coordinator", 9), ("partner", 8)]
)
def test_the_list_costs_the_same_queries_for_few_and_many(
    client, people, rising, police, ssp, django_assert_num_queries, who, queries
):
    make_incident(rising, notify=[police])
    client.force_login(people[who])
    with django_assert_num_queries(queries):
        assert client.get(LIST).status_code == 200
    for n in range(30):
        incident = make_incident(rising, notify=[police, ssp], title=f"Nr. {n}")
        IncidentNotification.objects.filter(incident=incident, organisation=ssp).update(
            status=IncidentNotification.Status.FAILED, sent_at=None
        )
    with django_assert_num_queries(queries):
        assert client.get(LIST).status_code == 200
    with django_assert_num_queries(queries - 1):
        assert client.get(LIST, HTTP_HX_REQUEST="true").status_code == 200


# --- Opening an incident ------------------------------------------------------------


def test_the_new_form_starts_now_and_offers_every_partner_organisation(client, staff):
    client.force_login(staff)
    response = client.get(CREATE)
    form = response.context["form"]
    assert form["occurred_at"].value().strftime("%Y-%m-%dT%H:%M") == "2026-05-04T12:00"
    names = [o.name for o in form.fields["organisations"].queryset]
    assert "BoligSocialt Hus" not in names
    assert "Fyns Politi" in names and names == sorted(names)
    html = response.content.decode()
    assert 'type="datetime-local"' in html
    assert 'value="2026-05-04T12:00"' in html
    assert "Hvem skal underrettes" in html


@pytest.mark.parametrize("who", ["staff", "safety_advisor", "coordinator"])
def test_opening_an_incident_mails_the_chosen_partners_contacts(
    client,
    people,
    rising,
    police,
    ssp,
    contacts,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
    who,
):
    client.force_login(people[who])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, incident_data(rising, police, ssp))
    incident = Incident.objects.get()
    assert response["Location"] == incident.get_absolute_url()
    assert (incident.title, incident.area, incident.created_by) == (
        "Brand i kælder",
        rising,
        people[who],
    )
    assert timezone.localtime(incident.occurred_at).strftime("%H:%M") == "09:15"
    assert sorted(mail.to for mail in mailoutbox) == [
        ["rising@politi.example", "vagt2@politi.example"],
        ["ssp@odense.example"],
    ]
    assert all(
        mail.subject == "Beredskab: alvorlig hændelse i Rising – Brand i kælder"
        for mail in mailoutbox
    )
    assert incident.get_absolute_url() in mailoutbox[0].body

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "2 organisationer underrettes nu" in html
    notifications = page.context["notifications"]
    assert [(n.organisation, n.status) for n in notifications] == [
        (police, "sent"),
        (ssp, "sent"),
    ]
    assert html.count(">Sendt<") == 2


def test_an_incident_may_be_opened_without_telling_anyone_yet(client, staff, rising):
    client.force_login(staff)
    response = client.post(CREATE, incident_data(rising))
    incident = Incident.objects.get()
    assert not incident.notifications.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Ingen organisationer er underrettet" in html


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("area", "Vælg det boligområde, hændelsen skete i."),
        ("severity", "Vælg, hvor alvorlig hændelsen er."),
    ],
)
def test_an_incident_without_area_or_severity_is_refused_by_the_field(
    client, staff, rising, police, contacts, missing, message
):
    client.force_login(staff)
    response = client.post(CREATE, incident_data(rising, police, **{missing: ""}))
    assert response.status_code == 200
    assert form_errors(response) == {missing: [message]}
    html = response.content.decode()
    assert message in html
    assert 'value="Brand i kælder"' in html
    assert "Røg i kælderen" in html
    assert not Incident.objects.exists()
    assert not IncidentNotification.objects.exists()


def test_an_incident_in_the_future_is_refused(client, staff, rising):
    client.force_login(staff)
    response = client.post(
        CREATE, incident_data(rising, occurred_at="2026-05-04T15:00")
    )
    assert form_errors(response) == {
        "occurred_at": ["Tidspunktet ligger ude i fremtiden."]
    }
    assert 'value="2026-05-04T15:00"' in response.content.decode()
    assert not Incident.objects.exists()


def test_a_partner_with_no_contact_e_mail_for_the_area_is_named_and_nothing_saved(
    client, staff, rising, police, municipality, contacts, mailoutbox
):
    client.force_login(staff)
    response = client.post(CREATE, incident_data(rising, police, municipality))
    errors = form_errors(response)
    assert list(errors) == ["organisations"]
    assert MUNICIPALITY in errors["organisations"][0]
    assert "Fyns Politi" not in errors["organisations"][0]
    html = response.content.decode()
    assert f'<a href="{reverse("safety:contact_list")}">Kontaktlister</a>' in html
    assert response.context["form"]["organisations"].value() == [
        str(police.pk),
        str(municipality.pk),
    ]
    assert not Incident.objects.exists()
    assert mailoutbox == []


def test_a_contact_of_another_area_does_not_count(
    client, staff, rising, police, contacts
):
    vollsmose = rising.__class__.objects.get(slug="vollsmose")
    client.force_login(staff)
    response = client.post(CREATE, incident_data(vollsmose, police))
    assert "Fyns Politi" in form_errors(response)["organisations"][0]
    assert not Incident.objects.exists()


def test_a_phone_number_in_the_description_is_stored_only_once_confirmed(
    client, staff, rising
):
    client.force_login(staff)
    text = "Beboeren på 20 12 34 56 så røgen."
    response = client.post(CREATE, incident_data(rising, description=text))
    assert "telefonnummer" in form_errors(response)["description"][0]
    html = response.content.decode()
    assert 'type="checkbox" name="confirm_cpr"' in html
    assert text in html
    assert not Incident.objects.exists()

    response = client.post(
        CREATE, incident_data(rising, description=text, confirm_cpr="on")
    )
    assert response.status_code == 302
    assert Incident.objects.get().description == text


def test_a_cpr_number_in_the_title_is_warned_of(client, staff, rising):
    client.force_login(staff)
    response = client.post(CREATE, incident_data(rising, title="Sag 010190-1234"))
    assert "CPR-nummer" in form_errors(response)["title"][0]
    assert not Incident.objects.exists()


# --- Correcting ---------------------------------------------------------------------


def test_editing_changes_the_facts_but_tells_nobody_again(
    client,
    staff,
    incident,
    police,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    client.force_login(staff)
    edit = url("incident_edit", incident)
    form = client.get(edit).context["form"]
    assert "organisations" not in form.fields
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit,
            incident_data(
                incident.area,
                title="Brand i kælder, opg. 12",
                severity="3",
                version=incident.version,
            ),
        )
    assert response["Location"] == incident.get_absolute_url()
    incident.refresh_from_db()
    assert (incident.title, incident.severity) == ("Brand i kælder, opg. 12", 3)
    assert list(incident.notifications.values_list("organisation", flat=True)) == [
        police.pk
    ]
    assert mailoutbox == []


def test_of_two_people_editing_at_once_the_second_is_told_and_keeps_their_input(
    client, staff, safety_advisor, incident
):
    edit = url("incident_edit", incident)
    client.force_login(safety_advisor)
    started_from = client.get(edit).context["form"]["version"].value()
    client.force_login(staff)
    client.post(edit, incident_data(incident.area, version=started_from, place="A"))
    client.force_login(safety_advisor)

    response = client.post(
        edit, incident_data(incident.area, version=started_from, place="Opgang 14")
    )

    assert response.status_code == 200
    assert stale_message() in response.content.decode()
    assert 'value="Opgang 14"' in response.content.decode()
    incident.refresh_from_db()
    assert (incident.place, incident.version) == ("A", 2)


def test_an_edit_without_the_version_it_started_from_is_refused_with_a_message(
    client, staff, incident
):
    client.force_login(staff)
    response = client.post(
        url("incident_edit", incident), incident_data(incident.area, place="B")
    )
    assert stale_message() in response.content.decode()
    incident.refresh_from_db()
    assert incident.place != "B"


def test_an_invalid_edit_keeps_the_input_and_saves_nothing(client, staff, incident):
    client.force_login(staff)
    response = client.post(
        url("incident_edit", incident),
        incident_data(incident.area, title="Ny titel", severity=""),
    )
    assert "severity" in form_errors(response)
    assert 'value="Ny titel"' in response.content.decode()
    incident.refresh_from_db()
    assert incident.title == "Brand i kælder"


# --- Telling more partners ----------------------------------------------------------


def test_more_partners_are_told_and_those_told_are_not_offered_again(
    client,
    staff,
    incident,
    police,
    ssp,
    contacts,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    client.force_login(staff)
    notify = url("incident_notify", incident)
    offered = client.get(notify).context["form"].fields["organisations"].queryset
    assert police not in offered and ssp in offered
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            notify, {"organisations": [ssp.pk], "route_anyway": "on"}
        )
    assert response["Location"] == incident.get_absolute_url()
    assert [mail.to for mail in mailoutbox] == [["ssp@odense.example"]]
    notification = incident.notifications.get(organisation=ssp)
    assert (notification.status, notification.created_by) == ("sent", staff)
    html = client.get(response["Location"]).content.decode()
    assert "1 organisation mere underrettes nu" in html


def test_telling_more_partners_needs_a_choice_and_a_contact_with_e_mail(
    client, staff, incident, municipality, contacts
):
    client.force_login(staff)
    notify = url("incident_notify", incident)
    response = client.post(notify, {})
    assert form_errors(response) == {"organisations": ["Vælg mindst én organisation."]}
    response = client.post(notify, {"organisations": [municipality.pk]})
    assert MUNICIPALITY in form_errors(response)["organisations"][0]
    assert 'href="/' in response.content.decode()
    assert incident.notifications.count() == 1


def test_an_organisation_already_told_cannot_be_told_twice(
    client, staff, incident, police, contacts
):
    client.force_login(staff)
    response = client.post(
        url("incident_notify", incident), {"organisations": [police.pk]}
    )
    assert form_errors(response) == {
        "organisations": [
            "Vælg blandt organisationerne på listen; de underrettede står der ikke."
        ]
    }
    assert incident.notifications.count() == 1


# --- Retrying a failed notification -------------------------------------------------


def test_a_failed_notification_is_tried_again_and_sent(
    client,
    staff,
    incident,
    ssp,
    contacts,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    failed = IncidentNotification.objects.create(incident=incident, organisation=ssp)
    failed.mark_attempt_failed(error="SMTPServerDisconnected: down", final=True)
    client.force_login(staff)
    page = client.get(incident.get_absolute_url()).content.decode()
    retry = url("notification_retry", incident, failed.pk)
    assert retry in page
    assert "SMTPServerDisconnected: down" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response["Location"] == incident.get_absolute_url()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert [mail.to for mail in mailoutbox] == [["ssp@odense.example"]]
    assert "prøves igen nu" in client.get(response["Location"]).content.decode()


def test_a_notification_that_has_not_failed_is_not_retried(client, staff, incident):
    sent = incident.notifications.get()
    client.force_login(staff)
    response = client.post(url("notification_retry", incident, sent.pk), follow=True)
    assert "er ikke fejlet" in response.content.decode()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("sent", 1)


def test_a_notification_of_another_incident_is_not_found(
    client, staff, incident, rising, police
):
    other = make_incident(rising, notify=[police])
    client.force_login(staff)
    wrong = url("notification_retry", incident, other.notifications.get().pk)
    assert client.post(wrong).status_code == 404


# --- Closing and reopening ----------------------------------------------------------


@pytest.mark.parametrize("who", ["safety_advisor", "coordinator"])
def test_a_lead_closes_an_incident_with_an_evaluation_and_reopens_it(
    client, people, incident, who
):
    lead = people[who]
    client.force_login(lead)
    assert (
        "Afslut med evaluering"
        in client.get(incident.get_absolute_url()).content.decode()
    )
    response = client.post(
        url("incident_close", incident), {"evaluation": "Hurtig underretning."}
    )
    assert response["Location"] == incident.get_absolute_url()
    incident.refresh_from_db()
    assert (incident.status, incident.closed_by, incident.evaluation) == (
        "closed",
        lead,
        "Hurtig underretning.",
    )
    page = client.get(incident.get_absolute_url()).content.decode()
    assert url("incident_reopen", incident) in page
    assert url("incident_edit", incident) not in page

    response = client.post(url("incident_reopen", incident))
    assert response["Location"] == incident.get_absolute_url()
    incident.refresh_from_db()
    assert (incident.status, incident.closed_at) == ("open", None)
    form = client.get(url("incident_close", incident)).context["form"]
    assert form["evaluation"].value() == "Hurtig underretning."


def test_closing_needs_an_evaluation(client, safety_advisor, incident):
    client.force_login(safety_advisor)
    response = client.post(url("incident_close", incident), {"evaluation": "  "})
    assert form_errors(response) == {"evaluation": ["Skriv en kort evaluering."]}
    incident.refresh_from_db()
    assert incident.is_open


def test_an_evaluation_with_a_phone_number_needs_confirming(
    client, safety_advisor, incident
):
    client.force_login(safety_advisor)
    text = "Beboeren (+45 20 12 34 56) hjalp."
    response = client.post(url("incident_close", incident), {"evaluation": text})
    assert "telefonnummer" in form_errors(response)["evaluation"][0]
    assert text in response.content.decode()
    incident.refresh_from_db()
    assert incident.is_open
    client.post(
        url("incident_close", incident), {"evaluation": text, "confirm_cpr": "on"}
    )
    incident.refresh_from_db()
    assert incident.evaluation == text


def test_staff_are_not_offered_closing(client, staff, incident):
    client.force_login(staff)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert url("incident_close", incident) not in page
    assert url("incident_edit", incident) in page


def test_reopening_an_open_incident_only_says_so(client, safety_advisor, incident):
    client.force_login(safety_advisor)
    response = client.post(url("incident_reopen", incident), follow=True)
    assert "allerede åben" in response.content.decode()
