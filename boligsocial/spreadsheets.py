"""Spreadsheets in and out: the Excel imports of the apps, and CSV/Excel exports.

An import reads the first sheet of an uploaded .xlsx file as staff keep it: the
header row found under any title, each column placed by its header's name or
synonym, or by the person on a columns page (remembered for sheets with the same
headers), and the cells read as people write them (sheet_values). Each row becomes
the data of a screen's form and is validated by it: an imported row obeys exactly
the rules of one typed in. The person first sees every row, what was read
otherwise than written, and what is wrong with it or seems there already (nothing
is saved), then confirms, and the rows are saved in one transaction, or none is;
or cancels.

An app describes its import once (SheetImport: its columns, how to validate its
rows, what is saved of a row, its page and URLs); import_views.import_urls gives
it the steps of import_steps behind its own door.
"""

import csv
import datetime
import gc
import hashlib
import itertools
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO, TextIOWrapper
from typing import BinaryIO

import openpyxl
import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from . import storage
from .models import (
    Area,
    HousingDepartment,
)
from .sheet_values import (
    DAY_FIRST,
    date_order,
    name_key,
    read_count,
    read_date,
    read_flag,
    read_time,
    text_of,
)
from .text import clean as clean_text

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

MAX_BYTES = 5 * 1024 * 1024
# A sheet of more than IMPORT_BACKGROUND_ROWS rows is checked and imported by the
# Celery worker, a thousand rows at a time (CHUNK_ROWS), the person following its
# progress: 20,000 rows take some 55 s from upload to imported (bench/imports.py).
MAX_ROWS = 20_000
CHUNK_ROWS = 1000
# Wider than any real sheet; a stray formatted column far out is not read.
MAX_COLUMNS = 200
# An .xlsx file is a zip archive, and openpyxl parses every cell it unpacks, however
# far out, at some 50,000-70,000 cells a second, while the upload waits: a 40 kB
# file holding one row of 10 MB took 47 s and 250 MB. A sheet of 20,000 rows of 19
# text columns (380,000 cells) unpacks to some 20 MB and is read in 5.6 s. The
# cells bound the time (MAX_CELLS, counted in the unpacked XML before it is parsed:
# a made-up sheet of empty cells packs millions into a few MB), the bytes the
# memory.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_CELLS = 1_000_000
# openpyxl makes up every row missing above a row it reads: a few bytes naming row
# 200,000 took 3 s. Reading stops here, and a sheet that says it goes further down
# is refused rather than read in part.
MAX_SHEET_ROWS = 30_000


# --- Cells ----------------------------------------------------------------------------


class Places:
    """The areas (by name or one of their other names) and housing departments (by
    number, name or other name within their area) a sheet names, loaded once for
    all its rows. Lookups return the object, or None and why there is none; a
    name found under another name is noted (`notes`) for the preview."""

    def __init__(self):
        self.areas: dict[str, Area] = {}
        for area in Area.objects.all():
            for name in [area.name, *area.alias_list]:
                self.areas.setdefault(name_key(name), area)
        self.area_objects = {str(area.pk): area for area in self.areas.values()}
        self.departments: dict[tuple[int, str], list[HousingDepartment]] = {}
        self.by_area: dict[int, dict[str, HousingDepartment]] = {}
        for department in HousingDepartment.objects.all():
            self.by_area.setdefault(department.area_id, {})[str(department.pk)] = (
                department
            )
            names = {department.number, department.name, *department.alias_list}
            for name in names:
                key = (department.area_id, name_key(name))
                self.departments.setdefault(key, []).append(department)

    def department_objects(self, area_id: int | None) -> dict:
        """The departments a form may choose (pk text → department): the area's."""
        return self.by_area.get(area_id, {}) if area_id else {}

    def area(self, name: str) -> tuple[Area | None, str | None]:
        area = self.areas.get(name_key(name))
        if area is None:
            return None, _("Området %(name)s findes ikke.") % {"name": name}
        return area, None

    def department(
        self, number: str, area: Area
    ) -> tuple[HousingDepartment | None, str | None]:
        departments = self.departments.get((area.pk, name_key(number)), [])
        if len(departments) == 1:
            return departments[0], None
        if departments:
            message = _("Flere afdelinger i %(area)s har nummer %(number)s.")
        else:
            message = _("Afdeling %(number)s findes ikke i %(area)s.")
        return None, message % {"number": number, "area": area}

    def streets(self, area: Area | None = None) -> list[str]:
        """The streets the departments list (of one area, or all)."""
        departments = (
            self.by_area.get(area.pk, {}).values()
            if area
            else [d for found in self.by_area.values() for d in found.values()]
        )
        return sorted({street for d in departments for street in d.street_list})


def renamed(written: str, found) -> str | None:
    """The preview's note when a name was found under another of its names."""
    if found is None or name_key(written) == name_key(
        str(getattr(found, "name", found))
    ):
        return None
    return f"{written} → {getattr(found, 'name', found)}"


def phone_text(phone) -> str:
    """A phone number for a sheet: Danish numbers as Danes write them, others
    with their country code."""
    if not phone:
        return ""
    return phone.as_national if phone.country_code == 45 else phone.as_international


def shown_date(value) -> str:
    """A date cell, or a date as read (ISO text), the Danish way; other text as
    it is."""
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    try:
        return f"{datetime.date.fromisoformat(text_of(value)):%d.%m.%Y}"
    except ValueError:
        return text_of(value)


def danish(columns: dict[str, str]) -> dict[str, str]:
    """Form field → its header in the sheet. Sheets are Danish whatever language
    the page is shown in, as staff keep them today."""
    with translation.override("da"):
        return {name: str(label) for name, label in columns.items()}


# --- Reading the sheet ----------------------------------------------------------------


def not_a_spreadsheet() -> ValidationError:
    return ValidationError(
        _("Filen er ikke et Excel-regneark (.xlsx)."), code="not_xlsx"
    )


@dataclass
class Sheet:
    """The first sheet of a workbook: its non-blank rows, as (row number, cells)."""

    lines: list[tuple[int, tuple]]
    # (row number, column index) of the formula cells Excel saved no value with.
    formulas: set[tuple[int, int]] = field(default_factory=set)


def read_workbook(file: BinaryIO) -> Sheet:
    """The first sheet of an .xlsx file (binary file object); ValidationError if
    it cannot be read, is empty or too big."""
    lines, formulas = _non_blank_lines(file)
    if not lines:
        raise ValidationError(_("Filen er tom."), code="empty")
    if len(lines) < 2:
        raise ValidationError(
            _("Filen har ingen rækker under overskrifterne."), code="no_rows"
        )
    # The header may lie under a title: the rows under it are counted once it
    # is found (read_columns), this only stops a sheet far too long.
    if len(lines) > MAX_ROWS + HEADER_SEARCH:
        raise too_many_rows()
    return Sheet(lines=lines, formulas=formulas)


def too_many_rows(limit: int | None = None) -> ValidationError:
    return ValidationError(
        _("Filen har mere end %(max)s rækker. Del den op i flere filer.")
        % {"max": number_format(limit or MAX_ROWS, force_grouping=True)},
        code="too_many_rows",
    )


def _non_blank_lines(file: BinaryIO) -> tuple[list[tuple[int, tuple]], set]:
    """(row number, cells) of the first sheet's non-blank rows, and the formula
    cells Excel saved no value with; reading stops some rows past the limit."""
    try:
        _check_archive(file)
        lines = _lines(file, data_only=True)
        file.seek(0)
        # A formula cell gives the value Excel saved with it, or None when it saved
        # none (a sheet written by a program, say): read the formulas too, to tell
        # such a cell from an empty one.
        values = dict(lines)
        formulas = {
            (number, index)
            for number, cells in _lines(file, data_only=False, formulas_only=True)
            for index, cell in enumerate(cells)
            if isinstance(cell, str)
            and cell.startswith("=")
            and number in values
            and _at(values[number], index) is None
        }
    except ValidationError:
        raise
    # openpyxl fails in many ways on a file that is not a workbook (a bad zip,
    # missing parts, broken XML); every one of them means we cannot read it.
    except Exception as error:
        raise not_a_spreadsheet() from error
    return lines, formulas


def _lines(file: BinaryIO, *, data_only: bool, formulas_only: bool = False):
    """The rows of the first sheet, (row number, cells); only rows with a
    formula when formulas_only (and none when the workbook has none)."""
    if formulas_only and not _has_formulas(file):
        return []
    workbook = openpyxl.load_workbook(file, read_only=True, data_only=data_only)
    try:
        sheet = workbook.worksheets[0]
        _refuse_too_far_down(sheet.max_row)
        rows = sheet.iter_rows(
            values_only=True,
            max_col=MAX_COLUMNS,
            max_row=sheet.max_row or MAX_SHEET_ROWS,
        )
        lines, filled = [], 0
        for number, cells in enumerate(rows, start=1):
            if formulas_only:
                if any(isinstance(c, str) and c.startswith("=") for c in cells):
                    lines.append((number, cells))
                continue
            if any(text_of(cell) for cell in cells):
                lines.append((number, cells))
                filled += 1
            if filled > MAX_ROWS + HEADER_SEARCH:
                break
        return lines
    finally:
        workbook.close()


def _has_formulas(file: BinaryIO) -> bool:
    """Whether the first sheet holds a formula (an <f> element), without reading
    every cell twice for the many sheets that hold none."""
    position = file.tell()
    try:
        with zipfile.ZipFile(file) as archive:
            names = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            return any(b"<f" in archive.read(name) for name in names)
    finally:
        file.seek(position)


def _at(cells: tuple, index: int):
    return cells[index] if index < len(cells) else None


def _check_archive(file: BinaryIO) -> None:
    """Refuse a file that is not a zip archive from its first byte, as every .xlsx
    file is (zipfile also reads one behind something else, an HTML page say), or
    whose parts unpack to more than MAX_UNPACKED_BYTES. The sizes are the
    archive's own word, which holds: zipfile stops with an error rather than
    unpack more than a part says it holds."""
    if file.read(4) != b"PK\x03\x04":
        raise not_a_spreadsheet()
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ValidationError(
                _(
                    "Regnearket fylder over %(size)s MB, når det pakkes ud. Slet "
                    "tomme rækker og kolonner, eller del det op i flere filer."
                )
                % {"size": MAX_UNPACKED_BYTES // (1024 * 1024)},
                code="too_big_unpacked",
            )
        if _cells(archive) > MAX_CELLS:
            raise ValidationError(
                _(
                    "Regnearket har over %(cells)s celler. Slet tomme rækker og "
                    "kolonner, eller del det op i flere filer."
                )
                % {"cells": number_format(MAX_CELLS, force_grouping=True)},
                code="too_many_cells",
            )
    file.seek(0)


# A cell's element, with or without a namespace prefix: <c r=…>, <c>, <c/>.
CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b":c ", b":c>", b":c/>")


def _cells(archive: zipfile.ZipFile) -> int:
    """The cells the sheets hold, counted in their XML (a few milliseconds for
    the biggest sheet MAX_UNPACKED_BYTES lets through), not parsed."""
    return sum(
        xml.count(tag)
        for name in archive.namelist()
        if name.startswith("xl/worksheets/")
        for xml in [archive.read(name)]
        for tag in CELL_TAGS
    )


def _refuse_too_far_down(last_row: int | None) -> None:
    """Refuse a sheet that says (in its dimension) it goes below MAX_SHEET_ROWS."""
    if last_row and last_row > MAX_SHEET_ROWS:
        raise ValidationError(
            _(
                "Regnearket går ned til række %(last)s, men der læses højst "
                "%(max)s rækker. Slet de tomme rækker under dataene, eller del "
                "filen op."
            )
            % {
                "last": number_format(last_row, force_grouping=True),
                "max": number_format(MAX_SHEET_ROWS, force_grouping=True),
            },
            code="too_far_down",
        )


# --- The columns: which field each column holds ---------------------------------------

# The header is found among the first rows (a title, merged across, may stand above).
HEADER_SEARCH = 10
# A row holding one of these words is a total, not a record.
SUMMARY_WORDS = {"ialt", "total", "totalt", "sum", "samlet", "totals"}
# A column's choice on the columns page: ignored, or extra (an indicator) by name.
IGNORE = ""
EXTRA = "extra:"


@dataclass(frozen=True)
class Columns:
    """What an import reads: each field's header in the template (Danish; its
    English translation and the synonyms are read too), which fields a sheet must
    give, and which fields hold dates, times, counts or yes/no. `extra_column`
    accepts a
    header that is none of them by returning what it stands for (an indicator),
    or None; `extra_names` are those one may choose for a column by hand."""

    headers: dict[str, object]
    required: Sequence[str]
    synonyms: dict[str, Sequence[str]] = field(default_factory=dict)
    dates: Sequence[str] = ()
    times: Sequence[str] = ()
    counts: Sequence[str] = ()
    flags: Sequence[str] = ()
    extra_column: Callable[[str], str | None] | None = None
    extra_names: Sequence[str] = ()
    # A required field is given too by another's column (street by "Adresse").
    covered_by: dict[str, str] = field(default_factory=dict)

    def is_given(self, name: str, fields, fills) -> bool:
        other = self.covered_by.get(name)
        return (
            name in fields or name in fills or (other is not None and other in fields)
        )

    def names(self) -> dict[str, str]:
        """Every way of writing a field's header (name_key) → the field."""
        names: dict[str, str] = {}
        for field_name, header in self.headers.items():
            written = [*self.synonyms.get(field_name, ())]
            for language in ("da", "en"):
                with translation.override(language):
                    written.append(str(header))
            for text in written:
                names.setdefault(name_key(text), field_name)
        return names

    def label(self, field_name: str) -> str:
        return str(self.headers.get(field_name, field_name))


@dataclass
class Reading:
    """How a sheet's columns are read: the header row, each field's column, the
    columns nobody has placed yet, and what the person must still choose."""

    header_number: int
    headers: list[str]  # as written, by column index ("" where blank)
    fields: dict[str, int]  # field → column index
    extras: dict[str, int]  # extra header (an indicator's name) → column index
    unknown: list[int]  # columns neither matched nor chosen
    twice: list[int]  # columns naming a field an earlier column holds
    missing: list[str]  # required fields with no column and no value for all
    fills: dict[str, str]  # field → the value written for every row
    orders: dict[str, str]  # date field → DAY_FIRST / MONTH_FIRST
    ambiguous: list[str]  # date fields whose slash dates read either way
    body: list[tuple[int, tuple]]
    above: list[int]  # row numbers above the header (a title)

    @property
    def needs_choice(self) -> bool:
        return bool(self.unknown or self.twice or self.missing or self.ambiguous)

    @property
    def key(self) -> str:
        return headers_key(self.headers)

    def samples(self, index: int, count: int = 3) -> list[str]:
        found = []
        for _number, cells in self.body:
            text = shown_date(_at(cells, index))
            if text and text not in found:
                found.append(text)
            if len(found) == count:
                break
        return found


def headers_key(headers: Sequence[str]) -> str:
    """One sheet's headers, for remembering how its columns were read."""
    text = "\x1f".join(name_key(header) for header in headers)
    return hashlib.sha256(text.encode()).hexdigest()


def read_columns(
    sheet: Sheet,
    columns: Columns,
    *,
    chosen: dict[str, str] | None = None,
    fills: dict[str, str] | None = None,
    orders: dict[str, str] | None = None,
) -> Reading:
    """Which column holds which field. chosen maps a column's index (as text) to
    a field, EXTRA + name or IGNORE (a person's choice, or one remembered for
    these headers); other columns are matched by their header's name."""
    names = columns.names()
    number, header, above = _header_row(sheet, names, columns.extra_column)
    headers = [text_of(cell) for cell in header]
    while headers and not headers[-1]:
        headers.pop()  # a sheet read as wide as its widest row
    chosen = chosen or {}
    fields: dict[str, int] = {}
    extras: dict[str, int] = {}
    unknown, twice = [], []
    for index, text in enumerate(headers):
        if not text:
            continue
        choice = chosen.get(str(index))
        if choice is None:
            choice = names.get(name_key(text))
        if choice is None and columns.extra_column and columns.extra_column(text):
            choice = EXTRA + text
        if choice is None:
            unknown.append(index)
        elif choice == IGNORE:
            continue
        elif choice.startswith(EXTRA):
            if choice[len(EXTRA) :] in extras:
                twice.append(index)
            else:
                extras[choice[len(EXTRA) :]] = index
        elif choice in fields or choice not in columns.headers:
            twice.append(index)
        else:
            fields[choice] = index
    fills = {k: v for k, v in (fills or {}).items() if v and k not in fields}
    missing = [f for f in columns.required if not columns.is_given(f, fields, fills)]
    body = [line for line in sheet.lines if line[0] > number]
    orders = dict(orders or {})
    ambiguous = []
    for name in columns.dates:
        if name in orders or name not in fields:
            continue
        order = date_order(_at(cells, fields[name]) for _n, cells in body)
        if order is None:
            ambiguous.append(name)
        else:
            orders[name] = order
    return Reading(
        header_number=number,
        headers=headers,
        fields=fields,
        extras=extras,
        unknown=unknown,
        twice=twice,
        missing=missing,
        fills=fills,
        orders=orders,
        ambiguous=ambiguous,
        body=body,
        above=above,
    )


def _header_row(
    sheet: Sheet, names: dict, extra_column
) -> tuple[int, tuple, list[int]]:
    """The header: of the first rows, the one naming the most known columns (a
    title above it is passed over); else the first with two cells filled."""
    candidates = [line for line in sheet.lines[:HEADER_SEARCH] if line[1]]

    def score(cells: tuple) -> int:
        texts = [text_of(cell) for cell in cells if isinstance(cell, str)]
        return sum(
            1
            for t in texts
            if name_key(t) in names or (extra_column and extra_column(t))
        )

    best = max(candidates, key=lambda line: score(line[1]), default=None)
    if best is None or score(best[1]) == 0:
        filled = [
            line
            for line in candidates
            if sum(1 for cell in line[1] if text_of(cell)) >= 2
        ]
        best = filled[0] if filled else candidates[0]
    number, header = best
    above = [n for n, _cells in sheet.lines if n < number]
    return number, header, above


def column_errors(reading: Reading, columns: Columns) -> list[str]:
    """What stands between the sheet and its rows, in words: for a sheet that no
    longer reads as the person placed it when they confirm."""
    errors = []
    if reading.missing:
        errors.append(
            _("Kolonnerne mangler: %(columns)s.")
            % {"columns": ", ".join(columns.label(f) for f in reading.missing)}
        )
    if reading.unknown:
        errors.append(
            _("Ukendte kolonner: %(columns)s.")
            % {"columns": ", ".join(reading.headers[i] for i in reading.unknown)}
        )
    if reading.twice:
        errors.append(
            _("Disse kolonner står mere end én gang: %(columns)s.")
            % {"columns": ", ".join(reading.headers[i] for i in reading.twice)}
        )
    if reading.ambiguous:
        errors.append(
            _("Datoerne i %(columns)s kan læses begge veje.")
            % {"columns": ", ".join(columns.label(f) for f in reading.ambiguous)}
        )
    return errors


@dataclass
class SheetRow:
    number: int  # as in Excel
    values: dict[str, object]  # form field → cell (dates, times, counts as text)
    extra: dict[str, object] = field(default_factory=dict)  # extra header → cell
    # What was read otherwise than written ("15-01-2025 → 15.01.2025").
    notes: list[str] = field(default_factory=list)
    # Fields whose cell is a formula Excel saved no value for.
    formulas: list[str] = field(default_factory=list)


def sheet_rows(
    sheet: Sheet, reading: Reading, columns: Columns
) -> tuple[list[SheetRow], list[tuple[int, str]]]:
    """The rows under the header as the fields' values, and the rows passed over
    (a total row) with why. Dates, times, counts and yes/no are read as people
    write them (sheet_values), each change noted."""
    if len(reading.body) > MAX_ROWS:
        raise too_many_rows()
    readers = {
        **dict.fromkeys(columns.times, lambda v, _f: read_time(v)),
        **dict.fromkeys(columns.counts, lambda v, _f: read_count(v)),
        **dict.fromkeys(columns.flags, lambda v, _f: read_flag(v)),
        **{
            name: (lambda v, f: read_date(v, reading.orders.get(f, DAY_FIRST)))
            for name in columns.dates
        },
    }
    rows, skipped = [], []
    for number, cells in reading.body:
        if _is_total(cells):
            skipped.append(
                (number, _("Rækken er en sumrække (»I alt«) og springes over."))
            )
            continue
        row = SheetRow(number=number, values={})
        for name, index in reading.fields.items():
            if (number, index) in sheet.formulas:
                row.formulas.append(name)
            row.values[name] = _clean_cell(_at(cells, index))
        for name, text in reading.fills.items():
            row.values[name] = text
        for name, value in list(row.values.items()):
            if name in readers and value not in (None, ""):
                row.values[name], note = readers[name](value, name)
                if note:
                    row.notes.append(f"{columns.label(name)}: {note}")
        for header, index in reading.extras.items():
            if (number, index) in sheet.formulas:
                row.formulas.append(header)
            value, note = read_count(_clean_cell(_at(cells, index)))
            row.extra[header] = value
            if note:
                row.notes.append(f"{header}: {note}")
        rows.append(row)
    return rows, skipped


def _is_total(cells: tuple) -> bool:
    return any(
        isinstance(cell, str) and name_key(cell) in SUMMARY_WORDS for cell in cells
    )


def _clean_cell(value):
    """A cell's value; text without invisible reordering characters (text.py)."""
    return clean_text(value) if isinstance(value, str) else value


# --- Validating and saving the rows ---------------------------------------------------


@dataclass
class RowResult:
    number: int
    # The form the row was checked with; dropped once the row's verdict is taken
    # (check_rows), so that a big sheet's forms are not all kept.
    form: forms.BaseForm | None
    # (column labels, message): readable text, one entry per distinct message.
    errors: list[tuple[str, str]]
    # What the preview lists, in the order of SheetImport.preview_columns:
    # (text, CSS class of the cell).
    shown: list[tuple[str, str]] = field(default_factory=list)
    # What was read otherwise than written: a date, a name, a split address.
    notes: list[str] = field(default_factory=list)
    # Why the row seems to be there already (in the sheet or stored): such a row
    # is imported only when the person ticks it.
    duplicate: str = ""
    # What makes the row the same as another (SheetImport.same), and what is
    # saved for it (SheetImport.keep): taken from the form while it is there.
    key: tuple | None = None
    saved: object = None

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        """What the preview shows of the row, as ImportJob.results keeps it."""
        return {
            "number": self.number,
            "errors": [[str(label), str(message)] for label, message in self.errors],
            "shown": [[str(text), css] for text, css in self.shown],
            "notes": [str(note) for note in self.notes],
            "duplicate": str(self.duplicate),
        }

    @classmethod
    def from_json(cls, data: dict) -> "RowResult":
        return cls(
            number=data["number"],
            form=None,
            errors=[tuple(error) for error in data["errors"]],
            shown=[tuple(cell) for cell in data["shown"]],
            notes=data["notes"],
            duplicate=data["duplicate"],
        )


def readable_errors(
    form: forms.BaseForm, problems: dict[str | None, list], columns: dict[str, str]
) -> list[tuple[str, str]]:
    """The row's errors by column. problems are what the import found itself
    (field, or None for the row → messages), such as a name that was not found;
    they replace the form's own complaint about that field (required, or not a
    valid choice); no messages drops it (another column explains it). columns:
    form field → header."""
    errors = {name: list(texts) for name, texts in problems.items()}
    for name, texts in form.errors.items():
        name = None if name == "__all__" else name
        if name is None or name not in problems:
            errors.setdefault(name, []).extend(texts)
    # A rule about several fields is reported on each of them: once.
    by_message: dict[str, list[str]] = {}
    for name, texts in errors.items():
        for message in texts:
            labels = by_message.setdefault(str(message), [])
            label = _label(form, name, columns)
            if label and label not in labels:
                labels.append(label)
    return [(", ".join(labels), message) for message, labels in by_message.items()]


def _label(form: forms.BaseForm, name: str | None, columns: dict[str, str]) -> str:
    if name is None:
        return ""
    if name in columns:
        return str(columns[name])
    return str(form.fields[name].label) if name in form.fields else name


def mark_repeats(results: list[RowResult]) -> None:
    """A valid row equal (by its key) to an earlier valid row of the sheet is
    marked as its duplicate."""
    first: dict[tuple, int] = {}
    for result in results:
        if not result.is_valid or result.duplicate or result.key is None:
            continue
        found = first.setdefault(result.key, result.number)
        if found != result.number:
            result.duplicate = _("Samme som række %(row)s.") % {"row": found}


def import_rows(
    results: list[RowResult],
    include: set[int] = frozenset(),
    *,
    save: Callable[[list], None] | None = None,
) -> int:
    """Save every valid row (a duplicate only if included) in one transaction:
    all of them, or none. What is saved of a row is its `saved` (check_rows
    with keep), or else its form; `save` saves them all at once (an import's
    bulk save), else each saves itself."""
    numbers = set(importable(results, include))
    chosen = [
        r.saved if r.saved is not None else r.form
        for r in results
        if r.number in numbers
    ]
    with transaction.atomic():
        if save is not None:
            save(chosen)
        else:
            for row in chosen:
                row.save()
    return len(chosen)


def importable(results: list[RowResult], include: set[int] = frozenset()) -> list[int]:
    return [
        r.number
        for r in results
        if r.is_valid and (not r.duplicate or r.number in include)
    ]


def valid_rows(results: list[RowResult]) -> list[int]:
    return [result.number for result in results if result.is_valid]


def duplicate_rows(results: list[RowResult]) -> list[int]:
    return [r.number for r in results if r.is_valid and r.duplicate]


def _validated(
    spec: "SheetImport", rows: list[SheetRow], user, columns: Columns
) -> list[RowResult]:
    """The import's own check of each row, with what the reading found: the notes,
    and formula cells Excel saved no value for (refused, never stored empty)."""
    results = spec.validate(rows, user)
    for row, result in zip(rows, results, strict=True):
        result.notes[:0] = row.notes
        for name in row.formulas:
            result.errors.append(
                (
                    columns.label(name),
                    _(
                        "Cellen er en formel, som Excel ikke har gemt en værdi for. "
                        "Åbn filen i Excel, gem den, og upload den igen."
                    ),
                )
            )
    return results


def check_rows(
    spec: "SheetImport",
    rows: list[SheetRow],
    user,
    columns: Columns,
    *,
    keep: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[RowResult]:
    """Every row's verdict, CHUNK_ROWS rows at a time (the import's catalogue
    loaded once a chunk: the same queries for every thousand rows), each chunk's
    forms let go once their rows are judged; with `keep`, what the import saves
    of each valid row (SheetImport.keep). Rows the same as an earlier row of the
    sheet are marked at the end. `progress` is told the rows checked so far."""
    size = spec.chunk_rows or max(len(rows), 1)
    results: list[RowResult] = []
    # A form holds reference cycles, so a chunk's forms are freed by the cyclic
    # garbage collector, which, run as they pile up, took half the time of a big
    # sheet's check: it runs once a chunk instead, on the objects made since.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for start in range(0, len(rows), size):
            part = _validated(spec, rows[start : start + size], user, columns)
            for result in part:
                if result.is_valid:
                    if spec.same is not None:
                        result.key = spec.same(result.form)
                    if keep:
                        result.saved = spec.keep(result.form)
                result.form = None
            results += part
            gc.collect(0)
            if progress is not None:
                progress(len(results))
    finally:
        if collecting:
            gc.enable()
    mark_repeats(results)
    return results


# --- The uploaded sheet, between the upload and the import ----------------------------

TOKEN = re.compile(r"[0-9a-f]{32}")


FOLDER = "imports"


def _name(token: str) -> str:
    # The token is ours (uuid4 hex), never the user's file name: no path tricks.
    if not TOKEN.fullmatch(token):
        raise ValueError("not an import token")
    return f"{FOLDER}/{token}.json"


def store_upload(sheet: Sheet) -> str:
    """Keep an uploaded sheet, as read, until it is imported or dropped; its
    token. Kept read (JSON), not as the .xlsx file: the worker and every later
    step take the rows without parsing the workbook again (some 3 s for 20,000
    rows) or trusting it twice. In the default storage, so that every web
    process and worker (on any machine, with an object store) finds it; private:
    a sheet names residents."""
    _remove_stale()
    token = uuid.uuid4().hex
    data = {
        "lines": [
            [number, [_cell_json(c) for c in cells]] for number, cells in sheet.lines
        ],
        "formulas": sorted(sheet.formulas),
    }
    content = json.dumps(data, ensure_ascii=False).encode()
    storage.save_new(default_storage, _name(token), content, private=True)
    return token


def peek_upload(token: str) -> Sheet | None:
    """The stored sheet, left in place; None when it is gone."""
    try:
        with default_storage.open(_name(token), "rb") as stored:
            text = stored.read().decode()
    except FileNotFoundError:
        return None
    data = json.loads(text, object_hook=_cell_value)
    return Sheet(
        lines=[(number, tuple(cells)) for number, cells in data["lines"]],
        formulas={tuple(cell) for cell in data["formulas"]},
    )


CELL_TYPES = {
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "time": datetime.time.fromisoformat,
    "seconds": lambda seconds: datetime.timedelta(seconds=seconds),
}


def _cell_json(value):
    """A cell as JSON keeps it: dates and times tagged with their type."""
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"time": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"seconds": value.total_seconds()}
    return value


def _cell_value(data: dict):
    """A tagged cell back as its type; the file's own keys (lines, formulas) as
    they are."""
    if len(data) == 1 and (kind := next(iter(data))) in CELL_TYPES:
        return CELL_TYPES[kind](data[kind])
    return data


def discard_upload(token: str) -> None:
    default_storage.delete(_name(token))


def remove_stale_uploads() -> None:
    """Housekeeping's call: sweep sheets no import can use any more."""
    _remove_stale()


def _remove_stale() -> None:
    """Sheets older than the longest session belong to no import any more
    (ImportJob.objects.expired): delete them (they may hold personal data)."""
    oldest = timezone.now() - settings.SESSION_MAX_AGE
    for name in storage.walk(default_storage, FOLDER):
        written = storage.modified(default_storage, name)  # None: removed meanwhile
        if written is not None and written < oldest:
            default_storage.delete(name)


class ImportForm(forms.Form):
    """The upload: a sheet that cannot be read is refused at the field."""

    file = forms.FileField(
        label=gettext_lazy("Excel-fil"),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, max_rows: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_rows = max_rows or MAX_ROWS
        self.fields["file"].help_text = _(
            "Et regneark (.xlsx), højst 5 MB og %(rows)s rækker. Har kolonnerne "
            "andre navne end i skabelonen, vælger du bagefter, hvad de indeholder."
        ) % {"rows": number_format(self.max_rows, force_grouping=True)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Filen er større end 5 MB."), code="too_big")
        if not upload.name.lower().endswith(".xlsx"):
            raise not_a_spreadsheet()
        self.content = upload.read()
        self.sheet = read_workbook(BytesIO(self.content))
        return upload


# --- Template workbooks and exports ---------------------------------------------------


def dress(sheet) -> None:
    """Bold headers that stay in view, wide enough columns, Danish date and time."""
    for cell in sheet[1]:
        cell.font = openpyxl.styles.Font(bold=True)
        width = max(12, len(str(cell.value or "")) + 2)
        sheet.column_dimensions[cell.column_letter].width = min(width, 60)
    sheet.freeze_panes = "A2"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(cell.value, datetime.time):
                cell.number_format = "HH:MM"


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    """The workbook's sheets dressed, as an .xlsx file."""
    for sheet in workbook.worksheets:
        dress(sheet)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Excel runs a cell that starts like a formula (CSV injection; in an .xlsx file
# only "=" does): text someone typed, such as a resident's name from the public
# sign-up page, must stay text.
FORMULA_STARTS = {"csv": ("=", "+", "-", "@", "\t", "\r"), "xlsx": ("=",)}


def neutralised(data: tablib.Dataset, fmt: str) -> tablib.Dataset:
    """The same sheet with every formula-like text cell kept as text."""
    starts = FORMULA_STARTS[fmt]
    safe = tablib.Dataset(headers=data.headers, title=data.title)
    for row in data:
        safe.append(
            [f"'{v}" if isinstance(v, str) and v.startswith(starts) else v for v in row]
        )
    return safe


def export_file(data: tablib.Dataset, fmt: str) -> tuple[bytes | str, str]:
    """The file's content and its content type; fmt is one of FORMATS (as
    write_export writes it)."""
    buffer = BytesIO()
    write_export([data], fmt, buffer)
    content = buffer.getvalue()
    return (content if fmt == "xlsx" else content.decode()), FORMATS[fmt]


def write_export(parts: Iterable[tablib.Dataset], fmt: str, out: BinaryIO) -> None:
    """A list's rows, given a part at a time (datasets with the same headers and
    title), written to the binary file `out` as one CSV or Excel file. Only one
    part is held at a time: CSV is written row by row, Excel by openpyxl's
    write-only workbook, which keeps its rows in a temporary file until it is
    saved. In Excel a date is a date (and a time a time), shown the Danish way,
    under bold headers that stay in view; in CSV it is written as ISO
    (2026-12-04, 2026-12-04 10:30), after a byte-order mark that makes Excel
    read the Danish letters right."""
    parts = iter(parts)
    first = next(parts)
    headers = list(first.headers or [])
    every = (
        row
        for part in itertools.chain([first], parts)
        for row in neutralised(part, fmt)
    )
    if fmt == "xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet((first.title or "Ark")[:31])
        for number, header in enumerate(headers, start=1):
            width = max(12, len(str(header or "")) + 2)
            sheet.column_dimensions[get_column_letter(number)].width = min(width, 60)
        sheet.freeze_panes = "A2"
        sheet.append([_header_cell(sheet, header) for header in headers])
        for row in every:
            sheet.append([_excel_cell(sheet, _local(value)) for value in row])
        workbook.save(out)
        return
    text = TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")
    writer = csv.writer(text)
    if headers:
        writer.writerow(headers)
    for row in every:
        writer.writerow([_csv_cell(value) for value in row])
    text.detach()


# How Excel shows a date, a moment and a time of day, the Danish way.
EXCEL_FORMATS = (
    (datetime.datetime, "DD.MM.YYYY HH:MM"),
    (datetime.date, "DD.MM.YYYY"),
    (datetime.time, "HH:MM"),
)


def _header_cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = openpyxl.styles.Font(bold=True)
    return cell


def _excel_cell(sheet, value):
    for kind, shown in EXCEL_FORMATS:
        if isinstance(value, kind):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = shown
            return cell
    return value


def _local(value):
    """Excel knows no time zones: a moment is written as Danish local time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.make_naive(timezone.localtime(value))
    return value


def _csv_cell(value):
    value = _local(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return value


def download(data: tablib.Dataset, fmt: str, filename: str) -> HttpResponse:
    """The dataset as a CSV or Excel file to save, named `filename`.`fmt`."""
    if fmt not in FORMATS:
        raise Http404
    content, content_type = export_file(data, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# --- What one import is ---------------------------------------------------------------


def _form(form):
    return form


@dataclass(frozen=True)
class SheetImport:
    """What one import is: everything the steps (import_steps) need that differs
    between imports."""

    template_name: str  # the page: upload form, columns, progress or the preview
    url_name: str  # the upload page's; import_views.import_urls names the rest
    done_url: str  # where a confirmed import leads
    columns: Callable[[], Columns]  # what the sheet's columns may hold
    validate: Callable[[list, object], list[RowResult]]  # (rows, user) → results
    preview_columns: Sequence[tuple[str, str]]  # (header, CSS class) after "Række"
    imported: Callable[[int], str]  # what to say when that many rows were saved
    require: Callable[[object], None]  # the app's door: PermissionDenied if not
    template: Callable[[], bytes]  # the workbook to fill in
    template_filename: str
    # Saves the valid rows at once (new rows only, as an import makes), given
    # what `keep` took of each row's form; None: each saves itself.
    save: Callable[[list], None] | None = None
    # What is saved of a valid row's form: by default the form itself.
    keep: Callable[[forms.BaseForm], object] = _form
    # What makes a valid row the same as another row of the sheet (a duplicate,
    # imported only if ticked): from its form; None: rows are not compared.
    same: Callable[[forms.BaseForm], tuple] | None = None
    # Rows checked at a time (each chunk a catalogue, the same queries); None:
    # the whole sheet at once, for an import whose rows depend on each other.
    chunk_rows: int | None = CHUNK_ROWS
    # The most rows a sheet may have; None: MAX_ROWS.
    max_rows: int | None = None

    @property
    def page_url(self) -> str:
        return self.url_name

    @property
    def columns_url(self) -> str:
        return f"{self.url_name}_columns"

    @property
    def confirm_url(self) -> str:
        return f"{self.url_name}_confirm"

    @property
    def cancel_url(self) -> str:
        return f"{self.url_name}_cancel"

    @property
    def job_url(self) -> str:
        return f"{self.url_name}_job"


def import_named(url_name: str) -> SheetImport | None:
    """The import its upload page serves (a worker's way from a job to its
    import: the URL conf holds every import, and the base imports no app)."""
    try:
        match = resolve(reverse(url_name))
    except NoReverseMatch:
        return None
    spec = match.kwargs.get("sheet")
    return spec if isinstance(spec, SheetImport) else None
