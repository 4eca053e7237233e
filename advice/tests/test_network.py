"""Udsættelsesnetværket: the housing organisations' yearly eviction figures side by
side, and each organisation entering its own."""

import pytest
from django.urls import reverse

from advice.models import EvictionReport
from boligsocial.models import Organisation, Role
from conftest import make_user

pytestmark = pytest.mark.usefixtures("frozen_today")

PAGE = reverse("advice:network")
MUNICIPALITY = "Odense Kommune, Beskæftigelses- og Socialforvaltningen"


def report_url(year: int = 2026) -> str:
    return reverse("advice:network_report", args=[year])


@pytest.fixture
def other_housing_org(db) -> Organisation:
    return Organisation.objects.create(
        name="Andet Boligselskab", kind=Organisation.Kind.HOUSING, is_demo=True
    )


@pytest.fixture
def housing_partner(housing_org):
    return make_user(
        "drift", Role.PARTNER, organisation=housing_org.name, areas=["rising"]
    )


@pytest.fixture
def municipality_partner(db):
    return make_user("kommune", Role.PARTNER, organisation=MUNICIPALITY)


def make_report(organisation, year=2026, by=None, **fields) -> EvictionReport:
    values = {
        "reminder_letters": 120,
        "reminders_settled": 90,
        "bailiff_cases": 14,
        "evictions": 3,
        **fields,
    }
    return EvictionReport.objects.create(
        organisation=organisation, year=year, updated_by=by, **values
    )


def report_data(**fields) -> dict:
    return {
        "reminder_letters": "150",
        "reminders_settled": "110",
        "bailiff_cases": "12",
        "evictions": "2",
        "note": "Tallene er foreløbige.",
        **fields,
    }


# --- The network page -----------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["housing_partner", "municipality_partner", "advisor", "coordinator"]
)
def test_the_network_sees_every_housing_organisation_side_by_side(
    client,
    who,
    housing_partner,
    municipality_partner,
    advisor,
    coordinator,
    housing_org,
    other_housing_org,
):
    user = {
        "housing_partner": housing_partner,
        "municipality_partner": municipality_partner,
        "advisor": advisor,
        "coordinator": coordinator,
    }[who]
    make_report(housing_org, by=housing_partner, note="Færre rykkere end sidst")
    make_report(housing_org, year=2025, reminder_letters=200)
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    this_year, last_year = response.context["network_years"]
    assert (this_year.year, last_year.year) == (2026, 2025)
    assert [org.name for org, _report in this_year.rows] == [
        "Andet Boligselskab",
        "Testboligselskabet",
    ]
    html = response.content.decode()
    assert "Færre rykkere end sidst" in html
    assert "Drift" in html  # who reported
    assert "Ikke indberettet" in html  # the other organisation
    assert [report for _org, report in last_year.rows][1].reminder_letters == 200


def test_only_a_housing_partner_is_offered_to_enter_their_figures(
    client, housing_partner, municipality_partner
):
    client.force_login(housing_partner)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="report-link"' in html
    assert report_url(2026) in html
    client.force_login(municipality_partner)
    assert 'data-testid="report-link"' not in client.get(PAGE).content.decode()


def test_a_chosen_year_shows_it_beside_the_year_before(
    client, coordinator, housing_org
):
    make_report(housing_org, year=2024, evictions=7)
    client.force_login(coordinator)
    response = client.get(PAGE, {"year": "2025"})
    this_year, last_year = response.context["network_years"]
    assert (this_year.year, last_year.year) == (2025, 2024)
    assert this_year.reported == 0
    assert last_year.totals["evictions"] == 7


@pytest.mark.parametrize("year", ["2027", "2014", "abc"])
def test_a_year_out_of_range_shows_this_year(client, coordinator, year):
    client.force_login(coordinator)
    assert client.get(PAGE, {"year": year}).context["year"] == 2026


def test_the_totals_count_only_the_organisations_that_reported(
    client, coordinator, housing_org, other_housing_org
):
    make_report(housing_org, evictions=3)
    make_report(other_housing_org, evictions=4, reminder_letters=10)
    client.force_login(coordinator)
    this_year = client.get(PAGE).context["network_years"][0]
    assert this_year.totals["evictions"] == 7
    assert this_year.totals["reminder_letters"] == 130


@pytest.mark.parametrize("who", ["partner", "staff", "safety_advisor"])
def test_others_may_not_see_the_network(client, personas, who):
    user = {"partner": personas[Role.PARTNER], "staff": personas[Role.STAFF]}.get(
        who, personas[Role.SAFETY_ADVISOR]
    )
    client.force_login(user)
    assert client.get(PAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_the_network(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_network_page_only_answers_get(client, coordinator):
    client.force_login(coordinator)
    assert client.post(PAGE).status_code == 405


@pytest.mark.parametrize("count", [1, 12])
def test_the_network_page_costs_the_same_queries_for_few_and_many_organisations(
    client, coordinator, housing_partner, django_assert_num_queries, count
):
    for n in range(count):
        org = Organisation.objects.create(
            name=f"Boligselskab {n}", kind=Organisation.Kind.HOUSING
        )
        make_report(org, by=housing_partner)
        make_report(org, year=2025, by=housing_partner)
    client.force_login(coordinator)
    # session, user, the 2FA device, 3 for the session's renewal, the
    # organisations, and the reports of both years with who reported them.
    with django_assert_num_queries(8):
        response = client.get(PAGE)
    assert response.status_code == 200


# --- Entering the figures -------------------------------------------------------------


def test_a_housing_partner_enters_their_figures_for_the_year(
    client, housing_partner, housing_org
):
    client.force_login(housing_partner)
    assert client.get(report_url()).status_code == 200
    response = client.post(report_url(), report_data())
    assert response.status_code == 302
    assert response["Location"] == PAGE + "?year=2026"
    report = EvictionReport.objects.get()
    assert (report.organisation, report.year) == (housing_org, 2026)
    assert (report.reminder_letters, report.evictions) == (150, 2)
    assert report.updated_by == housing_partner
    html = client.get(response["Location"]).content.decode()
    assert "Tallene for Testboligselskabet 2026 er gemt." in html


def test_a_housing_partner_updates_their_row_rather_than_adding_one(
    client, housing_partner, housing_org
):
    make_report(housing_org, evictions=9)
    client.force_login(housing_partner)
    html = client.get(report_url()).content.decode()
    assert 'value="9"' in html
    client.post(report_url(), report_data(evictions="4"))
    report = EvictionReport.objects.get()
    assert report.evictions == 4
    assert report.updated_by == housing_partner


def test_a_partner_cannot_write_another_organisations_row(
    client, housing_partner, housing_org, other_housing_org
):
    theirs = make_report(other_housing_org, evictions=5)
    client.force_login(housing_partner)
    client.post(
        report_url(),
        report_data(organisation=str(other_housing_org.pk), evictions="0"),
    )
    theirs.refresh_from_db()
    assert theirs.evictions == 5
    assert EvictionReport.objects.get(organisation=housing_org).evictions == 0


def test_a_past_year_can_be_entered_back_to_2015(client, housing_partner):
    client.force_login(housing_partner)
    client.post(report_url(2015), report_data())
    assert EvictionReport.objects.get().year == 2015


@pytest.mark.parametrize("year", [2014, 2027])
def test_a_year_before_2015_or_ahead_is_not_found(client, housing_partner, year):
    client.force_login(housing_partner)
    assert client.get(report_url(year)).status_code == 404
    assert client.post(report_url(year), report_data()).status_code == 404
    assert not EvictionReport.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reminder_letters", "-1", "Tallet kan ikke være negativt."),
        ("bailiff_cases", "100001", "Tallet kan højst være 100000."),
        ("evictions", "", "Skriv et tal (0, hvis der ingen var)."),
        ("reminders_settled", "mange", "Skriv et helt tal."),
    ],
)
def test_bad_numbers_are_told_next_to_the_field_and_kept(
    client, housing_partner, field, value, message
):
    client.force_login(housing_partner)
    response = client.post(report_url(), report_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert "Tallene er foreløbige." in response.content.decode()
    assert not EvictionReport.objects.exists()


def test_a_note_with_a_cpr_number_is_held_back_until_confirmed(client, housing_partner):
    client.force_login(housing_partner)
    note = "Lejer 010190-1234 er udsat"
    response = client.post(report_url(), report_data(note=note))
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert not EvictionReport.objects.exists()
    client.post(report_url(), report_data(note=note, confirm_cpr="on"))
    assert EvictionReport.objects.get().note == note


@pytest.mark.parametrize(
    "who", ["municipality_partner", "partner", "advisor", "coordinator", "staff"]
)
def test_only_a_housing_partner_may_enter_figures(
    client, who, municipality_partner, partner, advisor, coordinator, staff
):
    user = {
        "municipality_partner": municipality_partner,
        "partner": partner,
        "advisor": advisor,
        "coordinator": coordinator,
        "staff": staff,
    }[who]
    client.force_login(user)
    assert client.get(report_url()).status_code == 403
    assert client.post(report_url(), report_data()).status_code == 403
    assert not EvictionReport.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_from_the_report_form(client, db):
    response = client.post(report_url(), report_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not EvictionReport.objects.exists()


def test_the_report_form_answers_only_get_and_post(client, housing_partner):
    client.force_login(housing_partner)
    assert client.put(report_url()).status_code == 405
    assert client.delete(report_url()).status_code == 405
