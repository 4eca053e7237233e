"""A resident signs up for Nabohjælp on their area's public page, without a login."""

import uuid

import pytest
from django.urls import reverse

from safety.conftest import make_signup
from safety.models import ConsentText, SignUp
from safety.public import RATE

PAGE = reverse("nabohjaelp:signup", args=["rising"])
THANKS = reverse("nabohjaelp:thanks", args=["rising"])
LIMIT = int(RATE.split("/")[0])


def resident(**extra) -> dict:
    data = {
        "name": "Fatima Ahmadi",
        "street": "Vestergade",
        "number": "4",
        "floor_door": "1. th",
        "phone": "+45 31 22 33 44",
        "email": "",
        "department": "",
        "consent": "on",
        "submission": str(uuid.uuid4()),
        "website": "",
    }
    data.update(extra)
    return data


def test_a_resident_opens_the_page_without_logging_in(client, streets):
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nabohjælp i Rising" in html
    assert ConsentText.current().text in html
    assert '<option value="Vestergade">' in html  # the area's streets, as hints
    assert 'name="website"' in html  # the field only bots fill


def test_a_resident_signs_up_and_it_waits_for_staff_to_confirm(client, streets):
    response = client.post(PAGE, resident())
    assert response.status_code == 302
    assert response["Location"] == THANKS
    signup = SignUp.objects.get()
    assert signup.status == SignUp.Status.TO_CONFIRM
    assert signup.channel == SignUp.Channel.PUBLIC_PAGE
    assert signup.department == streets[1]
    assert signup.consent_text == ConsentText.current()
    assert signup.created_by is None
    assert "kontakter dig" in client.get(THANKS).content.decode()


def test_a_resident_may_offer_to_be_an_ambassador(client, streets):
    client.post(PAGE, resident(is_ambassador="on"))
    assert SignUp.objects.get().is_ambassador


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": "123"}, "phone", "gyldigt telefonnummer"),
        ({"phone": "", "email": "fatima@"}, "email", "gyldig e-mailadresse"),
        ({"phone": ""}, "phone", "telefonnummer eller en e-mail"),
        ({"street": "Nordvej"}, "street", "ligger ikke i en boligafdeling i Rising"),
        ({"consent": ""}, "consent", "sige ja til samtykket"),
        ({"department": "999999"}, "department", "afdelingerne i Rising"),
    ],
)
def test_bad_input_gets_a_message_by_the_field_and_keeps_what_was_typed(
    client, streets, change, field, message
):
    response = client.post(PAGE, resident(**change))
    html = response.content.decode()
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert 'value="Fatima Ahmadi"' in html
    assert not SignUp.objects.exists()


def test_a_department_of_another_area_cannot_be_chosen(client, streets):
    vollsmose_nord = streets[2]
    response = client.post(PAGE, resident(department=vollsmose_nord.pk))
    assert "department" in response.context["form"].errors
    assert not SignUp.objects.exists()


def test_a_double_click_or_a_resent_page_makes_one_sign_up(client, streets):
    data = resident()
    first = client.post(PAGE, data)
    second = client.post(PAGE, data)
    assert first["Location"] == second["Location"] == THANKS
    assert SignUp.objects.count() == 1


def test_a_page_brought_back_and_filled_in_for_the_next_resident_saves_them_too(
    client, streets
):
    """On a shared tablet the next resident presses Back: the page comes back
    with the last form's token, and their sign-up is a new one."""
    first = resident()
    client.post(PAGE, first)
    brought_back = {**first, "name": "Yusuf Ali", "phone": "+45 31 22 33 55"}
    client.post(PAGE, brought_back)
    client.post(PAGE, brought_back)  # and a double click on it
    assert sorted(SignUp.objects.values_list("name", flat=True)) == [
        "Fatima Ahmadi",
        "Yusuf Ali",
    ]
    assert "no-store" in client.get(PAGE)["Cache-Control"]


def test_the_page_never_tells_whether_someone_is_signed_up_already(client, streets):
    make_signup(
        streets[1],
        name="Fatima Ahmadi",
        street="Vestergade",
        number="4",
        floor_door="1. th",
    )
    known = client.post(PAGE, resident())
    unknown = client.post(PAGE, resident(name="Ida Berg"))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == THANKS
    # Staff see the duplicate; the resident saw nothing different.
    assert SignUp.objects.filter(name="Fatima Ahmadi").count() == 2


def test_a_bot_that_fills_the_hidden_field_is_thanked_and_nothing_is_saved(
    client, streets
):
    response = client.post(PAGE, resident(website="http://spam.example"))
    assert response["Location"] == THANKS
    assert not SignUp.objects.exists()


def test_a_burst_is_throttled_without_losing_a_valid_sign_up(client, streets):
    # A household signs up one grown-up before the flood from the same connection.
    assert client.post(PAGE, resident(name="Camilla Berg")).status_code == 302
    flood = [client.post(PAGE, resident(name=f"Bot {n}", phone="1")) for n in range(25)]
    allowed = LIMIT - 1
    assert [r.status_code for r in flood[:allowed]] == [200] * allowed  # bad input
    assert {r.status_code for r in flood[allowed:]} == {429}

    # The resident on the same connection keeps what they typed and is told to wait.
    throttled = client.post(PAGE, resident())
    assert throttled.status_code == 429
    assert 'data-testid="throttled"' in throttled.content.decode()
    assert 'value="Fatima Ahmadi"' in throttled.content.decode()

    # A neighbour on another connection gets through at once.
    neighbour = client.post(
        PAGE, resident(name="Jonas Nielsen"), REMOTE_ADDR="10.1.2.3"
    )
    assert neighbour.status_code == 302
    names = SignUp.objects.order_by("pk").values_list("name", flat=True)
    assert list(names) == ["Camilla Berg", "Jonas Nielsen"]


def test_throttling_counts_posts_not_visits(client, streets):
    for _ in range(LIMIT + 5):
        assert client.get(PAGE).status_code == 200
    assert client.post(PAGE, resident()).status_code == 302


def test_an_unknown_area_has_no_page(client, db):
    assert (
        client.get(reverse("nabohjaelp:signup", args=["atlantis"])).status_code == 404
    )
    assert (
        client.get(reverse("nabohjaelp:thanks", args=["atlantis"])).status_code == 404
    )


def test_the_page_refuses_other_methods(client, streets):
    assert client.put(PAGE).status_code == 405
    assert client.post(THANKS).status_code == 405


def test_a_forged_submission_token_saves_nothing_and_breaks_nothing(client, streets):
    response = client.post(PAGE, resident(submission="not-a-uuid"))
    assert response.status_code == 200
    assert not SignUp.objects.exists()
