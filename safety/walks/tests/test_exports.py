# ruff: noqa: F811 - the walks' fixtures are imported from their own tests.
"""Walks and findings out as CSV and Excel: the list's filter, the list's rows for
the person (a partner its own organisation's findings), and nothing wider."""

import csv
import datetime
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.urls import reverse

from boligsocial.models import Area, Organisation, Role
from conftest import make_user
from safety.models import Finding, Walk

# The walks' fixtures, shared with their own tests.
from .test_walks import NOW, lighting, make_finding, police, vandalism, walk  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen_today")

FINDINGS_CSV = reverse("safety:finding_export", args=["csv"])
FINDINGS_XLSX = reverse("safety:finding_export", args=["xlsx"])
WALKS_CSV = reverse("safety:walk_export", args=["csv"])
WALKS_XLSX = reverse("safety:walk_export", args=["xlsx"])


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(StringIO(text[1:])))


def xlsx_rows(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def ssp(db) -> Organisation:
    return Organisation.objects.get(name="SSP Odense")


@pytest.fixture
def findings(walk, police, ssp, vandalism, lighting) -> dict[str, Finding]:
    """Two of the police's (one fixed, one with a formula-like place), one of SSP's."""
    return {
        "police_open": make_finding(walk, police, vandalism, place="=1+2 ved stien"),
        "police_fixed": make_finding(
            walk,
            police,
            lighting,
            place="Lygten ved nr. 3",
            status=Finding.Status.FIXED,
            fixed_at=NOW,
        ),
        "ssp": make_finding(walk, ssp, vandalism, place="Legepladsen"),
    }


# --- Findings ------------------------------------------------------------------------


def test_staff_export_the_findings_under_the_filter(client, staff, findings):
    client.force_login(staff)
    response = client.get(FINDINGS_CSV, {"status": "fixed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="fund-2026-05-04.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:5] == ["Nummer", "Fundet", "Område", "Kategori", "Sted"]
    assert [row[4] for row in rows] == ["Lygten ved nr. 3"]


def test_a_partner_exports_exactly_the_findings_routed_to_its_organisation(
    client, partner, findings
):
    client.force_login(partner)
    header, *rows = xlsx_rows(client.get(FINDINGS_XLSX))
    assert {row[0] for row in rows} == {
        findings["police_open"].pk,
        findings["police_fixed"].pk,
    }
    assert {row[header.index("Ansvarlig")] for row in rows} == {"Fyns Politi"}


def test_excel_holds_dates_as_dates_and_formula_like_text_as_text(
    client, staff, findings
):
    client.force_login(staff)
    response = client.get(FINDINGS_XLSX, {"category": findings["ssp"].category_id})
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    places = {sheet.cell(row=r, column=5).value for r in range(2, sheet.max_row + 1)}
    assert "'=1+2 ved stien" in places
    found = sheet.cell(row=2, column=header.index("Fundet") + 1)
    due = sheet.cell(row=2, column=header.index("Frist") + 1)
    assert found.value == datetime.datetime(2026, 5, 4, 10, 0)  # Danish local time
    assert found.number_format == "DD.MM.YYYY HH:MM"
    assert due.value == datetime.datetime(2026, 5, 11)
    assert due.number_format == "DD.MM.YYYY"


def test_csv_neutralises_formula_like_text_too(client, staff, findings):
    client.force_login(staff)
    rows = csv_rows(client.get(FINDINGS_CSV))
    assert "'=1+2 ved stien" in [row[4] for row in rows]


def test_an_invalid_filter_goes_back_to_the_list_with_it(client, staff, findings):
    client.force_login(staff)
    response = client.get(FINDINGS_CSV, {"found_from": "not a date"})
    assert response.status_code == 302
    assert response.url == reverse("safety:finding_map") + "?found_from=not+a+date"
    page = client.get(response.url)
    assert "Filteret er ugyldigt" in page.content.decode()


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_roles_without_the_findings_list_cannot_export_it(client, personas, role):
    client.force_login(personas[role])
    assert client.get(FINDINGS_CSV).status_code == 403


def test_a_partner_of_an_organisation_with_no_findings_gets_an_empty_sheet(
    client, findings
):
    outsider = make_user(
        "kommune",
        Role.PARTNER,
        organisation="Odense Kommune, Sundhedsforvaltningen",
        areas=["vollsmose"],
    )
    client.force_login(outsider)
    header, *rows = csv_rows(client.get(FINDINGS_CSV))
    assert header[0] == "Nummer" and rows == []


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(FINDINGS_CSV)
    assert response.status_code == 302 and "/login/" in response.url


def test_export_takes_only_get(client, staff):
    client.force_login(staff)
    assert client.post(FINDINGS_CSV).status_code == 405
    assert client.post(WALKS_CSV).status_code == 405


def test_an_unknown_format_is_not_found(client, staff):
    client.force_login(staff)
    url = reverse("safety:finding_export", args=["pdf"])
    assert client.get(url).status_code == 404


def test_the_map_links_the_export_with_its_filter(client, staff, findings):
    client.force_login(staff)
    page = client.get(reverse("safety:finding_map"), {"status": "open"})
    assert f'href="{FINDINGS_XLSX}?status=open"' in page.content.decode()


def test_the_export_costs_the_same_queries_for_few_and_many(
    client, staff, walk, police, vandalism, django_assert_num_queries
):
    make_finding(walk, police, vandalism)
    client.force_login(staff)
    client.get(FINDINGS_XLSX)
    # Session, user, device; the count, the findings; the session saved (three).
    with django_assert_num_queries(8):
        client.get(FINDINGS_XLSX)
    for n in range(10):
        make_finding(walk, police, vandalism, place=f"Sted {n}")
    with django_assert_num_queries(8):
        assert len(xlsx_rows(client.get(FINDINGS_XLSX))) == 12


# --- Walks ---------------------------------------------------------------------------


def test_walks_export_under_the_filter_with_their_organisations(
    client, staff, walk, police, rising
):
    walk.organisations.set([police])
    Walk.objects.create(
        area=Area.objects.get(slug="vollsmose"),
        starts_at=NOW - datetime.timedelta(days=3),
        status=Walk.Status.HELD,
        route='=HYPERLINK("x")',
    )
    client.force_login(staff)
    header, *rows = xlsx_rows(client.get(WALKS_XLSX, {"area": rising.pk}))
    assert header[:3] == ("Tidspunkt", "Område", "Status")
    assert len(rows) == 1
    when, area, status, _route, organisations, residents, found = rows[0][:7]
    assert when == datetime.datetime(2026, 5, 4, 8, 0)
    assert (area, status, organisations, residents, found) == (
        "Rising",
        "Gennemført",
        "Fyns Politi",
        4,
        0,
    )
    everything = csv_rows(client.get(WALKS_CSV))
    assert '\'=HYPERLINK("x")' in [row[3] for row in everything]


def test_a_partner_exports_the_walks_of_its_areas_only(client, partner, walk):
    Walk.objects.create(
        area=Area.objects.get(slug="vollsmose"),
        starts_at=NOW - datetime.timedelta(days=3),
        status=Walk.Status.HELD,
    )
    client.force_login(partner)
    header, *rows = csv_rows(client.get(WALKS_CSV))
    assert [row[1] for row in rows] == ["Rising"]
    # Another area named in the filter is not one it can choose.
    other = Area.objects.get(slug="vollsmose").pk
    response = client.get(WALKS_CSV, {"area": other})
    assert response.status_code == 302


def test_the_walk_list_filters_and_links_the_export(client, staff, walk, rising):
    client.force_login(staff)
    page = client.get(reverse("safety:walk_list"), {"status": "held"})
    html = page.content.decode()
    assert 'data-testid="walk-filter"' in html
    assert f'href="{WALKS_CSV}?status=held"' in html
    assert walk.get_absolute_url() in html
    page = client.get(reverse("safety:walk_list"), {"status": "cancelled"})
    assert walk.get_absolute_url() not in page.content.decode()
