"""A table of figures: what a page shows, a PDF prints, an export downloads and a
report run keeps, from one object. Rendered by `_partials/table.html`."""

from dataclasses import dataclass

import tablib

from .suppression import Suppressed

Cell = int | float | str | Suppressed | None


@dataclass
class Table:
    slug: str
    title: str
    caption: str
    columns: list[str]  # the first names the row headers
    rows: list[list[Cell]]  # each row's first cell is its header
    total: list[Cell] | None = None

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
        return round(cell, 1)
    return "" if cell is None else cell


def percent(part, whole) -> float | None:
    if not isinstance(part, int) or not isinstance(whole, int) or not whole:
        return None
    return 100 * part / whole
