"""A Nabohjælp participant's erasure on request: every sign-up of theirs (the
ones the right-of-access workbook gives) erased in one step from a sign-up's
page, journalled, with the figures of the months they counted kept."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from boligsocial import journal
from boligsocial.models import Area, Role
from boligsocial.periods import Period
from conftest import make_user
from safety.conftest import TODAY, make_signup
from safety.models import SignUp
from safety.nabohjaelp.figures import signup_figures
from tests.database import found_in_database

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("safety:signup_list")
MARCH = datetime.date(2026, 3, 10)


def url(signup) -> str:
    return reverse("safety:signup_erase", args=[signup.pk])


def shown(*signups) -> dict:
    """What the confirmation page posts: each sign-up it listed, at its version."""
    return {"shown": [f"{s.pk}:{s.version}" for s in signups]}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def amira(departments) -> list[SignUp]:
    """Amira signed up at the door in March and again at an event in April; the
    public page's copy from this month waits for confirmation."""
    return [
        make_signup(departments[0], signed_up_on=MARCH, note="Ring efter 17"),
        make_signup(
            departments[0],
            channel=SignUp.Channel.EVENT,
            signed_up_on=datetime.date(2026, 4, 2),
            email="amira@example.org",
        ),
        make_signup(
            departments[0],
            name="amira hansen",
            channel=SignUp.Channel.PUBLIC_PAGE,
            status=SignUp.Status.TO_CONFIRM,
        ),
    ]


@pytest.fixture
def neighbour(departments) -> SignUp:
    """Someone else at the same address."""
    return make_signup(departments[0], name="Bo Nielsen", signed_up_on=MARCH)


def figures_until_april() -> list:
    figures = signup_figures(
        areas=Area.objects.filter(slug="rising"),
        period=Period(datetime.date(2026, 1, 1), datetime.date(2026, 4, 30)),
        today=TODAY,
    )
    row = figures.rows[0]
    return [row.active, row.monthly, row.new_by_channel, row.active_at_start]


# --- The page ---------------------------------------------------------------------


def test_the_page_lists_exactly_the_sign_ups_that_will_be_erased(
    client, staff, amira, neighbour
):
    client.force_login(staff)
    detail = client.get(amira[0].get_absolute_url()).content.decode()
    assert url(amira[0]) in detail

    response = client.get(url(amira[0]))

    assert response.status_code == 200
    assert [s.pk for s in response.context["signups"]] == [s.pk for s in amira]
    page = response.content.decode()
    assert page.count('data-testid="signup-to-erase"') == 3
    assert "Bo Nielsen" not in page
    for text in ("Vej 12, 2. tv", "Rising", "Skal bekræftes", "10.03.2026"):
        assert text in page


def test_opening_the_page_erases_nothing(client, staff, amira):
    client.force_login(staff)
    client.get(url(amira[0]))
    assert SignUp.objects.current().count() == 3
    assert list(journal.entries()) == []


# --- Erasing ----------------------------------------------------------------------


def test_staff_erase_every_sign_up_of_the_person_in_one_step(
    client, staff, amira, neighbour
):
    first, second, waiting = amira
    before = figures_until_april()
    client.force_login(staff)

    response = client.post(url(second), shown(*amira))

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert "slettet fra 3 tilmeldinger" in messages_of(response)[0]
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.status, second.status} == {SignUp.Status.WITHDRAWN}
    assert (first.name, second.email, first.note) == ("", "", "")
    # The one waiting for confirmation never counted: it is gone, as if rejected.
    assert not SignUp.objects.filter(pk=waiting.pk).exists()
    neighbour.refresh_from_db()
    assert (neighbour.name, neighbour.status) == ("Bo Nielsen", SignUp.Status.ACTIVE)
    assert found_in_database(["Amira", "amira@example", "Ring efter"]) == []
    assert sorted((e["model"], e["action"], e["pk"]) for e in journal.entries()) == (
        sorted(
            [
                ("safety.signup", "withdraw", first.pk),
                ("safety.signup", "withdraw", second.pk),
                ("safety.signup", "delete", waiting.pk),
            ]
        )
    )
    # The months they counted stay as they were.
    assert figures_until_april() == before
    # Nothing is left to give on a right-of-access request.
    export = reverse("safety:signup_person_export", args=[second.pk])
    assert client.get(export).status_code == 404


def test_a_coordinator_and_a_tryghedsraadgiver_may_erase_too(
    client, safety_advisor, coordinator, departments
):
    for user in (safety_advisor, coordinator):
        signup = make_signup(departments[0], name=f"Person {user.username}")
        client.force_login(user)
        assert client.post(url(signup), shown(signup)).status_code == 302
        signup.refresh_from_db()
        assert signup.status == SignUp.Status.WITHDRAWN


def test_sent_twice_the_second_finds_nothing_left_and_erases_nothing_more(
    client, staff, amira, neighbour
):
    client.force_login(staff)
    data = shown(*amira)
    client.post(url(amira[0]), data)
    after_first = list(SignUp.objects.order_by("pk").values())
    lines = list(journal.entries())

    again = client.post(url(amira[0]), data)

    assert again.status_code == 302
    assert again["Location"] == LIST
    assert messages_of(again)[-1] == "Personens oplysninger var allerede slettet."
    assert list(SignUp.objects.order_by("pk").values()) == after_first
    assert list(journal.entries()) == lines


def test_erasing_from_the_waiting_sign_up_then_again_is_not_found(client, staff, amira):
    client.force_login(staff)
    waiting = amira[2]
    assert client.post(url(waiting), shown(*amira)).status_code == 302
    assert client.post(url(waiting), shown(*amira)).status_code == 404
    assert len(list(journal.entries())) == 3


# --- Changed while the page was open ------------------------------------------------


def test_a_sign_up_edited_after_the_page_was_shown_stops_the_erasure(
    client, staff, amira
):
    client.force_login(staff)
    data = shown(*amira)
    SignUp.objects.filter(pk=amira[1].pk).update(version=amira[1].version + 1)

    response = client.post(url(amira[0]), data, follow=True)

    assert response.redirect_chain == [(url(amira[0]), 302)]
    assert "mens du havde siden åben" in messages_of(response)[0]
    assert SignUp.objects.current().count() == 3
    assert list(journal.entries()) == []
    # The page comes back with the list as it is now, ready to send again.
    again = client.post(url(amira[0]), shown(*response.context["signups"]))
    assert again.status_code == 302
    assert SignUp.objects.current().count() == 0


def test_a_sign_up_of_the_person_added_after_the_page_was_shown_stops_it(
    client, staff, amira, departments
):
    client.force_login(staff)
    data = shown(*amira)
    make_signup(departments[0], channel=SignUp.Channel.OTHER)

    response = client.post(url(amira[0]), data, follow=True)

    assert response.redirect_chain == [(url(amira[0]), 302)]
    assert SignUp.objects.current().count() == 4
    assert len(response.context["signups"]) == 4


@pytest.mark.parametrize("sent", [{}, {"shown": ["x:1", "12", ""]}])
def test_a_post_without_the_list_the_page_showed_erases_nothing(
    client, staff, amira, sent
):
    client.force_login(staff)
    response = client.post(url(amira[0]), sent)
    assert (response.status_code, response["Location"]) == (302, url(amira[0]))
    assert SignUp.objects.current().count() == 3


# --- The door -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["advisor", "partner", "admin_user"])
def test_no_one_who_may_not_keep_sign_ups_learns_of_one_or_erases_it(
    client, request, who, amira
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(amira[0])).status_code == 404
    assert client.post(url(amira[0]), shown(*amira)).status_code == 404
    assert SignUp.objects.current().count() == 3


def test_a_partner_of_another_organisation_and_area_gets_not_found(client, amira):
    outsider = make_user(
        "ssp", Role.PARTNER, organisation="SSP Odense", areas=["vollsmose"]
    )
    client.force_login(outsider)
    assert client.post(url(amira[0]), shown(*amira)).status_code == 404
    assert SignUp.objects.current().count() == 3


def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_is_erased(client, amira):
    response = client.post(url(amira[0]), shown(*amira))
    assert response.url.startswith(reverse("login"))
    assert SignUp.objects.current().count() == 3


def test_a_withdrawn_sign_ups_page_is_refused(client, staff, amira):
    amira[0].withdraw()
    client.force_login(staff)
    assert client.get(url(amira[0])).status_code == 403


def test_other_methods_are_refused(client, staff, amira):
    client.force_login(staff)
    assert client.put(url(amira[0])).status_code == 405


def test_the_person_renamed_while_the_page_was_open_is_listed_as_now(
    client, staff, amira
):
    client.force_login(staff)
    data = shown(*amira)
    for row in amira:
        SignUp.objects.filter(pk=row.pk).update(
            name="Amira Jensen", version=row.version + 1
        )

    response = client.post(url(amira[0]), data, follow=True)

    assert SignUp.objects.current().count() == 3
    assert [s.name for s in response.context["signups"]] == ["Amira Jensen"] * 3


def test_the_page_listing_the_persons_sign_ups_costs_eight_queries(
    client, staff, amira, django_assert_num_queries
):
    client.force_login(staff)
    client.get(url(amira[0]))
    with django_assert_num_queries(8):
        response = client.get(url(amira[0]))
    assert response.status_code == 200
