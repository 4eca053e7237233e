"""Økonomisk rådgivning in figures: cases and outcomes per area and period, the
small-count suppression for everyone outside the advice team, and the page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from advice.figures import AreaCases, CaseFigures, case_figures, protect_turnover
from advice.models import Case
from boligsocial.models import Area, HousingDepartment, Role
from boligsocial.suppression import FEW, HIDDEN, SMALL, Suppressed
from conftest import make_user

from .conftest import add_outcome, make_case, make_household

pytestmark = pytest.mark.usefixtures("frozen_today")

PAGE = reverse("advice:advice_figures")
YEAR_START, YEAR_END = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
REMINDER, SELF, MUNICIPALITY = (
    Case.Source.REMINDER_LETTER,
    Case.Source.SELF,
    Case.Source.MUNICIPALITY,
)


def day(month: int, number: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, number)


def closed(on: datetime.date) -> dict:
    return {"status": Case.Status.CLOSED, "closed_on": on}


@pytest.fixture
def cases(departments):
    """Rising 2026: three cases opened (two by reminder letter, one by the resident,
    whose household had a case in 2025), two closed, one with a payment plan of
    5,000 kr. and an eviction avoided, one anonymised with a benefit of 1,200.50 kr.
    Vollsmose 2026: seven cases from the municipality, five with a payment plan of
    1,000 kr."""
    rising_east, rising_west, vollsmose = departments
    fatima = make_household(rising_east)
    first = make_case(fatima, opened_on=day(1, 10), **closed(day(3, 1)))
    add_outcome(first, "payment_plan", amount=Decimal("5000"), on=day(2, 15))
    add_outcome(first, "eviction_avoided", on=day(2, 20))
    jens = make_household(rising_west, name="Jens Jensen", street="Vestergade")
    earlier = make_case(jens, opened_on=day(11, 1, 2025), source=SELF)
    add_outcome(earlier, "payment_plan", amount=Decimal("300"), on=day(12, 1, 2025))
    make_case(jens, opened_on=day(2, 1), source=SELF)
    aisha = make_household(rising_east, name="Aisha Ali", number="9")
    erased = make_case(aisha, opened_on=day(1, 5), **closed(day(1, 20)))
    add_outcome(erased, "benefit_obtained", amount=Decimal("1200.50"), on=day(1, 15))
    erased.anonymise()
    for n in range(7):
        household = make_household(
            vollsmose, name=f"Beboer {n}", street="Nordvej", number=str(n + 1)
        )
        case = make_case(household, opened_on=day(3, 1 + n), source=MUNICIPALITY)
        if n < 5:
            add_outcome(case, "payment_plan", amount=Decimal("1000"), on=day(4, 1))


def figures_2026(suppress: bool, areas=None):
    return case_figures(
        areas=areas if areas is not None else Area.objects.all(),
        start=YEAR_START,
        end=YEAR_END,
        suppress=suppress,
    )


def by_area(figures) -> dict:
    return {row.area.slug: row for row in figures.rows}


# --- Exact figures (the advice team) --------------------------------------------------


def test_the_advice_team_gets_every_figure_exactly(cases):
    figures = figures_2026(suppress=False)
    rising, vollsmose = by_area(figures)["rising"], by_area(figures)["vollsmose"]
    assert (rising.opened, rising.closed, rising.open_at_end) == (3, 2, 2)
    assert (rising.evictions_avoided, rising.payment_plans) == (1, 1)
    assert (rising.financial_gain, rising.debt_settled) == (1201, 5000)
    assert rising.repeat_households == 1
    assert rising.by_source == {
        REMINDER: 2,
        SELF: 1,
        MUNICIPALITY: 0,
        Case.Source.STAFF: 0,
        Case.Source.OTHER: 0,
    }
    assert (vollsmose.opened, vollsmose.closed, vollsmose.open_at_end) == (7, 0, 7)
    assert (vollsmose.payment_plans, vollsmose.debt_settled) == (5, 5000)
    total = figures.total
    assert (total.opened, total.closed, total.open_at_end) == (10, 2, 9)
    assert (total.payment_plans, total.financial_gain, total.debt_settled) == (
        6,
        1201,
        10000,
    )
    assert total.by_source[MUNICIPALITY] == 7


def test_areas_without_cases_show_zeros_and_areas_not_asked_for_are_left_out(cases):
    figures = figures_2026(
        suppress=False, areas=Area.objects.filter(slug__in=["rising", "ejerslykke"])
    )
    assert [row.area.slug for row in figures.rows] == ["ejerslykke", "rising"]
    ejerslykke = by_area(figures)["ejerslykke"]
    assert (ejerslykke.opened, ejerslykke.financial_gain) == (0, 0)
    assert figures.total.opened == 3


def test_anonymised_cases_count_like_any_other(cases):
    erased = Case.objects.get(anonymised_at__isnull=False)
    assert erased.household.name == ""
    figures = case_figures(
        areas=Area.objects.filter(slug="rising"),
        start=day(1, 1),
        end=day(1, 31),
        suppress=False,
    )
    rising = figures.rows[0]
    assert (rising.opened, rising.closed, rising.financial_gain) == (2, 1, 1201)


def test_a_period_counts_cases_open_at_its_end_and_outcomes_within_it(cases):
    figures = case_figures(
        areas=Area.objects.filter(slug="rising"),
        start=day(2, 1),
        end=day(2, 28),
        suppress=False,
    )
    rising = figures.rows[0]
    # Open on 28 February: the 2025 case, the one opened on 1 February and the
    # one that closed in March.
    assert (rising.opened, rising.closed, rising.open_at_end) == (1, 0, 3)
    assert (rising.payment_plans, rising.evictions_avoided) == (1, 1)
    assert (rising.financial_gain, rising.debt_settled) == (0, 5000)
    assert rising.repeat_households == 1


def test_two_cases_of_one_household_in_the_period_make_it_a_repeat_household(
    departments,
):
    household = make_household(departments[2], street="Nordvej")
    make_case(household, opened_on=day(2, 1))
    make_case(household, opened_on=day(2, 1))
    make_case(make_household(departments[2], name="Ny Beboer"), opened_on=day(2, 2))
    row = figures_2026(suppress=False, areas=Area.objects.filter(slug="vollsmose"))
    assert row.rows[0].repeat_households == 1


def test_a_case_with_two_payment_plans_counts_once_and_both_amounts_add_up(
    departments,
):
    case = make_case(make_household(departments[0]), opened_on=day(1, 5))
    add_outcome(case, "payment_plan", amount=Decimal("100.25"), on=day(1, 6))
    add_outcome(case, "payment_plan", amount=Decimal("200.25"), on=day(1, 7))
    row = figures_2026(suppress=False, areas=Area.objects.filter(slug="rising"))
    assert (row.rows[0].payment_plans, row.rows[0].debt_settled) == (1, 301)


@pytest.mark.parametrize("count", [2, 25])
def test_the_figures_cost_four_queries_whatever_the_number_of_cases(
    departments, django_assert_num_queries, count
):
    for n in range(count):
        household = make_household(departments[n % 3], name=f"Beboer {n}")
        case = make_case(household, opened_on=day(1 + n % 4, 1 + n % 20))
        add_outcome(case, "payment_plan", amount=Decimal(n), on=day(5, 1))
    with django_assert_num_queries(4):
        figures_2026(suppress=True)


# --- Suppression ----------------------------------------------------------------------


def test_counts_of_one_to_four_are_suppressed_and_zero_and_five_are_shown(cases):
    figures = figures_2026(suppress=True)
    rising, vollsmose = by_area(figures)["rising"], by_area(figures)["vollsmose"]
    assert rising.opened == SMALL
    assert rising.repeat_households == SMALL
    assert rising.by_source[REMINDER] == SMALL
    assert rising.by_source[MUNICIPALITY] == 0
    assert (vollsmose.opened, vollsmose.payment_plans, vollsmose.closed) == (7, 5, 0)


def test_sums_from_fewer_than_five_cases_are_suppressed(cases):
    figures = figures_2026(suppress=True)
    rising, vollsmose = by_area(figures)["rising"], by_area(figures)["vollsmose"]
    assert (rising.financial_gain, rising.debt_settled) == (FEW, FEW)
    assert vollsmose.debt_settled == 5000
    assert vollsmose.financial_gain == 0


def test_a_total_over_figures_that_are_all_shown_is_their_exact_sum(cases):
    total = figures_2026(suppress=True).total
    # From the municipality: none in Rising, 7 in Vollsmose.
    assert total.by_source[MUNICIPALITY] == 7
    assert total.by_source[Case.Source.OTHER] == 0


def test_a_total_that_would_give_away_the_one_hidden_area_is_hidden(cases):
    total = figures_2026(suppress=True).total
    # 10 opened in all and 7 in Vollsmose would tell Rising's 3.
    assert (total.opened, total.open_at_end, total.payment_plans) == (
        HIDDEN,
        HIDDEN,
        HIDDEN,
    )
    assert total.debt_settled == HIDDEN


def test_a_small_total_over_a_hidden_figure_is_hidden_not_shown_as_small(cases):
    total = figures_2026(suppress=True).total
    # Two closed in all, one eviction avoided: "<5" would tell that Rising's are
    # at most 4, and with more areas could pin them; ".." tells nothing.
    assert (total.closed, total.evictions_avoided) == (HIDDEN, HIDDEN)
    assert total.financial_gain == HIDDEN


def seven_cases_in_two_areas(departments) -> None:
    """3 cases opened in Rising and 4 in Vollsmose, each area's "<5", by reminder
    letter and by the residents themselves (one source alone would give its
    total away)."""
    rising_east, _west, vollsmose = departments
    for department, count in ((rising_east, 3), (vollsmose, 4)):
        for n in range(count):
            make_case(
                make_household(department, name=f"H {department.pk} {n}"),
                opened_on=day(2, 1),
                source=SELF if n % 2 else REMINDER,
            )


def test_the_whole_plans_total_over_two_hidden_areas_is_shown(departments):
    """7 could be 3 + 4, 4 + 3, 5 + 2 ...: neither area is given away, and the
    plan's 7 cases opened are not hidden from a coordinator."""
    seven_cases_in_two_areas(departments)
    figures = figures_2026(suppress=True, areas=Area.objects.all())
    assert [row.opened for row in figures.rows if row.opened] == [SMALL, SMALL]
    assert figures.total.opened == 7


def test_a_total_that_leaves_its_hidden_areas_under_five_is_hidden(departments):
    """1 and 2 beside 10: a total of 13 would tell that the two "<5" make 3."""
    rising_east, _west, vollsmose = departments
    third = HousingDepartment.objects.create(
        organisation=rising_east.organisation,
        area=Area.objects.exclude(slug__in=["rising", "vollsmose"]).first(),
        number="31",
        name="Tredje",
        households=100,
    )
    for department, count in ((rising_east, 1), (vollsmose, 2), (third, 10)):
        for n in range(count):
            household = make_household(department, name=f"H {department.pk} {n}")
            make_case(household, opened_on=day(2, 1 + n))
    assert figures_2026(suppress=True).total.opened == HIDDEN


def figures_of(total: dict) -> CaseFigures:
    """A period's figures with only a total (the areas' rows do not matter)."""
    zero = dict.fromkeys(
        [
            "opened",
            "closed",
            "open_at_end",
            "evictions_avoided",
            "payment_plans",
            "repeat_households",
            "financial_gain",
            "debt_settled",
        ],
        0,
    )
    return CaseFigures(
        start=YEAR_START,
        end=YEAR_END,
        suppressed=True,
        rows=[],
        total=AreaCases(area=None, **{**zero, **total}),
    )


@pytest.mark.parametrize(
    ("hidden", "also"),
    [
        ("closed", "before"),
        ("opened", "before"),
        ("open_at_end", "before"),
        ("before", "closed"),
    ],
)
def test_one_hidden_total_of_the_four_that_add_up_is_never_alone(hidden, also):
    """Open at the end = open at the end before + opened − closed."""
    now = figures_of({"opened": 9, "closed": 6, "open_at_end": 12})
    before = figures_of({"open_at_end": 9})
    place = {"before": (before.total, "open_at_end")}
    for key in ("opened", "closed", "open_at_end"):
        place[key] = (now.total, key)
    setattr(*place[hidden], HIDDEN)

    protect_turnover(now, before)

    assert getattr(*place[also]) == HIDDEN
    shown = [getattr(*p) for k, p in place.items() if k not in (hidden, also)]
    assert HIDDEN not in shown


def test_two_hidden_totals_of_the_four_are_left_as_they_are():
    now = figures_of({"opened": HIDDEN, "closed": HIDDEN, "open_at_end": 12})
    before = figures_of({"open_at_end": 9})
    protect_turnover(now, before)
    assert (before.total.open_at_end, now.total.open_at_end) == (9, 12)


def test_a_total_over_part_of_the_plan_is_hidden_over_a_hidden_area(departments):
    """Shown, it would differ by one area from the total of another choice of
    areas: 3 + 4 shown as 7, and 3 + 4 + 2 as 9, would tell the 2."""
    seven_cases_in_two_areas(departments)
    some = Area.objects.filter(slug__in=["rising", "vollsmose"])
    assert some.count() < Area.objects.count()
    assert figures_2026(suppress=True, areas=some).total.opened == HIDDEN


def test_a_total_that_leaves_its_hidden_areas_one_value_each_is_hidden(departments):
    """Two "<5" under a total of 2 are 1 and 1; under a total of 8, 4 and 4."""
    rising_east, _west, vollsmose = departments
    for department in (rising_east, vollsmose):
        make_case(
            make_household(department, name=f"H {department.pk}"), opened_on=day(2, 1)
        )
    assert figures_2026(suppress=True).total.opened == HIDDEN  # 2: under 5 anyway
    for department in (rising_east, vollsmose):
        for n in range(3):
            make_case(
                make_household(department, name=f"H {department.pk} {n}"),
                opened_on=day(3, 1),
            )
    assert figures_2026(suppress=True).total.opened == HIDDEN  # 8: 4 and 4


def test_one_hidden_area_under_the_whole_plans_total_keeps_it_hidden(cases):
    # Rising's 2 closed cases are the only closed ones: the total would be them.
    assert figures_2026(suppress=True).total.closed == HIDDEN


def test_the_cases_opened_stay_hidden_where_they_would_give_a_sources_total_away(
    departments,
):
    """Seven cases, every one by reminder letter: the total of 7 would be the
    letters' total too."""
    rising_east, _west, vollsmose = departments
    for department, count in ((rising_east, 3), (vollsmose, 4)):
        for n in range(count):
            household = make_household(department, name=f"L {department.pk} {n}")
            make_case(household, opened_on=day(2, 1), source=REMINDER)
    assert figures_2026(suppress=True).total.opened == HIDDEN


def test_the_sources_totals_stay_hidden_over_a_hidden_source(departments):
    seven_cases_in_two_areas(departments)
    total = figures_2026(suppress=True).total
    assert total.by_source[REMINDER] == HIDDEN


def test_an_areas_row_reads_the_same_whichever_areas_are_chosen(cases):
    alone = figures_2026(suppress=True, areas=Area.objects.filter(slug="rising"))
    together = figures_2026(suppress=True)
    assert alone.rows[0] == by_area(together)["rising"]


def test_several_small_sources_hide_one_another_and_nothing_more(departments):
    vollsmose = departments[2]
    for n in range(8):
        household = make_household(vollsmose, name=f"Beboer {n}")
        source = SELF if n < 2 else (REMINDER if n < 5 else MUNICIPALITY)
        make_case(household, opened_on=day(2, 1 + n), source=source)
    row = figures_2026(suppress=True, areas=Area.objects.filter(slug="vollsmose")).rows[
        0
    ]
    # Eight opened: 2 by the resident, 3 by letter, 3 from the municipality.
    assert row.opened == 8
    assert [row.by_source[s] for s in (SELF, REMINDER, MUNICIPALITY)] == [SMALL] * 3


def test_one_small_source_beside_a_large_one_hides_the_large_one_too(departments):
    vollsmose = departments[2]
    for n in range(8):
        household = make_household(vollsmose, name=f"Beboer {n}")
        make_case(
            household, opened_on=day(2, 1 + n), source=SELF if n < 2 else REMINDER
        )
    row = figures_2026(suppress=True, areas=Area.objects.filter(slug="vollsmose")).rows[
        0
    ]
    # 8 opened, 6 by letter: the 2 from the residents would be the difference.
    assert row.opened == 8
    assert row.by_source[SELF] == SMALL
    assert row.by_source[REMINDER] == HIDDEN
    assert row.by_source[MUNICIPALITY] == 0


def test_a_hidden_source_the_cases_opened_would_still_pin_hides_them_too(
    departments,
):
    vollsmose = departments[2]
    for n in range(6):
        household = make_household(vollsmose, name=f"Beboer {n}")
        make_case(
            household, opened_on=day(2, 1 + n), source=SELF if n < 1 else REMINDER
        )
    row = figures_2026(suppress=True, areas=Area.objects.filter(slug="vollsmose")).rows[
        0
    ]
    # 6 opened, 1 by the resident ("<5": 1 to 4) and 5 by letter (".." beside it:
    # 5 or more): 6 can only be 1 + 5, so the cases opened are hidden as well.
    assert (row.by_source[SELF], row.by_source[REMINDER]) == (SMALL, HIDDEN)
    assert row.opened == HIDDEN


def test_four_small_sources_under_small_cases_opened_hide_the_cases_opened(
    departments,
):
    vollsmose = departments[2]
    sources = [SELF, REMINDER, MUNICIPALITY, Case.Source.STAFF]
    for n, source in enumerate(sources):
        make_case(make_household(vollsmose, name=f"Beboer {n}"), source=source)
    row = figures_2026(suppress=True, areas=Area.objects.filter(slug="vollsmose")).rows[
        0
    ]
    # Four "<5" (each at least 1) under "<5" (at most 4): all four are 1.
    assert [row.by_source[s] for s in sources] == [SMALL] * 4
    assert row.opened == HIDDEN


def test_the_markers_read_the_same_everywhere():
    assert (str(SMALL), str(FEW), str(HIDDEN)) == ("<5", "<5 sager", "..")
    assert SMALL == Suppressed("small")


# --- The page -------------------------------------------------------------------------


def test_an_advisor_sees_the_exact_figures(client, advisor, cases):
    client.force_login(advisor)
    response = client.get(PAGE, {"year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="suppression-note"' not in html
    assert response.context["figures"].total.opened == 10
    assert "&lt;5" not in html


@pytest.mark.parametrize("role", ["staff", "coordinator", "safety_advisor", "admin"])
def test_everyone_outside_the_advice_team_gets_suppressed_figures_for_every_area(
    client, personas, role, cases
):
    client.force_login(personas[role])
    response = client.get(PAGE, {"year": "2026"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert [row.area.slug for row in figures.rows] == list(
        Area.objects.values_list("slug", flat=True)
    )
    assert by_area(figures)["rising"].opened == SMALL
    html = response.content.decode()
    assert 'data-testid="suppression-note"' in html
    assert "&lt;5" in html


def test_a_partner_sees_only_their_areas_suppressed_and_never_a_name(
    client, partner, cases
):
    client.force_login(partner)
    response = client.get(PAGE)
    html = response.content.decode()
    assert [row.area.slug for row in response.context["figures"].rows] == ["rising"]
    assert "Vollsmose" not in html
    assert "&lt;5" in html
    for name in ("Fatima Hansen", "Jens Jensen", "Beboer 0", "Rising Allé"):
        assert name not in html


def test_a_housing_partner_gets_suppressed_figures_too(client, housing_org, cases):
    partner = make_user(
        "drift", Role.PARTNER, organisation=housing_org.name, areas=["vollsmose"]
    )
    client.force_login(partner)
    figures = client.get(PAGE).context["figures"]
    assert [row.area.slug for row in figures.rows] == ["vollsmose"]
    assert figures.suppressed


def test_the_page_defaults_to_this_year(client, advisor, cases):
    client.force_login(advisor)
    figures = client.get(PAGE).context["figures"]
    assert (figures.start, figures.end) == (YEAR_START, YEAR_END)


def test_a_past_year_shows_that_years_figures(client, advisor, cases):
    client.force_login(advisor)
    figures = client.get(PAGE, {"year": "2025"}).context["figures"]
    assert by_area(figures)["rising"].opened == 1
    assert by_area(figures)["rising"].payment_plans == 1


def test_from_and_to_dates_win_over_the_year(client, advisor, cases):
    client.force_login(advisor)
    response = client.get(
        PAGE, {"year": "2025", "start": "2026-02-01", "end": "2026-02-28"}
    )
    figures = response.context["figures"]
    assert (figures.start, figures.end) == (day(2, 1), day(2, 28))
    assert by_area(figures)["rising"].opened == 1


def test_an_end_before_the_start_is_told_next_to_the_field_and_kept(
    client, advisor, cases
):
    client.force_login(advisor)
    response = client.get(PAGE, {"start": "2026-03-01", "end": "2026-02-01"})
    assert response.status_code == 200
    assert response.context["figures"] is None
    form = response.context["form"]
    assert form.errors == {"end": ["Slutdatoen ligger før startdatoen."]}
    html = response.content.decode()
    assert 'value="2026-03-01"' in html and 'value="2026-02-01"' in html
    assert 'data-testid="table-advice"' not in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-03-01"}, "end"),
        ({"end": "2026-03-01"}, "start"),
        ({"start": "1. marts"}, "start"),
        ({"year": "1999"}, "year"),
        ({"year": "2027"}, "year"),
    ],
)
def test_a_period_that_cannot_be_read_is_told_next_to_its_field(
    client, advisor, query, field
):
    client.force_login(advisor)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["figures"] is None


def test_the_tables_have_headers_for_columns_and_rows(client, coordinator, cases):
    client.force_login(coordinator)
    html = client.get(PAGE).content.decode()
    assert html.count("<caption>") == 2  # cases and amounts; sources
    assert '<th scope="col">Område</th>' in html
    assert '<th scope="row">Rising</th>' in html
    assert '<th scope="row">I alt</th>' in html


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_only_answers_get(client, advisor):
    client.force_login(advisor)
    assert client.post(PAGE).status_code == 405


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_costs_the_same_queries_for_few_and_many_cases(
    client, partner, departments, django_assert_num_queries, count
):
    for n in range(count):
        household = make_household(departments[n % 3], name=f"Beboer {n}")
        case = make_case(household, opened_on=day(1 + n % 4, 1 + n % 20))
        add_outcome(case, "payment_plan", amount=Decimal(n), on=day(5, 1))
    client.force_login(partner)
    # session, user, 3 for the session's renewal, and four for the figures (the
    # partner's areas are a subquery of the first).
    with django_assert_num_queries(9):
        client.get(PAGE)
