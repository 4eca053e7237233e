"""Charts as SVG made on the server, the same for pages and the PDF reports.

Plain SVG with presentation attributes only: the portal's CSP forbids inline style,
and WeasyPrint renders the same markup. Every chart is shown next to a table with
its data, so the SVG is marked aria-hidden.
"""

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

BAR = "#0d6efd"
TARGET = "#212529"
TRACK = "#e9ecef"
PACE = "#dc3545"
BAR_HEIGHT = 14


def progress_bars(
    rows: list[tuple[str, int, int | None]],
    *,
    elapsed: float | None = None,
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one per (label, value, target), all on one scale, so that
    bars can be compared: 1,393 stands well beyond 276.

    A target is the grey track behind its bar (the bar fills it as the value
    reaches it), and in a running period a red line on the track marks where the
    bar would be by now at an even pace (`elapsed`: the share of the period gone).
    A row without a target is its value alone; when other rows have one, its label
    says so. No bar is drawn full for want of a target.
    """
    label_height, gap = 16, 14
    row_height = label_height + BAR_HEIGHT + gap
    height = max(len(rows) * row_height, row_height)
    scale = max((max(value, target or 0) for _label, value, target in rows), default=0)
    some_targets = any(target for _label, _value, target in rows)
    parts = []
    for n, (label, value, target) in enumerate(rows):
        y = n * row_height
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12" fill="#212529">{}</text>',
                y + 12,
                _bar_label(label, value, target, some_targets),
            )
        )
        if target:
            parts.append(_rect(y + label_height, _length(target, scale, width), TRACK))
        parts.append(_rect(y + label_height, _length(value, scale, width), BAR))
        if target and elapsed is not None:
            x = _length(target * elapsed, scale, width)
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" '
                    'stroke-width="2"/>',
                    x,
                    x,
                    y + label_height - 2,
                    y + label_height + BAR_HEIGHT + 2,
                    PACE,
                )
            )
    return _svg(width, height, parts)


RANGE = "#9ec5fe"  # the lighter blue of the stretch from low to high


def range_bars(
    rows: list[tuple[str, int, int]], *, unit: str = "", width: int = 640
) -> SafeString:
    """Horizontal bars of ranges, one per (label, low, high), all on one scale:
    the bar is solid to the low estimate and lighter on to the high one, and its
    label gives both (»Navn: 36.000–65.000 kr.«, one figure when they are the
    same)."""
    label_height, gap = 16, 14
    row_height = label_height + BAR_HEIGHT + gap
    height = max(len(rows) * row_height, row_height)
    scale = max((high for _label, _low, high in rows), default=0)
    parts = []
    for n, (label, low, high) in enumerate(rows):
        y = n * row_height
        amount = _number(low) if low == high else f"{_number(low)}–{_number(high)}"
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12" fill="#212529">{}</text>',
                y + 12,
                f"{label}: {amount} {unit}".strip(),
            )
        )
        parts.append(_rect(y + label_height, _length(high, scale, width), RANGE))
        parts.append(_rect(y + label_height, _length(low, scale, width), BAR))
    return _svg(width, height, parts)


def _bar_label(label: str, value: int, target: int | None, some_targets: bool) -> str:
    text = f"{label}: {_number(value)}"
    if target:
        return f"{text} / {_number(target)}"
    no_target = gettext("intet mål")
    return f"{text} ({no_target})" if some_targets else text


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _length(amount: float, scale: float, width: int) -> int:
    return round(width * amount / scale) if scale else 0


def _rect(y: int, length: int, colour: str) -> SafeString:
    return format_html(
        '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>',
        y,
        length,
        BAR_HEIGHT,
        colour,
    )


AXIS = "#6c757d"
GRID = "#dee2e6"


def stacked_columns(
    columns: list[tuple[str, list[int]]],
    series: list[tuple[str, str]],
    *,
    width: int = 640,
    plot_height: int = 160,
) -> SafeString:
    """Vertical columns, one per (label, [value per series]), each stacked from the
    first series at the bottom; `series` names each value and gives its colour.

    A legend sits above the columns; each column's total stands on top of it; the
    top line marks the largest total. With many columns the labels are turned, so
    that they do not run into each other.
    """
    legend_height, left, top_gap = 24, 32, 18
    turned = len(columns) > 8
    label_height = 56 if turned else 22
    top = legend_height + top_gap
    bottom = top + plot_height
    height = bottom + label_height
    largest = max((sum(values) for _, values in columns), default=0)
    scale = plot_height / max(largest, 1)
    slot = (width - left) / max(len(columns), 1)
    bar = min(slot * 0.7, 48)
    parts = [_legend(series), _axis(left, width, top, bottom, largest)]
    for n, (label, values) in enumerate(columns):
        middle = left + slot * n + slot / 2
        parts.append(
            _column(middle, bar, bottom, scale, values, [c for _, c in series])
        )
        parts.append(_column_label(label, middle, bottom, turned))
    return _svg(width, height, parts)


def _legend(series: list[tuple[str, str]]) -> SafeString:
    parts, x = [], 0
    for name, colour in series:
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="14" font-size="12" fill="{}">{}</text>',
                x,
                colour,
                x + 16,
                TARGET,
                name,
            )
        )
        # The width of the name, roughly, at 12 px: the SVG cannot measure it.
        x += 16 + 7 * len(name) + 16
    return format_html_join("", "{}", ((p,) for p in parts))


def _axis(left: int, width: int, top: int, bottom: int, largest: int) -> SafeString:
    """The baseline, and a line at the largest total with its value."""
    return format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end">{}</text>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end">0</text>',
        left,
        width,
        top,
        top,
        GRID,
        left - 4,
        top + 4,
        AXIS,
        largest,
        left,
        width,
        bottom,
        bottom,
        AXIS,
        left - 4,
        bottom,
        AXIS,
    )


def _column(
    middle: float,
    bar: float,
    bottom: int,
    scale: float,
    values: list[int],
    colours: list[str],
) -> SafeString:
    parts, y = [], float(bottom)
    for value, colour in zip(values, colours, strict=True):
        if not value:
            continue
        size = value * scale
        y -= size
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                round(middle - bar / 2, 1),
                round(y, 1),
                round(bar, 1),
                round(size, 1),
                colour,
            )
        )
    if sum(values):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" fill="{}" '
                'text-anchor="middle">{}</text>',
                round(middle, 1),
                round(y - 3, 1),
                TARGET,
                sum(values),
            )
        )
    return format_html_join("", "{}", ((p,) for p in parts))


def _column_label(label: str, middle: float, bottom: int, turned: bool) -> SafeString:
    x, y = round(middle, 1), bottom + 14
    if turned:
        return format_html(
            '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="end" '
            'transform="rotate(-45 {} {})">{}</text>',
            x,
            y,
            TARGET,
            x,
            y,
            label,
        )
    return format_html(
        '<text x="{}" y="{}" font-size="10" fill="{}" text-anchor="middle">{}</text>',
        x,
        y,
        TARGET,
        label,
    )


def _svg(width: int, height: int, parts: list[SafeString]) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'role="img" aria-hidden="true" focusable="false">{}</svg>',
        width,
        height,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
