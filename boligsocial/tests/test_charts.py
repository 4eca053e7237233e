"""The bar chart draws values on one scale: a bar is as long as its value, a target
is the track it fills, and a row without a target is never drawn as full."""

import re

from django.utils import translation

from boligsocial.charts import progress_bars


def rects(svg: str) -> list[tuple[int, str]]:
    """Each rectangle's width and colour, top to bottom."""
    return [
        (int(width), colour)
        for width, colour in re.findall(
            r'<rect x="0" y="\d+" width="(\d+)" height="14" fill="(#[0-9a-f]+)"', svg
        )
    ]


def test_bars_without_a_target_are_drawn_as_their_values_not_full():
    svg = progress_bars([("Deltagere", 1393, None), ("Frivillige", 276, None)])
    # 276 of 1,393 is a fifth of the width, not all of it.
    assert rects(svg) == [(640, "#0d6efd"), (127, "#0d6efd")]


def test_a_target_is_the_track_the_bar_fills_on_the_common_scale():
    svg = progress_bars([("Rising", 30, 166), ("Vollsmose", 10, None)])
    assert rects(svg) == [
        (640, "#e9ecef"),  # the target: the longest thing in the chart
        (116, "#0d6efd"),  # 30 of 166
        (39, "#0d6efd"),  # 10, with no track behind it
    ]


def test_a_bar_beyond_its_target_is_longer_than_the_track():
    svg = progress_bars([("Rising", 12, 8)])
    assert rects(svg) == [(427, "#e9ecef"), (640, "#0d6efd")]


def test_a_row_without_a_target_says_so_beside_rows_that_have_one():
    with translation.override("da"):
        svg = progress_bars([("Rising", 1393, 2000), ("Vollsmose", 276, None)])
        alone = progress_bars([("Rising", 1393, None)])
    assert "Rising: 1.393 / 2.000" in svg
    assert "Vollsmose: 276 (intet mål)" in svg
    assert "intet mål" not in alone


def test_the_pace_line_stands_where_the_bar_would_be_by_now():
    svg = progress_bars([("Rising", 10, 40)], elapsed=0.25)
    assert re.search(r'<line x1="160" x2="160"', svg)  # a quarter of the target


def test_an_empty_chart_and_a_chart_of_zeros_draw_nothing_long():
    assert "<rect" not in progress_bars([])
    assert rects(progress_bars([("Rising", 0, None)])) == [(0, "#0d6efd")]
