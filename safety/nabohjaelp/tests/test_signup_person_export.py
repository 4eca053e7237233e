"""A Nabohjælp participant's right of access: everything held on them, as one
workbook, from their sign-up's page."""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from safety.conftest import make_signup
from safety.models import ConsentText, SignUp


def url(signup) -> str:
    return reverse("safety:signup_person_export", args=[signup.pk])


def workbook(response) -> dict[str, list[list]]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "nabohjaelp-indsigt-" in response["Content-Disposition"]
    book = openpyxl.load_workbook(BytesIO(response.content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def test_the_person_gets_their_sign_ups_and_the_consent_text_they_accepted(
    client, staff, departments
):
    signup = make_signup(
        departments[0], email="amira@example.org", note="Ring efter 17"
    )
    again = make_signup(departments[0], channel=SignUp.Channel.EVENT)
    make_signup(departments[0], name="Bo Nielsen")  # someone else at the address
    client.force_login(staff)
    assert (
        url(signup)
        in client.get(
            reverse("safety:signup_detail", args=[signup.pk])
        ).content.decode()
    )

    sheets = workbook(client.get(url(signup)))
    signups, consents = sheets.values()
    cells = [cell for row in signups for cell in row]
    assert "Amira Hansen" in cells and "amira@example.org" in cells
    assert "Ring efter 17" in cells
    assert again.get_channel_display() in cells
    assert "Bo Nielsen" not in cells
    assert len(signups) == 1 + 2  # the headers, then both of Amira's
    assert consents[1][2] == ConsentText.current().text


def test_text_that_looks_like_a_formula_stays_text(client, staff, departments):
    signup = make_signup(departments[0], note='=HYPERLINK("http://x")')
    client.force_login(staff)
    signups = next(iter(workbook(client.get(url(signup))).values()))
    assert '\'=HYPERLINK("http://x")' in [c for row in signups for c in row]


@pytest.mark.parametrize("who", ["partner", "advisor"])
def test_no_one_who_may_not_see_sign_ups_learns_of_one(
    client, request, who, departments
):
    signup = make_signup(departments[0])
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(signup)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, departments):
    signup = make_signup(departments[0])
    assert client.get(url(signup)).url.startswith(reverse("login"))


def test_it_takes_only_get(client, staff, departments):
    signup = make_signup(departments[0])
    client.force_login(staff)
    assert client.post(url(signup)).status_code == 405


def test_an_unknown_sign_up_is_not_found(client, staff, db):
    client.force_login(staff)
    response = client.get(reverse("safety:signup_person_export", args=[999999]))
    assert response.status_code == 404
