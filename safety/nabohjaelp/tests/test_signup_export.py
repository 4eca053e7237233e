"""Sign-ups out as CSV and Excel: the list's filter, the import's columns."""

import csv
import datetime
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.urls import reverse

from boligsocial.spreadsheets import export_file
from safety.conftest import make_signup
from safety.models import SignUp
from safety.nabohjaelp.exports import signups_dataset

pytestmark = pytest.mark.usefixtures("frozen_today")

HEADERS = [
    "Område",
    "Afdelingsnummer",
    "Navn",
    "Vej",
    "Husnummer",
    "Etage/dør",
    "Telefon",
    "E-mail",
    "Kanal",
    "Tilmeldt",
    "Samtykke givet",
    "Ambassadør",
    "Note",
    "Status",
]
CSV = reverse("safety:signup_export", args=["csv"])
XLSX = reverse("safety:signup_export", args=["xlsx"])


@pytest.fixture
def signups(streets) -> list[SignUp]:
    """Amira (Rising Øst), Bo (Rising Vest, ambassador), Carla (Vollsmose)."""
    east, west, north = streets
    return [
        make_signup(east, name="Amira Hansen", note="Har hund"),
        make_signup(
            west,
            name="Bo Jensen",
            number="3B",
            floor_door="",
            phone="",
            email="bo@example.org",
            channel=SignUp.Channel.EVENT,
            signed_up_on=datetime.date(2026, 4, 1),
            is_ambassador=True,
        ),
        make_signup(north, name="Carla Nielsen"),
    ]


def csv_lines(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(StringIO(text.removeprefix("\ufeff"))))


def test_staff_export_the_filtered_sign_ups_as_csv(client, staff, signups, rising):
    client.force_login(staff)
    response = client.get(CSV, {"area": rising.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *lines = csv_lines(response)
    assert header == HEADERS
    assert lines == [
        [
            "Rising",
            "11",
            "Amira Hansen",
            "Rising Allé",
            "12",
            "2. tv",
            "20 12 34 56",
            "",
            "Dørbank",
            "2026-05-04",
            "2026-05-04",
            "nej",
            "Har hund",
            "Aktiv",
        ],
        [
            "Rising",
            "12",
            "Bo Jensen",
            "Vestergade",
            "3B",
            "",
            "",
            "bo@example.org",
            "Arrangement eller møde",
            "2026-04-01",
            "2026-05-04",
            "ja",
            "",
            "Aktiv",
        ],
    ]


def test_the_excel_export_honours_the_filter_too(client, coordinator, signups):
    client.force_login(coordinator)
    response = client.get(XLSX, {"is_ambassador": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert [row[2] for row in rows[1:]] == ["Bo Jensen"]


def test_a_withdrawn_sign_up_is_exported_without_the_person(
    client, safety_advisor, signups
):
    signups[0].withdraw()
    client.force_login(safety_advisor)
    response = client.get(CSV, {"status": SignUp.Status.WITHDRAWN})
    _, line = csv_lines(response)
    assert line == [
        "Rising",
        *[""] * 7,
        "Dørbank",
        "2026-05-01",
        "",
        "nej",
        "",
        "Udmeldt",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_name_that_looks_like_a_formula_stays_text(streets, fmt):
    """A resident's own sign-up must not run in Excel (CSV injection)."""
    make_signup(streets[0], name='=HYPERLINK("http://evil.example","Klik")')
    content, _ = export_file(signups_dataset(SignUp.objects.for_list()), fmt)
    if fmt == "csv":
        assert "'=HYPERLINK(" in content
        assert ",=HYPERLINK" not in content
    else:
        cell = openpyxl.load_workbook(BytesIO(content)).active["C2"]
        assert cell.data_type == "s"
        assert cell.value.startswith("'=HYPERLINK(")


def test_the_export_costs_the_same_queries_for_many_rows(
    client, staff, streets, django_assert_num_queries
):
    for number in range(5):
        make_signup(streets[number % 3], name=f"Person {number}")
    client.force_login(staff)
    client.get(CSV)
    # Session, user, the count (small enough to download at once), the sign-ups;
    # then the session is saved (three).
    with django_assert_num_queries(8):
        response = client.get(CSV)
    assert len(csv_lines(response)) == 6


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["advisor", "partner", "admin"])
@pytest.mark.parametrize("url", [CSV, XLSX])
def test_other_roles_may_not_export_sign_ups(client, personas, role, url):
    client.force_login(personas[role])
    assert client.get(url).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(CSV)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_export_refuses_the_wrong_method(client, staff):
    client.force_login(staff)
    assert client.post(CSV).status_code == 405


def test_an_unknown_format_is_not_found(client, staff):
    client.force_login(staff)
    response = client.get(reverse("safety:signup_export", args=["pdf"]))
    assert response.status_code == 404
