"""Staff register, find, correct, confirm and withdraw Nabohjælp sign-ups."""

import uuid

import pytest
from django.urls import reverse

from safety.conftest import TODAY, make_signup
from safety.models import ConsentText, SignUp

pytestmark = pytest.mark.usefixtures("frozen_today")

CREATE = reverse("safety:signup_create")
LIST = reverse("safety:signup_list")


def signup_data(home, **extra) -> dict:
    data = {
        "area": home.area_id,
        "department": "",
        "name": "Hassan  Demir",
        "street": home.street_list[0],
        "number": "7",
        "floor_door": "st. th",
        "phone": "20 12 34 56",
        "email": "",
        "channel": SignUp.Channel.DOOR,
        "signed_up_on": TODAY.isoformat(),
        "consent": "on",
        "submission": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def form_errors(response) -> dict:
    return {
        name: list(errors) for name, errors in response.context["form"].errors.items()
    }


# --- Registering ------------------------------------------------------------------


def test_staff_register_a_sign_up_found_in_its_department_by_the_street(
    client, staff, streets
):
    east = streets[0]
    client.force_login(staff)
    response = client.post(CREATE, signup_data(east, street="  rising  allé "))
    signup = SignUp.objects.get()
    assert response.status_code == 302
    assert response["Location"] == signup.get_absolute_url()
    assert (signup.area, signup.department, signup.name) == (
        east.area,
        east,
        "Hassan Demir",
    )
    assert str(signup.phone) == "+45 20 12 34 56"
    assert (signup.status, signup.created_by) == (SignUp.Status.ACTIVE, staff)
    assert signup.consent_text == ConsentText.current()
    assert signup.consented_at is not None


@pytest.mark.parametrize("role", ["safety_advisor", "coordinator"])
def test_tryghedsraadgivere_and_coordinators_register_sign_ups_too(
    client, personas, streets, role
):
    client.force_login(personas[role])
    response = client.post(CREATE, signup_data(streets[0]))
    assert response.status_code == 302
    assert SignUp.objects.get().created_by == personas[role]


def test_the_new_form_shows_the_consent_text_and_starts_in_the_users_area(
    client, staff, streets
):
    client.force_login(staff)
    response = client.get(CREATE)
    form = response.context["form"]
    assert form["area"].value() == streets[0].area_id
    assert form["signed_up_on"].value() == TODAY
    assert ConsentText.current().text in response.content.decode()
    assert "public_page" not in dict(form.fields["channel"].choices)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": "12"}, "phone", "gyldigt telefonnummer"),
        ({"phone": "", "email": "ikke-en-mail"}, "email", "gyldig e-mailadresse"),
        ({"phone": "", "email": ""}, "phone", "telefonnummer eller en e-mail"),
        ({"street": "Månevej"}, "street", "ligger ikke i en boligafdeling"),
        ({"consent": ""}, "consent", "skal give samtykke"),
        ({"name": "  "}, "name", "påkrævet"),
        ({"signed_up_on": "2026-05-05"}, "signed_up_on", "fremtiden"),
        ({"signed_up_on": "31.02.2026"}, "signed_up_on", "gyldig dato"),
        ({"channel": "public_page"}, "channel", "public_page"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_what_was_typed_is_kept(
    client, staff, streets, change, field, message
):
    client.force_login(staff)
    response = client.post(CREATE, signup_data(streets[0], **change))
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response)[field])
    assert (
        response.context["form"]["name"].value() == signup_data(streets[0])["name"]
        or field == "name"
    )
    assert 'value="7"' in response.content.decode()  # the house number stays
    assert not SignUp.objects.exists()


def test_a_department_of_another_area_is_refused(client, staff, streets):
    vollsmose_nord = streets[2]
    client.force_login(staff)
    data = signup_data(streets[0], department=vollsmose_nord.pk)
    response = client.post(CREATE, data)
    assert "department" in form_errors(response)
    assert not SignUp.objects.exists()


def test_a_street_not_of_the_chosen_department_is_refused(client, staff, streets):
    client.force_login(staff)
    data = signup_data(streets[0], department=streets[1].pk, street="Rising Allé")
    response = client.post(CREATE, data)
    assert any("hører ikke til" in e for e in form_errors(response)["street"])


def test_a_street_in_two_departments_asks_for_the_department(client, staff, streets):
    west = streets[1]
    west.streets = "Vestergade\nRising Allé"
    west.save()
    client.force_login(staff)
    response = client.post(CREATE, signup_data(streets[0]))
    assert any("Vælg afdelingen" in e for e in form_errors(response)["department"])
    response = client.post(CREATE, signup_data(streets[0], department=west.pk))
    assert SignUp.objects.get().department == west


def test_a_street_shared_by_two_departments_is_told_apart_by_the_house_number(
    client, staff, streets
):
    east, west = streets[0], streets[1]
    east.streets = "Rising Allé 1-15\nØstergade"
    east.save(update_fields=["streets"])
    west.streets = "Vestergade\nRising Allé 17-31, 33B"
    west.save(update_fields=["streets"])
    client.force_login(staff)
    client.post(CREATE, signup_data(east, street="rising allé", number="21"))
    assert SignUp.objects.get().department == west
    client.post(CREATE, signup_data(east, name="Amira Hansen", number="3"))
    assert SignUp.objects.get(name="Amira Hansen").department == east


def test_a_house_number_in_neither_department_still_asks_for_the_department(
    client, staff, streets
):
    streets[0].streets = "Rising Allé 1-15"
    streets[0].save(update_fields=["streets"])
    streets[1].streets = "Rising Allé 17-31"
    streets[1].save(update_fields=["streets"])
    client.force_login(staff)
    response = client.post(CREATE, signup_data(streets[0], number="99"))
    assert any("Vælg afdelingen" in e for e in form_errors(response)["department"])


def test_a_possible_duplicate_is_flagged_before_saving_and_can_be_saved_anyway(
    client, staff, streets
):
    existing = make_signup(
        streets[0], name="Hassan Demir", number="7", floor_door="st. th"
    )
    client.force_login(staff)
    data = signup_data(streets[0], name="hassan demir")
    response = client.post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "allerede tilmeldt" in html
    assert existing.get_absolute_url() in html
    assert 'name="save_anyway"' in html
    assert SignUp.objects.count() == 1

    response = client.post(CREATE, {**data, "save_anyway": "on"})
    assert response.status_code == 302
    assert SignUp.objects.count() == 2


def test_the_same_form_sent_twice_saves_one_sign_up(client, staff, streets):
    client.force_login(staff)
    data = signup_data(streets[0])
    first = client.post(CREATE, data)
    second = client.post(CREATE, data)
    assert SignUp.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


@pytest.mark.parametrize("role", ["advisor", "partner", "admin"])
def test_roles_without_need_to_know_cannot_open_the_form(client, personas, role):
    client.force_login(personas[role])
    assert client.get(CREATE).status_code == 403
    assert client.get(LIST).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, streets):
    signup = make_signup(streets[0])
    for url in (CREATE, LIST, signup.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_form_refuses_other_methods(client, staff):
    client.force_login(staff)
    assert client.put(CREATE).status_code == 405
    assert client.delete(LIST).status_code == 405


# --- Seeing and correcting -------------------------------------------------------


def test_staff_see_a_sign_up_with_its_consent_text(client, staff, streets):
    signup = make_signup(streets[0], email="amira@example.org")
    client.force_login(staff)
    html = client.get(signup.get_absolute_url()).content.decode()
    assert "Amira Hansen" in html
    assert "amira@example.org" in html
    assert signup.consent_text.text in html


@pytest.mark.parametrize("role", ["advisor", "partner", "admin"])
def test_other_roles_cannot_tell_a_sign_up_exists(client, personas, streets, role):
    signup = make_signup(streets[0])
    client.force_login(personas[role])
    for name in ("signup_detail", "signup_edit", "signup_withdraw"):
        assert (
            client.get(reverse(f"safety:{name}", args=[signup.pk])).status_code == 404
        )
    for name in ("signup_confirm", "signup_reject", "signup_withdraw"):
        url = reverse(f"safety:{name}", args=[signup.pk])
        assert client.post(url).status_code == 404
    signup.refresh_from_db()
    assert signup.name == "Amira Hansen"


def test_staff_correct_a_sign_up_without_giving_consent_again(client, staff, streets):
    signup = make_signup(streets[0])
    consented_at = signup.consented_at
    client.force_login(staff)
    url = reverse("safety:signup_edit", args=[signup.pk])
    assert "consent" not in client.get(url).context["form"].fields
    data = signup_data(streets[0], name="Amira Hansen-Berg", number="12")
    data.pop("consent")
    data["version"] = signup.version
    response = client.post(url, {**data, "floor_door": "2. tv", "is_ambassador": "on"})
    assert response.status_code == 302
    signup.refresh_from_db()
    assert (signup.name, signup.is_ambassador) == ("Amira Hansen-Berg", True)
    assert signup.consented_at == consented_at
    assert SignUp.objects.count() == 1


def test_editing_a_sign_up_does_not_flag_itself_as_a_duplicate(client, staff, streets):
    signup = make_signup(
        streets[0], name="Hassan Demir", number="7", floor_door="st. th"
    )
    client.force_login(staff)
    data = {**signup_data(streets[0]), "version": signup.version}
    data.pop("consent")
    response = client.post(reverse("safety:signup_edit", args=[signup.pk]), data)
    assert response.status_code == 302


# --- Confirming, rejecting, withdrawing -------------------------------------------


def test_staff_confirm_a_sign_up_from_the_public_page(client, staff, streets):
    signup = make_signup(
        streets[0], status=SignUp.Status.TO_CONFIRM, channel=SignUp.Channel.PUBLIC_PAGE
    )
    client.force_login(staff)
    page = client.get(signup.get_absolute_url()).content.decode()
    assert reverse("safety:signup_confirm", args=[signup.pk]) in page
    response = client.post(reverse("safety:signup_confirm", args=[signup.pk]))
    assert response.status_code == 302
    signup.refresh_from_db()
    assert (signup.status, signup.confirmed_by) == (SignUp.Status.ACTIVE, staff)


def test_confirming_is_a_post_only_action(client, staff, streets):
    signup = make_signup(streets[0], status=SignUp.Status.TO_CONFIRM)
    client.force_login(staff)
    assert (
        client.get(reverse("safety:signup_confirm", args=[signup.pk])).status_code
        == 405
    )
    assert (
        client.get(reverse("safety:signup_reject", args=[signup.pk])).status_code == 405
    )


def test_a_sign_up_that_is_not_real_is_rejected_and_deleted(client, staff, streets):
    signup = make_signup(streets[0], status=SignUp.Status.TO_CONFIRM)
    client.force_login(staff)
    response = client.post(reverse("safety:signup_reject", args=[signup.pk]))
    assert response["Location"] == LIST
    assert not SignUp.objects.exists()


def test_an_active_sign_up_cannot_be_rejected_only_withdrawn(client, staff, streets):
    signup = make_signup(streets[0])
    client.force_login(staff)
    client.post(reverse("safety:signup_reject", args=[signup.pk]))
    assert SignUp.objects.filter(pk=signup.pk, status=SignUp.Status.ACTIVE).exists()


def test_withdrawing_asks_first_then_erases_the_person(client, staff, streets):
    signup = make_signup(
        streets[0], email="amira@example.org", note="Ringer efter kl. 16"
    )
    client.force_login(staff)
    url = reverse("safety:signup_withdraw", args=[signup.pk])
    assert "slettes" in client.get(url).content.decode()
    assert SignUp.objects.get().name == "Amira Hansen"

    response = client.post(url)
    assert response["Location"] == LIST
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.WITHDRAWN
    assert (signup.name, signup.email, signup.phone, signup.note) == ("", "", "", "")
    assert signup.department is None and signup.consent_text is None
    assert (signup.area, signup.channel) == (streets[0].area, SignUp.Channel.DOOR)
    assert signup.signed_up_on == TODAY.replace(day=1)
    assert signup.withdrawn_on == TODAY.replace(day=1)


def test_a_withdrawn_sign_up_can_be_seen_but_not_changed(client, staff, streets):
    signup = make_signup(streets[0])
    signup.withdraw()
    client.force_login(staff)
    page = client.get(signup.get_absolute_url())
    assert page.status_code == 200
    assert reverse("safety:signup_edit", args=[signup.pk]) not in page.content.decode()
    assert (
        client.get(reverse("safety:signup_edit", args=[signup.pk])).status_code == 403
    )
    assert (
        client.post(reverse("safety:signup_withdraw", args=[signup.pk])).status_code
        == 403
    )


# --- The list ------------------------------------------------------------------------


def test_the_list_filters_by_area_department_status_and_channel(client, staff, streets):
    east, west, nord = streets
    make_signup(east, name="Øst Aktiv")
    make_signup(
        west,
        name="Vest Venter",
        status=SignUp.Status.TO_CONFIRM,
        channel=SignUp.Channel.PUBLIC_PAGE,
    )
    make_signup(nord, name="Nord Event", channel=SignUp.Channel.EVENT)
    client.force_login(staff)

    def names(**query):
        page = client.get(LIST, query).context["page"]
        return sorted(signup.name for signup in page)

    assert names() == ["Nord Event", "Vest Venter", "Øst Aktiv"]
    assert names(area=east.area_id) == ["Vest Venter", "Øst Aktiv"]
    assert names(department=west.pk) == ["Vest Venter"]
    assert names(status="to_confirm") == ["Vest Venter"]
    assert names(channel="event") == ["Nord Event"]


def test_the_list_marks_possible_duplicates(client, staff, streets):
    make_signup(streets[0])
    make_signup(streets[0], name="AMIRA HANSEN", status=SignUp.Status.TO_CONFIRM)
    make_signup(streets[0], name="Bent Berg")
    client.force_login(staff)
    page = client.get(LIST).context["page"]
    flagged = {s.name: s.possible_duplicate for s in page}
    assert flagged == {"Amira Hansen": True, "AMIRA HANSEN": True, "Bent Berg": False}


def test_the_list_shows_withdrawn_ones_without_a_person(client, staff, streets):
    signup = make_signup(streets[0])
    signup.withdraw()
    client.force_login(staff)
    html = client.get(LIST, {"status": "withdrawn"}).content.decode()
    assert "Slettet ved udmelding" in html
    assert "Amira" not in html


def test_with_htmx_the_filter_swaps_only_the_rows(client, staff, streets):
    make_signup(streets[0])
    client.force_login(staff)
    response = client.get(LIST, {"status": "active"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="signup-rows"' in html
    assert "HX-Request" in response["Vary"]


def test_a_bad_filter_value_shows_the_message_not_an_error(client, staff, streets):
    client.force_login(staff)
    response = client.get(LIST, {"area": "abc", "status": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert response.context["filter"].errors


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_queries_for_few_and_many_sign_ups(
    client, staff, streets, django_assert_num_queries, count
):
    for n in range(count):
        make_signup(streets[n % 3], name=f"Person {n}")
    client.force_login(staff)
    # session, user (+ organisation), 3 for the session's renewal, count, page,
    # the filter's area and department choices.
    with django_assert_num_queries(10):
        client.get(LIST)


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "coordinator"])
def test_the_roles_that_recruit_see_the_list(client, personas, streets, role):
    make_signup(streets[0])
    client.force_login(personas[role])
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Amira Hansen" in response.content.decode()
