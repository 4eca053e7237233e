"""A resident withdraws as easily as they signed up: the thank-you page and the
confirmation mail carry a private link; the link asks, then erases the sign-up
exactly as staff withdrawal does. It works once, names no one, and is limited
like the sign-up page."""

import re

import pytest
from django.urls import reverse

from safety.models import SignUp
from safety.nabohjaelp.public_views import RATE
from safety.nabohjaelp.tests.test_public_signup import resident

PAGE = reverse("nabohjaelp:signup", args=["rising"])
THANKS = reverse("nabohjaelp:thanks", args=["rising"])
WITHDRAWN = reverse("nabohjaelp:withdrawn", args=["rising"])
LINK = re.compile(r"https?://testserver/nabohjaelp/afmeld/[\w-]+/(\?lang=\w+)?")


@pytest.fixture
def signed_up(client, django_capture_on_commit_callbacks):
    """Sign up on the page (its mail sent); the withdrawal link the thank-you
    page gives."""

    def sign_up(**extra) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(PAGE, resident(**extra))
        found = LINK.search(client.get(THANKS).content.decode())
        assert found, "the thank-you page gives no withdrawal link"
        return found.group(0)

    return sign_up


def path(link: str) -> str:
    return link.removeprefix("http://testserver")


def test_the_thank_you_page_and_the_mail_give_the_same_private_link(
    client, streets, signed_up, mailoutbox
):
    link = signed_up(email="amira@example.org")
    signup = SignUp.objects.get()
    (mail,) = mailoutbox
    assert mail.to == ["amira@example.org"]
    assert mail.subject == "Din tilmelding til Nabohjælp i Rising"
    assert link in mail.body
    assert "kontakt@boligsocialt-hus.example" in mail.body
    # Only a hash of the secret is kept.
    secret = link.rstrip("/").rsplit("/", 1)[1]
    assert "?" not in link  # Danish, the page's default
    assert len(secret) >= 40
    assert signup.withdrawal_key and secret not in signup.withdrawal_key


def test_without_an_e_mail_no_mail_is_sent_and_the_page_still_gives_the_link(
    client, streets, signed_up, mailoutbox
):
    signed_up()
    assert mailoutbox == []


def test_the_link_is_given_on_its_areas_thank_you_page_only(client, streets, signed_up):
    signed_up()
    other = client.get(reverse("nabohjaelp:thanks", args=["vollsmose"]))
    assert not LINK.search(other.content.decode())


def test_opening_the_link_asks_and_names_no_one(client, streets, signed_up):
    link = signed_up()
    response = client.get(path(link))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Afmeld dig Nabohjælp i Rising" in html
    assert "Fatima" not in html and "Vestergade" not in html
    assert SignUp.objects.get().status == SignUp.Status.TO_CONFIRM


def test_a_waiting_sign_up_withdrawn_by_its_link_is_gone_as_if_rejected(
    client, streets, signed_up
):
    link = signed_up()
    response = client.post(path(link))
    assert response["Location"] == WITHDRAWN
    assert not SignUp.objects.exists()
    assert "dine oplysninger er slettet" in client.get(WITHDRAWN).content.decode()


def test_a_confirmed_sign_up_withdrawn_by_its_link_is_erased_and_still_counts(
    client, streets, signed_up
):
    link = signed_up(email="amira@example.org")
    SignUp.objects.update(status=SignUp.Status.ACTIVE)
    client.post(path(link))
    signup = SignUp.objects.get()
    assert signup.status == SignUp.Status.WITHDRAWN
    assert (signup.name, signup.email, signup.phone, signup.street) == ("",) * 4
    assert signup.withdrawal_key == ""
    assert signup.withdrawn_on is not None


def test_a_used_link_and_an_unknown_one_get_the_same_page(client, streets, signed_up):
    link = signed_up()
    client.post(path(link))
    used = client.get(path(link))
    unknown = client.get(reverse("nabohjaelp:withdraw", args=["not-a-real-link"]))
    assert used.status_code == unknown.status_code == 404
    for answer in (used, unknown):
        assert "Linket er brugt, eller tilmeldingen er allerede slettet" in (
            answer.content.decode()
        )
    assert client.post(path(link)).status_code == 404


def test_a_long_forged_link_is_simply_unknown(client, db):
    forged = reverse("nabohjaelp:withdraw", args=["x" * 5000])
    assert client.get(forged).status_code == 404


def test_a_flood_of_withdrawals_is_held_and_erases_nothing(client, streets, signed_up):
    limit = int(RATE.split("/")[0])
    for n in range(limit):
        client.post(reverse("nabohjaelp:withdraw", args=[f"guess-{n}"]))
    link = signed_up()
    response = client.post(path(link))
    assert response.status_code == 429
    assert 'data-testid="throttled"' in response.content.decode()
    assert SignUp.objects.exists()


def test_the_link_pages_take_no_other_methods(client, streets, signed_up):
    link = signed_up()
    assert client.put(path(link)).status_code == 405
    assert client.post(WITHDRAWN).status_code == 405
    assert SignUp.objects.exists()


@pytest.mark.parametrize("language", ["ar", "so", "tr", "en"])
def test_the_mail_is_in_the_language_of_the_page(
    client, streets, signed_up, mailoutbox, language
):
    client.get(PAGE, {"lang": language})
    signed_up(email="amira@example.org")
    body = mailoutbox[0].body
    assert "Tak for din tilmelding" not in body
    assert LINK.search(body)[0].endswith(f"?lang={language}")
