"""A table of figures: what a page shows, a PDF prints, an export downloads and a
report run keeps, from one object. Rendered by `_partials/table.html`."""

from dataclasses import dataclass

import tablib
from django.utils.translation import gettext, gettext_lazy

from .numbers import round_half_up
from .suppression import Suppressed

Cell = int | float | str | Suppressed | None

MARK_MEANINGS = {
    "small": gettext_lazy(
        "<5: 1 til 4, ikke vist, da så små tal kan pege på en husstand."
    ),
    "few": gettext_lazy(
        "<5 sager: et beløb fra 1 til 4 sager, ikke vist af samme grund."
    ),
    "complement": gettext_lazy(
        "..: ikke vist, så et lille tal ikke kan regnes ud fra de andre tal."
    ),
}


@dataclass
class Table:
    slug: str
    title: str
    caption: str
    columns: list[str]  # the first names the row headers
    rows: list[list[Cell]]  # each row's first cell is its header
    total: list[Cell] | None = None
    text_columns: tuple[int, ...] = ()  # columns of words, read from the left

    @property
    def headline(self) -> list[tuple[str, Cell]]:
        """(column, total) for each figure column with a total: a table's
        figures in a line."""
        if not self.total:
            return []
        pairs = zip(self.columns[1:], self.total[1:], strict=True)
        return [(column, cell) for column, cell in pairs if cell not in (None, "")]

    @property
    def marks(self) -> list[str]:
        """What each mark of a figure left out in this table means, for a note
        under it: a reader meets "<5" or ".." explained where it stands."""
        cells = [cell for row in [*self.rows, self.total or []] for cell in row]
        reasons = {cell.reason for cell in cells if isinstance(cell, Suppressed)}
        return [text for reason, text in MARK_MEANINGS.items() if reason in reasons]

    def dataset(self) -> tablib.Dataset:
        """For CSV and Excel: suppressed cells as their mark, empty ones empty."""
        data = tablib.Dataset(headers=self.columns, title=self.title[:31])
        for row in [*self.rows, *([self.total] if self.total else [])]:
            data.append([_plain(cell) for cell in row])
        return data

    def as_record(self) -> dict:
        """The table as JSON, kept with a report run."""
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": [[_plain(cell) for cell in row] for row in self.rows],
            "total": [_plain(cell) for cell in self.total] if self.total else None,
        }


def _plain(cell: Cell):
    if isinstance(cell, Suppressed):
        return str(cell)
    if isinstance(cell, float):
        return float(round_half_up(cell, 1))
    return "" if cell is None else cell


def per_area_table(part, cells, **table) -> Table:
    """A table of a row per area (`part.rows`, each with its `area`) and, for
    more than one area, their total (`part.total`); `cells` gives a row's
    figures after its area's name."""
    total = part.total if len(part.rows) > 1 else None
    return Table(
        rows=[[row.area.name, *cells(row)] for row in part.rows],
        total=[gettext("I alt"), *cells(total)] if total else None,
        **table,
    )
