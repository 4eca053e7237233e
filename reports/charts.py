"""Charts as SVG made on the server, for pages and (later) the PDF reports.

Plain SVG with presentation attributes only: the portal's CSP forbids inline style,
and WeasyPrint renders the same markup. Every chart is shown next to a table with
its data, so the SVG is marked aria-hidden.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = "#0d6efd"
TARGET = "#212529"
TRACK = "#e9ecef"
PACE = "#dc3545"


def progress_bars(
    rows: list[tuple[str, int, int | None]],
    *,
    elapsed: float | None = None,
    width: int = 640,
) -> SafeString:
    """Horizontal bars of reached against target, one per (label, reached, target).

    The bar's scale is each row's target (or its value when it has none); a red
    line marks how far through the year we are, where the bar "should" be by now.
    """
    label_height, bar_height, gap = 16, 14, 14
    row_height = label_height + bar_height + gap
    height = max(len(rows) * row_height, row_height)
    parts = []
    for n, (label, reached, target) in enumerate(rows):
        y = n * row_height
        scale = max(target or 0, reached, 1)
        filled = round(width * min(reached / scale, 1))
        text = f"{label}: {reached}" + (f" / {target}" if target else "")
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12" fill="#212529">{}</text>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>',
                y + 12,
                text,
                y + label_height,
                width,
                bar_height,
                TRACK,
                y + label_height,
                filled,
                bar_height,
                BAR,
            )
        )
        if target and elapsed is not None:
            x = round(width * elapsed)
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" '
                    'stroke-width="2"/>',
                    x,
                    x,
                    y + label_height - 2,
                    y + label_height + bar_height + 2,
                    PACE,
                )
            )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'role="img" aria-hidden="true" focusable="false">{}</svg>',
        width,
        height,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
