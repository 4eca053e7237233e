"""Yearly targets for a period, by their kind, and the one way figures round."""

import datetime
from decimal import Decimal

import pytest

from boligsocial.numbers import percent, round_half_up
from boligsocial.periods import AMOUNT, LEVEL, Period, summed_target, target_for_period

# --- An amount counts in proportion to the period ------------------------------------


def test_a_whole_year_has_the_years_amount():
    assert target_for_period({2025: 10}, Period.year(2025), AMOUNT) == 10


def test_a_quarter_has_its_share_of_the_years_amount():
    # 1 Apr – 30 Jun is 91 of 365 days: 40 * 91/365 = 9.97.
    assert target_for_period({2025: 40}, Period.quarter(2025, 2), AMOUNT) == 10


def test_a_period_over_two_years_takes_a_share_of_each_amount():
    period = Period(datetime.date(2024, 7, 1), datetime.date(2025, 6, 30))
    # 184 of 366 days of 2024 at 10, 181 of 365 days of 2025 at 20: 5.03 + 9.92.
    assert target_for_period({2024: 10, 2025: 20}, period, AMOUNT) == 15


def test_a_period_touching_a_year_without_an_amount_has_no_target():
    period = Period(datetime.date(2024, 7, 1), datetime.date(2025, 6, 30))
    assert target_for_period({2025: 20}, period, AMOUNT) is None


def test_half_an_amount_rounds_up():
    # 1 January to 1 July 2024 is 183 of the leap year's 366 days: half of 5.
    period = Period(datetime.date(2024, 1, 1), datetime.date(2024, 7, 1))
    assert target_for_period({2024: 5}, period, AMOUNT) == 3  # round() gives 2


# --- A level is never prorated -------------------------------------------------------


def test_a_quarter_is_held_against_the_whole_level_of_its_year():
    assert target_for_period({2026: 166}, Period.quarter(2026, 3), LEVEL) == 166


def test_a_period_across_the_new_year_has_the_level_of_the_year_it_ends_in():
    period = Period(datetime.date(2025, 10, 1), datetime.date(2026, 3, 31))
    assert target_for_period({2025: 100, 2026: 150}, period, LEVEL) == 150
    assert target_for_period({2025: 100}, period, LEVEL) is None


def test_areas_add_their_targets_only_when_every_area_has_one():
    assert summed_target([3, 4]) == 7
    assert summed_target([3, None]) is None
    assert summed_target([]) == 0


# --- Rounding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [
        (85.96, 1, Decimal("86.0")),
        (85.95, 1, Decimal("86.0")),  # a half goes up, not to the even neighbour
        (85.94, 1, Decimal("85.9")),
        (2.675, 2, Decimal("2.68")),  # 2.67499999... as a float, 2.675 as printed
        (0.5, 0, 1),
        (2.5, 0, 3),
        (41.5, 0, 42),
        (42.5, 0, 43),
        (7, 0, 7),
    ],
)
def test_figures_round_half_up(value, places, rounded):
    assert round_half_up(value, places) == rounded


def test_a_percentage_needs_two_counts_and_a_whole():
    assert percent(1, 8) == 12.5
    assert percent(1, 0) is None
    assert percent(None, 8) is None
