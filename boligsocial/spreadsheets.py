"""Spreadsheets in and out: the Excel imports of the apps, and CSV/Excel exports.

An import reads the first sheet of an uploaded .xlsx file, turns each row into the
data of a screen's form and validates it with that form: an imported row obeys
exactly the rules of one typed in. The person first sees every row and what is
wrong with it (nothing is saved), then confirms, and every valid row is saved in
one transaction, or none is; or cancels.

Between the preview and the confirmation the uploaded file waits under
MEDIA_ROOT/imports, named by a random token the uploader's session holds, so
nobody else can confirm or cancel it.

An app describes its import once (SheetImport: how to read and validate its rows,
its page and URLs) and its views call upload_page, confirm_import and
cancel_import after their own permission check.
"""

import datetime
import os
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

import openpyxl
import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Area, HousingDepartment, Notification
from .notices import notify
from .text import clean as clean_text

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

MAX_BYTES = 5 * 1024 * 1024
# Each row is validated by its screen's form (up to about nine queries) on upload
# and again on confirmation, then saved row by row. Measured on PostgreSQL with
# activity records: 2,000 rows took 29 s to validate and 22 s to save, too close to
# gunicorn's 60 s timeout; 500 rows stay well inside it. A longer sheet is split
# into several files.
MAX_ROWS = 500
# Wider than any real sheet; a stray formatted column far out is not read.
MAX_COLUMNS = 200
# An .xlsx file is a zip archive, and openpyxl parses every cell it unpacks, however
# far out, at some 50,000 cells a second: a 40 kB file holding one row of 10 MB
# took 47 s and 250 MB. A sheet of 500 rows of 19 text columns unpacks to 0.85 MB;
# at this limit a made-up sheet of empty cells takes some 20 s.
MAX_UNPACKED_BYTES = 5 * 1024 * 1024
# openpyxl makes up every row missing above a row it reads: a few bytes naming row
# 200,000 took 3 s. Reading stops here, and a sheet that says it goes further down
# is refused rather than read in part.
MAX_SHEET_ROWS = 10_000


# --- Cells ----------------------------------------------------------------------------


def header_key(text: str) -> str:
    """Headers and names compare without case, extra spaces or dash variants."""
    return " ".join(str(text).split()).casefold().replace("–", "-")


class Places:
    """The areas (by name) and housing departments (by number within their area)
    a sheet names, loaded once for all its rows. Lookups return the object, or
    None and why there is none."""

    def __init__(self):
        self.areas = {header_key(area.name): area for area in Area.objects.all()}
        self.departments: dict[tuple[int, str], list[HousingDepartment]] = {}
        for department in HousingDepartment.objects.all():
            key = (department.area_id, header_key(department.number))
            self.departments.setdefault(key, []).append(department)

    def area(self, name: str) -> tuple[Area | None, str | None]:
        area = self.areas.get(header_key(name))
        if area is None:
            return None, _("Området %(name)s findes ikke.") % {"name": name}
        return area, None

    def department(
        self, number: str, area: Area
    ) -> tuple[HousingDepartment | None, str | None]:
        departments = self.departments.get((area.pk, header_key(number)), [])
        if len(departments) == 1:
            return departments[0], None
        if departments:
            message = _("Flere afdelinger i %(area)s har nummer %(number)s.")
        else:
            message = _("Afdeling %(number)s findes ikke i %(area)s.")
        return None, message % {"number": number, "area": area}


def phone_text(phone) -> str:
    """A phone number for a sheet: Danish numbers as Danes write them, others
    with their country code."""
    if not phone:
        return ""
    return phone.as_national if phone.country_code == 45 else phone.as_international


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_date(value) -> str:
    """Excel dates, and text as dd.mm.yyyy or yyyy-mm-dd, as ISO dates; other
    text goes to the form as it is, to be refused there."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = cell_text(value)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


def cell_time(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.time()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    # Danes write 10.30 as often as 10:30.
    return re.sub(r"^(\d{1,2})\.(\d{2})$", r"\1:\2", cell_text(value))


def shown_date(value) -> str:
    """A date cell as the preview shows it: as in the sheet, Danish if a date."""
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    return cell_text(value)


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
class SheetRow:
    number: int  # as in Excel: the header is row 1
    values: dict[str, object]  # form field → cell
    extra: dict[str, object] = field(default_factory=dict)  # other header → cell


def read_sheet(
    file: BinaryIO,
    *,
    columns: dict[str, str],
    required: Sequence[str],
    extra_column: Callable[[str], str | None] | None = None,
    unknown_hint: str = "",
) -> list[SheetRow]:
    """The rows of the first sheet of an .xlsx file (binary file object).

    columns maps form fields to their (translatable) headers; extra_column, if
    given, accepts a header that is not one of them by returning what it stands
    for (two headers standing for the same thing are refused), or None."""
    lines = _non_blank_lines(file)
    if not lines:
        raise ValidationError(_("Filen er tom."), code="empty")
    fixed, extra = _columns(
        lines[0][1], danish(columns), required, extra_column, unknown_hint
    )
    body = lines[1:]
    if not body:
        raise ValidationError(
            _("Filen har ingen rækker under overskrifterne."), code="no_rows"
        )
    if len(body) > MAX_ROWS:
        raise ValidationError(
            _("Filen har mere end %(max)s rækker. Del den op i flere filer.")
            % {"max": number_format(MAX_ROWS, force_grouping=True)},
            code="too_many_rows",
        )
    return [
        SheetRow(
            number=number,
            values={name: _cell(cells, i) for name, i in fixed.items()},
            extra={header: _cell(cells, i) for header, i in extra.items()},
        )
        for number, cells in body
    ]


def _cell(cells: tuple, index: int):
    """A cell's value; text without invisible reordering characters (text.py)."""
    value = cells[index] if index < len(cells) else None
    return clean_text(value) if isinstance(value, str) else value


def _non_blank_lines(file: BinaryIO) -> list[tuple[int, tuple]]:
    """(row number, cells) of the first sheet's non-blank rows, the header first;
    reading stops one row past the limit."""
    try:
        _check_archive(file)
        # data_only: a formula cell gives the value Excel saved with it (or None),
        # never the formula.
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            _refuse_too_far_down(sheet.max_row)
            lines = []
            rows = sheet.iter_rows(
                values_only=True,
                max_col=MAX_COLUMNS,
                max_row=sheet.max_row or MAX_SHEET_ROWS,
            )
            for number, cells in enumerate(rows, start=1):
                if any(cell_text(cell) for cell in cells):
                    lines.append((number, cells))
                if len(lines) > MAX_ROWS + 1:
                    break
        finally:
            workbook.close()
    except ValidationError:
        raise
    # openpyxl fails in many ways on a file that is not a workbook (a bad zip,
    # missing parts, broken XML); every one of them means we cannot read it.
    except Exception as error:
        raise not_a_spreadsheet() from error
    return lines


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
    file.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _(
                "Regnearket fylder over 5 MB, når det pakkes ud. Slet tomme rækker "
                "og kolonner, eller del det op i flere filer."
            ),
            code="too_big_unpacked",
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


def _columns(
    header: tuple,
    headers: dict[str, str],
    required: Sequence[str],
    extra_column: Callable[[str], str | None] | None,
    unknown_hint: str,
) -> tuple[dict[str, int], dict[str, int]]:
    """Form field → column index, and other accepted header → column index."""
    by_key = {header_key(text): name for name, text in headers.items()}
    fixed: dict[str, int] = {}
    extra: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    unknown, twice = [], []
    for index, cell in enumerate(header):
        text = cell_text(cell)
        if not text:
            continue
        name = by_key.get(header_key(text))
        other = extra_column(text) if name is None and extra_column else None
        if name is None and other is None:
            unknown.append(text)
            continue
        slot = ("field", name) if name else ("extra", other)
        if slot in seen:
            twice.append(text)
            continue
        seen.add(slot)
        if name:
            fixed[name] = index
        else:
            extra[text] = index
    missing = [headers[name] for name in required if name not in fixed]
    if missing or unknown or twice:
        raise ValidationError(
            _column_errors(missing, unknown, twice, unknown_hint), code="columns"
        )
    return fixed, extra


def _column_errors(missing: list, unknown: list, twice: list, hint: str) -> list[str]:
    errors = []
    if missing:
        errors.append(
            _("Kolonnerne mangler: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if unknown:
        errors.append(
            _("Ukendte kolonner: %(columns)s.") % {"columns": ", ".join(unknown)}
            + " "
            + (hint or _("Brug overskrifterne fra skabelonen."))
        )
    if twice:
        errors.append(
            _("Disse kolonner står mere end én gang: %(columns)s.")
            % {"columns": ", ".join(twice)}
        )
    return errors


# --- Validating and saving the rows ---------------------------------------------------


@dataclass
class RowResult:
    number: int
    form: forms.BaseForm
    # (column labels, message): readable text, one entry per distinct message.
    errors: list[tuple[str, str]]
    # What the preview lists, in the order of SheetImport.preview_columns:
    # (text, CSS class of the cell).
    shown: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def readable_errors(
    form: forms.BaseForm, problems: dict[str | None, list], columns: dict[str, str]
) -> list[tuple[str, str]]:
    """The row's errors by column. problems are what the import found itself
    (field, or None for the row → messages), such as a name that was not found;
    they replace the form's own complaint about that field (required, or not a
    valid choice). columns: form field → header, as for read_sheet."""
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


def import_rows(results: list[RowResult]) -> int:
    """Save every valid row's form in one transaction: all of them, or none."""
    valid = [result for result in results if result.is_valid]
    with transaction.atomic():
        for result in valid:
            result.form.save()
    return len(valid)


def valid_rows(results: list[RowResult]) -> list[int]:
    return [result.number for result in results if result.is_valid]


# --- The uploaded file, between the preview and the confirmation ----------------------

TOKEN = re.compile(r"[0-9a-f]{32}")


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _path(token: str) -> Path:
    # The token is ours (uuid4 hex), never the user's file name: no path tricks.
    if not TOKEN.fullmatch(token):
        raise ValueError("not an import token")
    return _folder() / f"{token}.xlsx"


def store_upload(content: bytes) -> str:
    """Keep an uploaded sheet until it is confirmed or cancelled; its token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    token = uuid.uuid4().hex
    # Readable by the web process only: a sheet names residents.
    fd = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return token


def take_upload(token: str) -> bytes | None:
    """The stored sheet, removed as it is read: of two confirmations sent at once
    (a double click) only one gets it. None when it is gone."""
    path = _path(token)
    try:
        content = path.read_bytes()
        path.unlink()
    except FileNotFoundError:
        return None
    return content


def discard_upload(token: str) -> None:
    _path(token).unlink(missing_ok=True)


def remove_stale_uploads() -> None:
    """Housekeeping's call: sweep sheets no session can confirm any more."""
    if _folder().is_dir():
        _remove_stale(_folder())


def _remove_stale(folder: Path) -> None:
    """Sheets older than the longest session can never be confirmed: delete them
    (they may hold personal data)."""
    oldest = time.time() - settings.SESSION_MAX_AGE.total_seconds()
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:
            continue  # another request removed it meanwhile


class ImportForm(forms.Form):
    """The upload; read is the import's own reading of the sheet (it raises
    ValidationError), so a sheet that cannot be read is refused at the field."""

    file = forms.FileField(
        label=gettext_lazy("Excel-fil"),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, read: Callable[[BinaryIO], list], **kwargs):
        super().__init__(*args, **kwargs)
        self.read = read
        self.fields["file"].help_text = _(
            "Et regneark (.xlsx) med overskrifterne fra skabelonen; højst 5 MB og "
            "%(rows)s rækker."
        ) % {"rows": number_format(MAX_ROWS, force_grouping=True)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Filen er større end 5 MB."), code="too_big")
        if not upload.name.lower().endswith(".xlsx"):
            raise not_a_spreadsheet()
        self.content = upload.read()
        self.rows = self.read(BytesIO(self.content))
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
    """The file's content and its content type; fmt is one of FORMATS. In Excel a
    date is a date (and a time a time), shown the Danish way; in CSV it is written
    as ISO (2026-12-04, 2026-12-04 10:30)."""
    data = neutralised(data, fmt)
    if fmt == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = (data.title or "Ark")[:31]
        sheet.append(list(data.headers or []))
        for row in data:
            sheet.append([_local(value) for value in row])
        return workbook_bytes(workbook), FORMATS[fmt]
    plain = tablib.Dataset(headers=data.headers, title=data.title)
    for row in data:
        plain.append([_csv_cell(value) for value in row])
    # A byte-order mark makes Excel read the Danish letters right.
    return "\ufeff" + plain.export("csv"), FORMATS[fmt]


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


# --- The steps: upload and preview, then confirm or cancel ----------------------------


@dataclass(frozen=True)
class SheetImport:
    """What one import is: everything the steps need that differs between imports."""

    session_key: str  # where the uploader's session keeps the waiting sheet
    template_name: str  # the page: the upload form, or the preview of the rows
    url_name: str  # the upload page's; import_views.import_urls names the rest
    done_url: str  # where a confirmed import leads
    read: Callable[[BinaryIO], list]  # the sheet's rows; ValidationError if unreadable
    validate: Callable[[list, object], list[RowResult]]  # (rows, user) → results
    preview_columns: Sequence[tuple[str, str]]  # (header, CSS class) after "Række"
    imported: Callable[[int], str]  # what to say when that many rows were saved
    require: Callable[[object], None]  # the app's door: PermissionDenied if not
    template: Callable[[], bytes]  # the workbook to fill in
    template_filename: str

    @property
    def page_url(self) -> str:
        return self.url_name

    @property
    def confirm_url(self) -> str:
        return f"{self.url_name}_confirm"

    @property
    def cancel_url(self) -> str:
        return f"{self.url_name}_cancel"


def upload_page(request, spec: SheetImport) -> HttpResponse:
    """GET: the upload form. POST: the rows of the uploaded sheet, nothing saved."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, read=spec.read)
        if form.is_valid():
            _forget_pending(request, spec)
            results = spec.validate(form.rows, request.user)
            pending = {
                "token": store_upload(form.content),
                "name": form.cleaned_data["file"].name,
                "user": request.user.pk,
                "valid": valid_rows(results),
            }
            request.session[spec.session_key] = pending
            return _render_preview(request, spec, pending, results)
    else:
        form = ImportForm(read=spec.read)
    return render(request, spec.template_name, {"form": form})


def confirm_import(request, spec: SheetImport) -> HttpResponse:
    """Save every valid row of the sheet waiting in this session, if the rows that
    are valid are still those the person saw."""
    pending = _pending(request, spec)
    content = take_upload(pending["token"]) if pending else None
    if content is None:
        request.session.pop(spec.session_key, None)
        messages.error(request, _("Der er ingen import at bekræfte. Upload filen."))
        return redirect(spec.page_url)
    try:
        rows = spec.read(BytesIO(content))
    except ValidationError as error:
        # What the sheet refers to changed under it (an indicator renamed, say).
        request.session.pop(spec.session_key)
        messages.error(request, " ".join(error.messages))
        return redirect(spec.page_url)
    results = spec.validate(rows, request.user)
    if valid_rows(results) != pending["valid"]:
        # Something changed since the preview (a year was approved, a sign-up
        # made, say): the person decides again on what would now be imported.
        pending.update(token=store_upload(content), valid=valid_rows(results))
        request.session[spec.session_key] = pending
        messages.warning(
            request, _("Rækkerne er ændret siden forhåndsvisningen. Se dem igen.")
        )
        return _render_preview(request, spec, pending, results)
    with transaction.atomic():
        count = import_rows(results)
        # Kept under the bell too: what was imported, when, and where to see it.
        notify(
            Notification.Kind.IMPORT_FINISHED,
            about=None,
            users=[request.user],
            text=f"{pending['name']}: {spec.imported(count)}",
            url=resolve_url(spec.done_url),
        )
    request.session.pop(spec.session_key)
    messages.success(request, spec.imported(count))
    return redirect(spec.done_url)


def cancel_import(request, spec: SheetImport) -> HttpResponse:
    if _pending(request, spec):
        _forget_pending(request, spec)
    messages.info(request, _("Importen er annulleret. Intet er gemt."))
    return redirect(spec.page_url)


def _pending(request, spec: SheetImport) -> dict | None:
    """The import waiting in this session, if the form names its token; a token
    the session does not hold is not found."""
    pending = request.session.get(spec.session_key)
    if not pending or pending.get("user") != request.user.pk:
        return None
    if request.POST.get("token") != pending["token"]:
        raise Http404
    return pending


def _forget_pending(request, spec: SheetImport) -> None:
    pending = request.session.pop(spec.session_key, None)
    if pending:
        discard_upload(pending["token"])


def _render_preview(request, spec: SheetImport, pending: dict, results):
    valid = len(pending["valid"])
    context = {
        "results": results,
        "columns": spec.preview_columns,
        "name": pending["name"],
        "token": pending["token"],
        "total": len(results),
        "valid": valid,
        "invalid": len(results) - valid,
        "confirm_url": reverse(spec.confirm_url),
        "cancel_url": reverse(spec.cancel_url),
    }
    return render(request, spec.template_name, context)
