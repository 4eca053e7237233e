"""Tryghedsvandringer in figures: walks held against the yearly target, findings by
category and status, the share fixed, the median days to a fix per organisation;
the page that shows them, and the walk targets in the admin."""

import datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area, Organisation
from boligsocial.periods import Period
from safety.conftest import TODAY
from safety.models import Finding, FindingCategory, Walk, WalkTarget
from safety.walks.figures import finding_figures, walk_figures

pytestmark = pytest.mark.usefixtures("frozen_today")

PAGE = reverse("safety:safety_figures")
YEAR_START, YEAR_END = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026):
    """A moment in Danish time."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def make_walk(area: str, starts_at, status=Walk.Status.HELD) -> Walk:
    return Walk.objects.create(
        area=Area.objects.get(slug=area), starts_at=starts_at, status=status
    )


def make_finding(
    area: str, category: str, responsible: str, found_at, **fields
) -> Finding:
    return Finding.objects.create(
        area=Area.objects.get(slug=area),
        category=FindingCategory.objects.get(name=category),
        responsible=Organisation.objects.get(name=responsible),
        description="Hemmelig beskrivelse",
        place="Hemmeligt sted",
        found_at=found_at,
        **fields,
    )


@pytest.fixture
def walks(db):
    """Rising 2026: held in January's first hour and in April, one planned for June,
    one planned in March but never held, one cancelled; one held in 2025; target 4.
    Vollsmose 2026: one held, no target."""
    make_walk("rising", at(1, 1, 0, 30))
    make_walk("rising", at(4, 14))
    make_walk("rising", at(6, 2), Walk.Status.PLANNED)
    make_walk("rising", at(3, 3), Walk.Status.PLANNED)
    make_walk("rising", at(2, 2), Walk.Status.CANCELLED)
    make_walk("rising", at(12, 31, 23, 30, year=2025))
    make_walk("vollsmose", at(3, 20))
    WalkTarget.objects.create(area=Area.objects.get(slug="rising"), year=2026, value=4)


@pytest.fixture
def findings(db):
    """Police: three fixed after 2, 10 and 4.5 days, one sent and overdue; SSP: one
    new (Vollsmose), one closed past its due date; one police finding from the last
    minutes of 2025."""
    fixed = Finding.Status.FIXED
    police, ssp = "Fyns Politi", "SSP Odense"
    make_finding(
        "rising",
        "Hærværk",
        police,
        at(1, 1, 0, 30),
        status=fixed,
        fixed_at=at(1, 3, 0, 30),
    )
    make_finding(
        "rising", "Hærværk", police, at(2, 1), status=fixed, fixed_at=at(2, 11)
    )
    make_finding(
        "rising", "Belysning", police, at(3, 1), status=fixed, fixed_at=at(3, 5, 22)
    )
    make_finding(
        "rising",
        "Belysning",
        police,
        at(4, 20),
        status=Finding.Status.SENT,
        due_date=datetime.date(2026, 5, 1),
    )
    make_finding(
        "vollsmose", "Hærværk", ssp, at(4, 2), due_date=datetime.date(2026, 6, 1)
    )
    make_finding(
        "rising",
        "Hærværk",
        ssp,
        at(3, 10),
        status=Finding.Status.CLOSED,
        close_reason=Finding.CloseReason.NO_ACTION,
        due_date=datetime.date(2026, 4, 1),
    )
    make_finding(
        "rising",
        "Hærværk",
        police,
        at(12, 31, 23, 30, year=2025),
        status=fixed,
        fixed_at=at(1, 5),
    )


def by_area(figures) -> dict:
    return {row.area.slug: row for row in figures.rows}


# --- Walks ----------------------------------------------------------------------------


def test_walks_held_in_the_year_stand_against_the_target(walks):
    figures = walk_figures(
        areas=Area.objects.all(), period=Period.year(2026), today=TODAY
    )
    rising, vollsmose = by_area(figures)["rising"], by_area(figures)["vollsmose"]
    assert (rising.held, rising.target, rising.planned_ahead) == (2, 4, 1)
    assert (vollsmose.held, vollsmose.target, vollsmose.planned_ahead) == (1, None, 0)
    assert by_area(figures)["ejerslykke"].held == 0


def test_the_total_has_a_target_only_when_every_area_has_one(walks):
    areas = Area.objects.filter(slug__in=["rising", "vollsmose"])
    total = walk_figures(areas=areas, period=Period.year(2026), today=TODAY).total
    assert (total.held, total.planned_ahead, total.target) == (3, 1, None)
    rising = Area.objects.filter(slug="rising")
    assert (
        walk_figures(areas=rising, period=Period.year(2026), today=TODAY).total.target
        == 4
    )


def test_a_past_year_counts_its_own_walks_and_nothing_ahead(walks):
    figures = walk_figures(
        areas=Area.objects.all(), period=Period.year(2025), today=TODAY
    )
    rising = by_area(figures)["rising"]
    assert (rising.held, rising.planned_ahead, rising.target) == (1, 0, None)


def test_the_target_is_an_amount_so_a_quarter_is_held_against_its_share(walks):
    figures = walk_figures(
        areas=Area.objects.all(), period=Period.quarter(2026, 2), today=TODAY
    )
    rising = by_area(figures)["rising"]
    # 91 of 365 days of a target of 4 is 0.997: one walk, rounded half up.
    assert (rising.held, rising.target) == (1, 1)
    # Planned from today (4 May) to the quarter's end: the June walk.
    assert rising.planned_ahead == 1


@pytest.mark.parametrize("count", [2, 20])
def test_walk_figures_cost_three_queries_whatever_the_number_of_walks(
    db, django_assert_num_queries, count
):
    for n in range(count):
        make_walk(["rising", "vollsmose"][n % 2], at(1 + n % 12, 5))
    with django_assert_num_queries(3):
        walk_figures(areas=Area.objects.all(), period=Period.year(2026), today=TODAY)


# --- Findings -------------------------------------------------------------------------


def figures_2026(**options):
    return finding_figures(
        areas=Area.objects.all(),
        start=YEAR_START,
        end=YEAR_END,
        today=TODAY,
        **options,
    )


def test_findings_of_the_period_by_category_and_status(findings):
    figures = figures_2026()
    assert [(row.name, row.total) for row in figures.categories] == [
        ("Hærværk", 4),
        ("Belysning", 2),
    ]
    vandalism, lighting = figures.categories
    assert vandalism.by_status == {
        "new": 1,
        "sent": 0,
        "in_progress": 0,
        "fixed": 2,
        "closed": 1,
    }
    assert lighting.by_status["fixed"] == lighting.by_status["sent"] == 1
    assert figures.found == 6  # the finding from New Year's Eve is 2025's


def test_the_share_fixed_is_of_every_finding_in_the_period(findings):
    figures = figures_2026()
    assert (figures.fixed, figures.found) == (3, 6)
    assert figures.percent_fixed == pytest.approx(50)


def test_per_organisation_the_median_days_to_a_fix_and_what_is_overdue(findings):
    police, ssp = figures_2026().organisations
    assert (police.name, police.found, police.fixed, police.overdue) == (
        "Fyns Politi",
        4,
        3,
        1,
    )
    assert police.median_days == pytest.approx(4.5)  # of 2, 4.5 and 10 days
    assert police.percent_fixed == pytest.approx(75)
    assert (ssp.name, ssp.found, ssp.fixed, ssp.overdue) == ("SSP Odense", 2, 0, 0)
    assert ssp.median_days is None


def test_the_figures_of_one_organisation_and_of_some_areas(findings):
    police = Organisation.objects.get(name="Fyns Politi")
    mine = figures_2026(organisation=police)
    assert [row.name for row in mine.organisations] == ["Fyns Politi"]
    assert mine.found == 4
    vollsmose = finding_figures(
        areas=Area.objects.filter(slug="vollsmose"),
        start=YEAR_START,
        end=YEAR_END,
        today=TODAY,
    )
    assert [(row.name, row.by_status["new"]) for row in vollsmose.categories] == [
        ("Hærværk", 1)
    ]


def test_a_period_only_compared_with_has_the_same_totals_in_one_query(
    findings, django_assert_num_queries
):
    shown = figures_2026()
    with django_assert_num_queries(1):
        compared = figures_2026(details=False)
    assert (compared.found, compared.fixed, compared.median_days) == (
        shown.found,
        shown.fixed,
        shown.median_days,
    )
    assert (compared.categories, compared.organisations, compared.sources) == (
        [],
        [],
        [],
    )
    # The shown totals are those of the shown categories.
    assert shown.found == sum(row.total for row in shown.categories)
    assert shown.fixed == shown.by_status["fixed"]


def test_only_a_fixed_finding_has_days_to_its_fix(findings):
    rows = Finding.objects.values_list("status", "fixed_at", "days_to_fix")
    assert {status for status, *_ in rows} > {"fixed", "new"}
    for status, fixed_at, days in rows:
        assert (days is None) == (fixed_at is None), status


def test_no_findings_give_empty_figures_without_a_share(db):
    figures = figures_2026()
    assert (figures.categories, figures.organisations, figures.found) == ([], [], 0)
    assert figures.percent_fixed is None


@pytest.mark.parametrize("count", [2, 30])
def test_finding_figures_cost_four_queries_whatever_the_number_of_findings(
    db, django_assert_num_queries, count
):
    for n in range(count):
        make_finding(
            ["rising", "vollsmose"][n % 2],
            ["Hærværk", "Belysning", "Affald"][n % 3],
            ["Fyns Politi", "SSP Odense"][n % 2],
            at(1 + n % 4, 1),
            status=Finding.Status.FIXED,
            fixed_at=at(1 + n % 4, 3 + n % 5),
        )
    # The totals with the days to a fix; by category, status and source, and the
    # categories in order; by organisation.
    with django_assert_num_queries(4):
        figures_2026()


# --- The page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["staff", "advisor", "safety_advisor", "coordinator", "admin"]
)
def test_everyone_inside_sees_the_figures_of_every_area(
    client, personas, walks, findings, role
):
    client.force_login(personas[role])
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vollsmose" in html and "Rising" in html
    assert response.context["findings"].found == 6
    assert "Hemmelig" not in html


def test_a_partner_sees_only_counts_and_only_for_its_areas(client, partner, findings):
    client.force_login(partner)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert [row.area.slug for row in response.context["walks"].rows] == ["rising"]
    figures = response.context["findings"]
    # Every finding in Rising, whoever must fix it; Vollsmose's is left out.
    assert [(row.name, row.found) for row in figures.organisations] == [
        ("Fyns Politi", 4),
        ("SSP Odense", 1),
    ]
    html = response.content.decode()
    assert "Vollsmose" not in html
    assert "Hemmelig" not in html


def test_the_page_shows_walks_against_target_and_the_median(
    client, coordinator, walks, findings
):
    client.force_login(coordinator)
    html = client.get(PAGE).content.decode()
    assert "Rising: 2 / 4" in html  # the chart's label
    assert "3 af 6 fund er udbedret" in html
    assert "4,5" in html  # the police's median in days, the Danish way


def test_the_year_picker_shows_an_earlier_year(client, coordinator, walks, findings):
    client.force_login(coordinator)
    response = client.get(PAGE, {"year": "2025"})
    assert response.context["year"] == 2025
    assert by_area(response.context["walks"])["rising"].held == 1
    assert response.context["findings"].found == 1
    assert client.get(PAGE, {"year": "next"}).context["year"] == 2026


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_figures_are_only_read(client, staff):
    client.force_login(staff)
    assert client.post(PAGE).status_code == 405


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_costs_the_same_queries_for_few_and_many_rows(
    client, coordinator, django_assert_num_queries, count
):
    for n in range(count):
        make_walk("rising", at(1 + n % 12, 5))
        make_finding("vollsmose", "Affald", "SSP Odense", at(1 + n % 4, 1))
    client.force_login(coordinator)
    # session, user, the device that verified the session (two factors), 3 for
    # the session's renewal, three queries for the walks, four for the findings
    # and two for the residents' reports.
    with django_assert_num_queries(15):
        client.get(PAGE)


# --- Walk targets in the admin --------------------------------------------------------


def test_a_coordinator_sets_an_areas_walk_target(client, coordinator):
    client.force_login(coordinator)
    rising = Area.objects.get(slug="rising")
    response = client.post(
        reverse("admin:safety_walktarget_add"),
        {"area": rising.pk, "year": "2026", "value": "12"},
    )
    assert response.status_code == 302
    assert WalkTarget.objects.get().value == 12


def test_one_walk_target_per_area_and_year(db):
    rising = Area.objects.get(slug="rising")
    WalkTarget.objects.create(area=rising, year=2026, value=12)
    with pytest.raises(IntegrityError):
        WalkTarget.objects.create(area=rising, year=2026, value=6)


def test_staff_and_partners_do_not_reach_the_walk_targets(client, staff, partner):
    for user in (staff, partner):
        client.force_login(user)
        response = client.get(reverse("admin:safety_walktarget_changelist"))
        assert response.status_code in (302, 403)
