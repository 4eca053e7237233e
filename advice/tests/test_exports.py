"""The advice lists out as CSV and Excel: the access log's raw rows (coordinators),
the Udsættelsesnetværk figures, and the figure tables as the page shows them."""

import csv
import datetime
from io import BytesIO, StringIO

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from advice.models import CaseAccess, log_access
from boligsocial.models import Organisation, Role
from conftest import make_user

from .conftest import make_case, make_household
from .test_network import make_report

pytestmark = pytest.mark.usefixtures("frozen_today")

LOG_CSV = reverse("advice:access_log_export", args=["csv"])
LOG_XLSX = reverse("advice:access_log_export", args=["xlsx"])
NETWORK_CSV = reverse("advice:network_export", args=["csv"])
NETWORK_XLSX = reverse("advice:network_export", args=["xlsx"])


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(StringIO(text[1:])))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def logged_at(moment: datetime.datetime, user, case, action, **kwargs) -> CaseAccess:
    with time_machine.travel(timezone.make_aware(moment), tick=False):
        return log_access(user, case, action, **kwargs)


@pytest.fixture
def history(advisor, other_advisor, case, departments):
    """Three views in a row by the advisor (one working session), a change, and
    another case viewed by the other advisor with a formula-like reason."""
    other = make_case(make_household(departments[1], name="Anden"), advisors=[])
    for minute in (0, 1, 2):
        logged_at(datetime.datetime(2026, 4, 20, 9, minute), advisor, case, "view")
    logged_at(datetime.datetime(2026, 4, 20, 9, 3), advisor, case, "edit")
    logged_at(
        datetime.datetime(2026, 4, 28, 14, 0),
        other_advisor,
        other,
        "view",
        purpose=CaseAccess.Purpose.COVER,
        reason="=HYPERLINK(1)",
    )
    return {"case": case, "other": other}


# --- The access log -------------------------------------------------------------


def test_a_coordinator_exports_every_raw_row_under_the_filter(
    client, coordinator, advisor, history
):
    client.force_login(coordinator)
    header, *rows = xlsx_rows(client.get(LOG_XLSX, {"case_number": history["case"].pk}))
    assert header == (
        "Tidspunkt",
        "Sagsnummer",
        "Bruger",
        "Handling",
        "Formål",
        "Begrundelse",
    )
    # Four rows, one per entry, as the log holds them: nothing grouped.
    assert [row[0] for row in rows] == [
        datetime.datetime(2026, 4, 20, 9, minute) for minute in (3, 2, 1, 0)
    ]
    assert {row[1] for row in rows} == {history["case"].pk}
    assert {row[2] for row in rows} == {f"Advisor ({advisor.username})"}


def test_the_log_export_filters_by_dates_and_keeps_formulas_as_text(
    client, coordinator, history
):
    client.force_login(coordinator)
    header, *rows = csv_rows(client.get(LOG_CSV, {"at_from": "2026-04-25"}))
    assert len(rows) == 1
    assert rows[0][0] == "2026-04-28 14:00"
    assert rows[0][5] == "'=HYPERLINK(1)"


def test_the_log_export_names_no_household(client, coordinator, history):
    client.force_login(coordinator)
    content = client.get(LOG_CSV).content.decode()
    assert "Anden" not in content and "Hansen" not in content


def test_a_bad_log_filter_goes_back_to_the_log(client, coordinator, history):
    client.force_login(coordinator)
    response = client.get(LOG_CSV, {"case_number": "abc"})
    assert response.status_code == 302
    assert response.url == reverse("advice:access_log") + "?case_number=abc"


@pytest.mark.parametrize(
    "role", ["staff", "advisor", "safety_advisor", "partner", "admin"]
)
def test_only_coordinators_export_the_log(client, personas, history, role):
    client.force_login(personas[role])
    assert client.get(LOG_CSV).status_code == 403


def test_the_log_export_takes_only_get_and_asks_strangers_to_log_in(
    client, coordinator
):
    response = client.get(LOG_CSV)
    assert response.status_code == 302 and "/login/" in response.url
    client.force_login(coordinator)
    assert client.post(LOG_CSV).status_code == 405


def test_the_log_export_costs_the_same_queries_for_few_and_many(
    client, coordinator, advisor, history, django_assert_num_queries
):
    client.force_login(coordinator)
    client.get(LOG_CSV)
    # Session, user, device; the count, the rows with their users; the session
    # saved (three).
    with django_assert_num_queries(8):
        client.get(LOG_CSV)
    for day in range(1, 6):
        logged_at(
            datetime.datetime(2026, 3, day, 9, 0), advisor, history["case"], "view"
        )
    with django_assert_num_queries(8):
        assert len(csv_rows(client.get(LOG_CSV))) == 11


# --- Udsættelsesnetværket ----------------------------------------------------------


def test_the_network_figures_export_the_year_and_the_year_before(
    client, advisor, housing_org
):
    make_report(housing_org, 2026, note="=foreløbige tal")
    make_report(housing_org, 2025, evictions=5)
    Organisation.objects.create(
        name="Andet Boligselskab", kind=Organisation.Kind.HOUSING, is_demo=True
    )
    client.force_login(advisor)
    response = client.get(NETWORK_XLSX, {"year": 2026})
    assert "udsaettelsesnetvaerket-2026.xlsx" in response["Content-Disposition"]
    header, *rows = xlsx_rows(response)
    assert header[:6] == (
        "År",
        "Boligorganisation",
        "Rykkerskrivelser sendt",
        "Betalt eller aftalt",
        "Sager i fogedretten",
        "Udsættelser",
    )
    by_key = {(row[0], row[1]): row for row in rows}
    assert by_key[(2026, housing_org.name)][2:7] == (120, 90, 14, 3, "'=foreløbige tal")
    assert by_key[(2025, housing_org.name)][5] == 5
    # Not reported is not a 0.
    assert by_key[(2026, "Andet Boligselskab")][2:7] == (
        None,
        None,
        None,
        None,
        "Ikke indberettet",
    )


def test_a_housing_partner_exports_the_network_figures(client, housing_org):
    partner = make_user(
        "drift", Role.PARTNER, organisation=housing_org.name, areas=["rising"]
    )
    make_report(housing_org, 2026)
    client.force_login(partner)
    header, *rows = csv_rows(client.get(NETWORK_CSV))
    assert ["2026", housing_org.name, "120"] == rows[0][:3]


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "partner", "admin"])
def test_roles_outside_the_network_cannot_export_its_figures(client, personas, role):
    client.force_login(personas[role])
    assert client.get(NETWORK_CSV).status_code == 403


def test_the_network_export_takes_only_get_and_known_formats(client, advisor):
    client.force_login(advisor)
    assert client.post(NETWORK_CSV).status_code == 405
    url = reverse("advice:network_export", args=["pdf"])
    assert client.get(url).status_code == 404


def test_the_network_page_links_its_export_for_the_year(client, advisor):
    client.force_login(advisor)
    page = client.get(reverse("advice:network"), {"year": 2025}).content.decode()
    assert f'href="{NETWORK_XLSX}?year=2025"' in page


# --- The figure tables -----------------------------------------------------------


def test_the_figure_tables_export_as_the_page_shows_them(client, advisor, case):
    client.force_login(advisor)
    page = client.get(reverse("advice:advice_figures"), {"year": 2026})
    url = reverse("advice:advice_figures_export", args=["advice", "xlsx"])
    assert f'href="{url}?year=2026"' in page.content.decode()
    header, *rows = xlsx_rows(client.get(url, {"year": 2026}))
    assert header[0] == page.context["tables"][0].columns[0]
    assert len(rows) == len(page.context["tables"][0].dataset())


def test_outside_the_advice_team_the_exported_figures_are_suppressed(
    client, staff, case
):
    client.force_login(staff)
    url = reverse("advice:advice_figures_export", args=["advice", "csv"])
    rows = csv_rows(client.get(url, {"year": 2026}))
    assert "<5" in {cell for row in rows for cell in row}


def test_an_unknown_table_or_a_bad_period_is_refused(client, advisor):
    client.force_login(advisor)
    url = reverse("advice:advice_figures_export", args=["nothing", "csv"])
    assert client.get(url).status_code == 404
    url = reverse("advice:advice_figures_export", args=["advice", "csv"])
    response = client.get(url, {"start": "2026-05-01"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("advice:advice_figures") + "?")
