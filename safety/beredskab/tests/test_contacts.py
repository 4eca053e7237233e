"""The beredskab's contact lists: read by the incident handlers, kept by the
tryghedsrådgivere and coordinators."""

import pytest
from django.urls import reverse

from boligsocial.models import Area
from safety.models import Contact

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("safety:contact_list")
CREATE = reverse("safety:contact_create")


def edit_url(contact) -> str:
    return reverse("safety:contact_edit", args=[contact.pk])


def delete_url(contact) -> str:
    return reverse("safety:contact_delete", args=[contact.pk])


def contact_data(organisation, **extra) -> dict:
    data = {
        "organisation": organisation.pk,
        "area": "",
        "name": "Lise  Lund",
        "role": "Vagthavende",
        "phone": "66 14 14 48",
        "email": "",
        "stand_in": "",
        "rank": "1",
        "note": "Ring døgnet rundt",
    }
    data.update(extra)
    return data


def form_errors(response) -> dict:
    return {
        name: list(errors) for name, errors in response.context["form"].errors.items()
    }


# --- The list ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "coordinator"])
def test_incident_handlers_see_who_to_call_grouped_by_organisation(
    client, personas, contacts, role
):
    client.force_login(personas[role])
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    rows = [(c.organisation.name, c.name) for c in response.context["page"]]
    assert rows[0] == ("Fyns Politi", "Mette Betjent")
    assert [organisation for organisation, _ in rows] == [
        "Fyns Politi",
        "Fyns Politi",
        "Odense Kommune, Beskæftigelses- og Socialforvaltningen",
        "SSP Odense",
    ]
    assert 'href="tel:+4566141448"' in html
    assert 'href="mailto:rising@politi.example"' in html
    assert "Områdebetjent" in html
    # The stand-in, with a way to reach them, on the contact's row.
    assert "Stedfortræder: Jonas Vagt" in html
    assert 'href="mailto:vagt2@politi.example"' in html
    assert "Alle områder" in html  # SSP covers every area
    assert "opdateret 04.05.2026" in html


def test_contacts_are_grouped_under_one_heading_per_organisation(
    client, staff, contacts
):
    client.force_login(staff)
    html = client.get(LIST).content.decode()
    assert html.count('data-testid="contact-group"') == 3
    assert html.count('data-testid="contact"') == 4


def test_the_stand_ins_phone_is_a_link_too(client, staff, contacts):
    stand_in = contacts["police_stand_in"]
    stand_in.phone = "+4566141400"
    stand_in.save(update_fields=["phone"])
    client.force_login(staff)
    html = client.get(LIST).content.decode()
    assert 'Stedfortræder: Jonas Vagt, <a href="tel:+4566141400">' in html


def test_only_the_leads_get_the_buttons_to_keep_the_list(
    client, staff, safety_advisor, contacts
):
    client.force_login(staff)
    html = client.get(LIST).content.decode()
    assert CREATE not in html
    assert edit_url(contacts["ssp"]) not in html
    client.force_login(safety_advisor)
    html = client.get(LIST).content.decode()
    assert CREATE in html
    assert edit_url(contacts["ssp"]) in html
    assert delete_url(contacts["ssp"]) in html


def test_filtering_by_area_keeps_the_contacts_of_every_area(client, staff, contacts):
    vollsmose = Area.objects.get(slug="vollsmose")
    Contact.objects.create(
        organisation=contacts["police"].organisation,
        area=vollsmose,
        name="Vollsmose Vagt",
        role="Områdebetjent",
        email="vollsmose@politi.example",
    )
    client.force_login(staff)
    names = [c.name for c in client.get(LIST, {"area": vollsmose.pk}).context["page"]]
    assert names == ["Vollsmose Vagt", "Sara SSP"]
    rising = contacts["police"].area
    names = [c.name for c in client.get(LIST, {"area": rising.pk}).context["page"]]
    assert "Vollsmose Vagt" not in names
    assert {"Mette Betjent", "Jonas Vagt", "Kim Kommune", "Sara SSP"} == set(names)


def test_filtering_by_organisation(client, staff, contacts, ssp):
    client.force_login(staff)
    page = client.get(LIST, {"organisation": ssp.pk}).context["page"]
    assert [c.name for c in page] == ["Sara SSP"]


def test_a_bad_filter_value_shows_the_message_not_an_error(client, staff, contacts):
    client.force_login(staff)
    response = client.get(LIST, {"area": "abc", "organisation": "999999"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_with_htmx_the_filter_swaps_only_the_rows(client, staff, contacts, ssp):
    client.force_login(staff)
    response = client.get(LIST, {"organisation": ssp.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="contact-rows"' in html
    assert "Sara SSP" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("role", ["advisor", "partner", "admin"])
def test_other_roles_cannot_open_the_contact_lists(client, personas, contacts, role):
    client.force_login(personas[role])
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403


@pytest.mark.parametrize("role", ["advisor", "partner", "admin"])
def test_other_roles_cannot_tell_a_contact_exists(client, personas, contacts, role):
    client.force_login(personas[role])
    contact = contacts["police"]
    assert client.get(edit_url(contact)).status_code == 404
    assert client.get(delete_url(contact)).status_code == 404
    assert client.post(delete_url(contact)).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, contacts):
    for url in (LIST, CREATE, edit_url(contacts["ssp"]), delete_url(contacts["ssp"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_pages_refuse_other_methods(client, safety_advisor, contacts):
    client.force_login(safety_advisor)
    assert client.post(LIST).status_code == 405
    assert client.put(CREATE).status_code == 405
    assert client.put(edit_url(contacts["ssp"])).status_code == 405
    assert client.delete(delete_url(contacts["ssp"])).status_code == 405


@pytest.mark.parametrize(("role", "queries"), [("staff", 10), ("coordinator", 10)])
@pytest.mark.parametrize("extra", [0, 30])
def test_the_list_costs_the_same_queries_for_few_and_many_contacts(
    client, personas, contacts, police, django_assert_num_queries, role, queries, extra
):
    for n in range(extra):
        Contact.objects.create(
            organisation=police,
            name=f"Betjent {n}",
            role="Betjent",
            email=f"b{n}@politi.example",
            stand_in=contacts["police_stand_in"],
        )
    client.force_login(personas[role])
    # session, user, 3 for the session's renewal, the page's count and rows
    # (with organisation, area and stand-in), the filter's area and organisation
    # choices; a coordinator's second factor is one more.
    with django_assert_num_queries(queries):
        client.get(LIST)


# --- Keeping the list --------------------------------------------------------------


@pytest.mark.parametrize("role", ["safety_advisor", "coordinator"])
def test_the_leads_add_a_contact_with_a_danish_phone_number(
    client, personas, police, role
):
    client.force_login(personas[role])
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, contact_data(police))
    assert response.status_code == 302
    assert response["Location"] == LIST
    contact = Contact.objects.get()
    assert (contact.name, contact.phone.as_e164) == ("Lise Lund", "+4566141448")
    assert contact.area is None
    html = client.get(LIST).content.decode()
    assert "Lise Lund er gemt." in html
    assert 'href="tel:+4566141448"' in html


def test_staff_read_the_list_but_cannot_keep_it(client, staff, contacts, police):
    client.force_login(staff)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, contact_data(police)).status_code == 403
    contact = contacts["ssp"]
    assert client.get(edit_url(contact)).status_code == 403
    assert client.post(edit_url(contact), contact_data(police)).status_code == 403
    assert client.get(delete_url(contact)).status_code == 403
    assert client.post(delete_url(contact)).status_code == 403
    assert Contact.objects.count() == 4


def test_a_contact_needs_a_phone_or_an_email_said_by_the_phone(
    client, safety_advisor, police
):
    client.force_login(safety_advisor)
    response = client.post(CREATE, contact_data(police, phone=""))
    assert response.status_code == 200
    assert form_errors(response) == {
        "phone": ["Skriv et telefonnummer eller en e-mailadresse."]
    }
    html = response.content.decode()
    assert 'value="Lise  Lund"' in html or 'value="Lise Lund"' in html
    assert "Ring døgnet rundt" in html
    assert not Contact.objects.exists()


def test_a_malformed_phone_number_is_said_once(client, safety_advisor, police):
    client.force_login(safety_advisor)
    response = client.post(CREATE, contact_data(police, phone="12"))
    assert form_errors(response) == {
        "phone": ["Skriv et gyldigt telefonnummer, fx 66 14 14 48."]
    }
    assert 'value="12"' in response.content.decode()


def test_an_email_alone_is_enough(client, safety_advisor, police):
    client.force_login(safety_advisor)
    client.post(CREATE, contact_data(police, phone="", email="vagt@politi.example"))
    assert Contact.objects.get().email == "vagt@politi.example"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({"email": "ikke-en-adresse"}, "email"),
        ({"name": ""}, "name"),
        ({"role": ""}, "role"),
        ({"organisation": ""}, "organisation"),
        ({"rank": "-1"}, "rank"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_kept(
    client, safety_advisor, police, change, field
):
    client.force_login(safety_advisor)
    response = client.post(CREATE, {**contact_data(police), **change})
    assert response.status_code == 200
    assert field in form_errors(response)
    assert "Ring døgnet rundt" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_stand_in_must_be_of_the_same_organisation(
    client, safety_advisor, contacts, police
):
    client.force_login(safety_advisor)
    response = client.post(CREATE, contact_data(police, stand_in=contacts["ssp"].pk))
    assert form_errors(response) == {
        "stand_in": ["Stedfortræderen skal være fra samme organisation."]
    }
    assert Contact.objects.count() == 4
    client.post(CREATE, contact_data(police, stand_in=contacts["police"].pk))
    assert Contact.objects.get(name="Lise Lund").stand_in == contacts["police"]


def test_a_contact_cannot_stand_in_for_itself(client, safety_advisor, contacts):
    contact = contacts["police"]
    client.force_login(safety_advisor)
    response = client.get(edit_url(contact))
    assert contact not in response.context["form"].fields["stand_in"].queryset
    data = contact_data(contact.organisation, stand_in=contact.pk)
    response = client.post(edit_url(contact), data)
    assert "stand_in" in form_errors(response)
    contact.refresh_from_db()
    assert contact.stand_in == contacts["police_stand_in"]


def test_the_leads_correct_a_contact(client, coordinator, contacts, rising):
    contact = contacts["municipality"]
    client.force_login(coordinator)
    data = contact_data(
        contact.organisation,
        area=rising.pk,
        name="Kim Kommune",
        role="Beredskabschef",
        phone="+45 65 51 23 45",
        email="kim@odense.example",
        rank="2",
        version=contact.version,
    )
    response = client.post(edit_url(contact), data)
    assert response["Location"] == LIST
    contact.refresh_from_db()
    assert (contact.email, contact.rank) == ("kim@odense.example", 2)


def test_deleting_asks_first_and_says_who_loses_their_stand_in(
    client, safety_advisor, contacts
):
    stand_in = contacts["police_stand_in"]
    client.force_login(safety_advisor)
    response = client.get(delete_url(stand_in))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="stands-in-for"' in html
    assert "Mette Betjent" in html
    assert Contact.objects.filter(pk=stand_in.pk).exists()
    response = client.post(delete_url(stand_in))
    assert response["Location"] == LIST
    assert not Contact.objects.filter(pk=stand_in.pk).exists()
    police = Contact.objects.get(pk=contacts["police"].pk)
    assert police.stand_in is None


def test_deleting_a_contact_nobody_relies_on_says_nothing_of_stand_ins(
    client, coordinator, contacts
):
    client.force_login(coordinator)
    html = client.get(delete_url(contacts["ssp"])).content.decode()
    assert 'data-testid="stands-in-for"' not in html
    client.post(delete_url(contacts["ssp"]))
    assert Contact.objects.count() == 3
