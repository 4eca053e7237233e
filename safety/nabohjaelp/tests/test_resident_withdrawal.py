"""A resident withdraws as easily as they signed up: the thank-you page and the
confirmation mail carry a private link; the link asks, then erases the sign-up
exactly as staff withdrawal does. It works once, names no one, and is limited
like the sign-up page."""

import datetime
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

from boligsocial.models import Notification
from safety.models import SignUp, WithdrawalRequest
from safety.nabohjaelp.tests.test_public_signup import resident
from safety.public import RATE

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


CONFIRM = reverse("nabohjaelp:withdraw_confirm")
START = reverse("nabohjaelp:withdraw_start")


def opened(client, link: str):
    """The link opened: its secret put in a cookie, the browser sent on to the
    page that asks (an address without the secret). That page."""
    response = client.get(path(link))
    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM)
    assert response["Referrer-Policy"] == "no-referrer"
    return client.get(response["Location"])


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
    response = opened(client, link)
    html = response.content.decode()
    assert "afmeld/" + link.rstrip("/").rsplit("/", 1)[1] not in html
    assert "no-store" in response["Cache-Control"]
    assert response.status_code == 200
    assert "Afmeld dig Nabohjælp i Rising" in html
    assert "Fatima" not in html and "Vestergade" not in html
    assert SignUp.objects.get().status == SignUp.Status.TO_CONFIRM


def test_a_waiting_sign_up_withdrawn_by_its_link_is_gone_as_if_rejected(
    client, streets, signed_up
):
    link = signed_up()
    opened(client, link)
    response = client.post(CONFIRM)
    assert response["Location"] == WITHDRAWN
    assert not SignUp.objects.exists()
    assert "dine oplysninger er slettet" in client.get(WITHDRAWN).content.decode()


def test_a_confirmed_sign_up_withdrawn_by_its_link_is_erased_and_still_counts(
    client, streets, signed_up
):
    link = signed_up(email="amira@example.org")
    SignUp.objects.update(status=SignUp.Status.ACTIVE)
    opened(client, link)
    client.post(CONFIRM)
    signup = SignUp.objects.get()
    assert signup.status == SignUp.Status.WITHDRAWN
    assert (signup.name, signup.email, signup.phone, signup.street) == ("",) * 4
    assert signup.withdrawal_key == ""
    assert signup.withdrawn_on is not None


def test_a_used_link_and_an_unknown_one_get_the_same_page(client, streets, signed_up):
    link = signed_up()
    opened(client, link)
    client.post(CONFIRM)
    used = client.get(path(link))
    unknown = client.get(reverse("nabohjaelp:withdraw", args=["not-a-real-link"]))
    assert used.status_code == unknown.status_code == 404
    for answer in (used, unknown):
        assert "Linket er brugt, eller tilmeldingen er allerede slettet" in (
            answer.content.decode()
        )
    # The page that asks, without a link opened: the way without it.
    assert client.post(CONFIRM)["Location"] == START
    assert client.post(path(link)).status_code == 405


def test_a_long_forged_link_is_simply_unknown(client, db):
    forged = reverse("nabohjaelp:withdraw", args=["x" * 5000])
    assert client.get(forged).status_code == 404


def test_a_flood_of_withdrawals_is_held_and_erases_nothing(client, streets, signed_up):
    limit = int(RATE.split("/")[0])
    for _n in range(limit):
        client.post(CONFIRM)
    link = signed_up()
    opened(client, link)
    response = client.post(CONFIRM)
    assert response.status_code == 429
    assert 'data-testid="throttled"' in response.content.decode()
    assert SignUp.objects.exists()


def test_the_link_pages_take_no_other_methods(client, streets, signed_up):
    link = signed_up()
    assert client.put(path(link)).status_code == 405
    assert client.put(CONFIRM).status_code == 405
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


# --- Without the link: a one-time code ------------------------------------------------

CODE = reverse("nabohjaelp:withdraw_code")
WITHDRAWN_ALL = reverse("nabohjaelp:withdrawn_all")
MAY_4 = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def asked(client, django_capture_on_commit_callbacks):
    """Ask for a code on the public page; the page it leads to."""

    def ask(contact: str):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(START, {"contact": contact})
        assert response["Location"] == CODE
        return client.get(CODE)

    return ask


def mailed_code(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body)[1]


def test_every_residents_page_leads_to_withdrawal(client, streets):
    for url in (PAGE, THANKS, START):
        assert f'href="{START}"' in client.get(url).content.decode()


def test_a_code_by_mail_withdraws_every_sign_up_under_that_e_mail(
    client, streets, signed_up, asked, mailoutbox
):
    signed_up(email="amira@example.org")
    SignUp.objects.update(status=SignUp.Status.ACTIVE)
    page = asked("Amira@Example.org ")
    assert "har vi sendt dig en kode" in page.content.decode()
    mail = mailoutbox[-1]
    assert mail.to == ["Amira@Example.org"]
    assert mail.subject == "Din kode til at afmelde Nabohjælp"
    response = client.post(CODE, {"code": mailed_code(mailoutbox)})
    assert response["Location"] == WITHDRAWN_ALL
    signup = SignUp.objects.get()
    assert (signup.status, signup.email, signup.name) == (
        SignUp.Status.WITHDRAWN,
        "",
        "",
    )
    assert "dine oplysninger er slettet" in client.get(WITHDRAWN_ALL).content.decode()


def test_an_address_nobody_signed_up_with_gets_the_same_pages_and_no_mail(
    client, streets, signed_up, asked, mailoutbox
):
    signed_up(email="amira@example.org")
    mailoutbox.clear()
    page = asked("someone@example.org")
    assert "har vi sendt dig en kode" in page.content.decode()
    assert mailoutbox == []
    wrong = client.post(CODE, {"code": "123456"})
    assert "Koden passer ikke" in wrong.content.decode()
    assert SignUp.objects.get().email == "amira@example.org"


def test_a_wrong_code_is_refused_by_the_field_and_the_fifth_ends_the_request(
    client, streets, signed_up, asked, mailoutbox
):
    signed_up(email="amira@example.org")
    asked("amira@example.org")
    code = mailed_code(mailoutbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 200
    assert "Koden passer ikke" in response.content.decode()
    assert f'value="{wrong}"' in response.content.decode()
    for _try in range(4):
        client.post(CODE, {"code": wrong})
    spent = client.post(CODE, {"code": code})
    assert "Koden gælder ikke længere" in spent.content.decode()
    assert SignUp.objects.get().status == SignUp.Status.TO_CONFIRM


def test_a_mailed_code_lasts_thirty_minutes(
    client, streets, signed_up, asked, mailoutbox
):
    with time_machine.travel(MAY_4, tick=False) as clock:
        signed_up(email="amira@example.org")
        asked("amira@example.org")
        clock.shift(datetime.timedelta(minutes=31))
        # The session has ended by now too: the page asks for the address again.
        late = client.post(
            CODE, {"contact": "amira@example.org", "code": mailed_code(mailoutbox)}
        )
    assert "Koden gælder ikke længere" in late.content.decode()
    assert SignUp.objects.exists()


def test_a_used_code_cannot_be_used_again(
    client, streets, signed_up, asked, mailoutbox
):
    signed_up(email="amira@example.org")
    asked("amira@example.org")
    code = mailed_code(mailoutbox)
    client.post(CODE, {"code": code})
    again = client.post(CODE, {"contact": "amira@example.org", "code": code})
    assert "Koden gælder ikke længere" in again.content.decode()


def test_a_phone_only_resident_gets_the_code_by_a_text_message_staff_send(
    client, streets, signed_up, asked, personas, safety_advisor, coordinator, staff
):
    signed_up()  # the phone +45 31 22 33 44, no e-mail
    page = asked("31 22 33 44")
    assert "sender en medarbejder" in page.content.decode()
    told = Notification.objects.filter(kind=Notification.Kind.WITHDRAWAL_CODE)
    assert {n.user for n in told} == {safety_advisor, coordinator}
    text = told.first().text
    assert text.startswith("Send en sms til +45 31 22 33 44: »Din kode til at afmelde")
    code = re.search(r"\b(\d{6})\b", text)[1]
    # A working day later, on another device: the number again, and the code.
    client.cookies.clear()
    form = client.get(CODE)
    assert 'name="contact"' in form.content.decode()
    response = client.post(CODE, {"contact": "+45 31 22 33 44", "code": code})
    assert response["Location"] == WITHDRAWN_ALL
    assert not SignUp.objects.exists()  # waiting: deleted, as if rejected


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        ("", "Skriv din e-mail eller dit telefonnummer."),
        ("amira@", "Skriv en gyldig e-mailadresse"),
        ("ring mig op", "Skriv en e-mailadresse eller et telefonnummer"),
    ],
)
def test_what_cannot_be_an_address_is_refused_by_the_field_and_kept(
    client, db, contact, message
):
    response = client.post(START, {"contact": contact})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'value="{contact}"' in html or not contact
    assert not WithdrawalRequest.objects.exists()


def test_a_code_that_is_not_six_digits_is_refused_by_its_field(
    client, streets, signed_up, asked, mailoutbox
):
    signed_up(email="amira@example.org")
    asked("amira@example.org")
    response = client.post(CODE, {"code": "12ab"})
    assert "Koden er seks cifre." in response.content.decode()
    request = WithdrawalRequest.objects.get()
    assert request.tries == 0


def test_the_code_page_without_a_request_asks_for_the_address_and_finds_none(
    client, db
):
    page = client.get(CODE)
    assert 'name="contact"' in page.content.decode()
    response = client.post(CODE, {"contact": "amira@example.org", "code": "123456"})
    assert "Koden passer ikke" in response.content.decode()


def test_asking_for_codes_shares_the_withdrawal_limit(client, db):
    limit = int(RATE.split("/")[0])
    for n in range(limit):
        client.post(START, {"contact": f"guess{n}@example.org"})
    response = client.post(START, {"contact": "amira@example.org"})
    assert response.status_code == 429
    assert WithdrawalRequest.objects.count() == limit


def test_the_code_pages_take_no_other_methods(client, db):
    assert client.put(START).status_code == 405
    assert client.put(CODE).status_code == 405
    assert client.post(WITHDRAWN_ALL).status_code == 405


def test_the_nightly_retention_deletes_requests_whose_codes_are_dead(
    client, streets, signed_up, asked, mailoutbox
):
    from safety.tasks import apply_retention

    with time_machine.travel(MAY_4, tick=False) as clock:
        signed_up(email="amira@example.org")
        asked("amira@example.org")
        clock.shift(datetime.timedelta(hours=23))
        assert apply_retention()["withdrawal_requests"] == 0
        clock.shift(datetime.timedelta(hours=2))
        assert apply_retention()["withdrawal_requests"] == 1
    assert not WithdrawalRequest.objects.exists()
    assert SignUp.objects.exists()


def test_the_link_is_kept_in_no_session_and_the_next_resident_does_not_see_it(
    client, streets, signed_up
):
    link = signed_up()
    secret = link.rstrip("/").rsplit("/", 1)[1]
    # The browser holds it, signed, for the thank-you page alone; the portal not.
    assert secret in client.cookies["nabohjaelp_link"].value
    assert not any(
        secret in str(session.get_decoded()) for session in Session.objects.all()
    )
    # The same tablet, the next resident: the form again, and the link is gone.
    client.get(PAGE)
    assert not LINK.search(client.get(THANKS).content.decode())


def test_an_address_gets_at_most_three_of_our_mails_a_day(
    client, streets, signed_up, mailoutbox
):
    for n in range(4):
        signed_up(email="someone@example.org", name=f"Navn {n}", number=str(n + 1))
    assert len(mailoutbox) == 3


def test_the_link_keeps_its_language_on_the_way_and_nothing_else(
    client, streets, signed_up
):
    secret = signed_up().rstrip("/").rsplit("/", 1)[1]
    link = reverse("nabohjaelp:withdraw", args=[secret])
    assert client.get(link, {"lang": "so"})["Location"] == f"{CONFIRM}?lang=so"
    odd = client.get(link, {"lang": "so\r\nSet-Cookie: x=1&next=//evil.example"})
    assert odd["Location"] == CONFIRM


def test_staff_confirming_a_sign_up_the_resident_withdrew_meanwhile_change_nothing(
    client, streets, signed_up, staff
):
    signed_up()
    signup = SignUp.objects.get()
    pk = signup.pk
    stale = SignUp.objects.get(pk=pk)  # staff's page, loaded before
    signup.erase()  # the resident's link, between staff's page and their click
    assert stale.confirm(by=staff) is False  # no error, and nothing written back
    assert not SignUp.objects.exists()
    client.force_login(staff)
    response = client.post(reverse("safety:signup_confirm", args=[pk]))
    assert response.status_code == 404


def test_a_sign_up_confirmed_twice_at_once_is_confirmed_once(streets, staff):
    from safety.conftest import make_signup

    signup = make_signup(streets[1], status=SignUp.Status.TO_CONFIRM)
    other = SignUp.objects.get(pk=signup.pk)
    assert signup.confirm(by=staff) is True
    assert other.confirm(by=staff) is False
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.ACTIVE


# --- What the residents' pages cost --------------------------------------------------


def test_the_residents_pages_cost_a_fixed_number_of_queries(
    client, streets, signed_up, asked, mailoutbox, django_assert_num_queries
):
    link = signed_up(email="amira@example.org")
    client.get(path(link))  # the secret into its cookie
    with django_assert_num_queries(4):
        # the area, the consent text, the departments (their streets as hints
        # and the form's choices, read in one go)
        client.get(PAGE)
    with django_assert_num_queries(5):
        client.get(PAGE, {"lang": "ar"})  # and the consent text's translation
    with django_assert_num_queries(1):
        client.get(THANKS)  # the area; the link is in a cookie
    with django_assert_num_queries(2):
        client.get(CONFIRM)  # the sign-up by its secret, its area
    with django_assert_num_queries(0):
        client.get(START)
    with django_assert_num_queries(1):
        client.get(WITHDRAWN)  # the area
    with django_assert_num_queries(0):
        client.get(WITHDRAWN_ALL)
    asked("amira@example.org")
    with django_assert_num_queries(5):
        # the session, the request it names, and the session's renewal (3)
        client.get(CODE)
