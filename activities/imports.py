"""Import of historical activity records from an Excel sheet.

Each row of the sheet becomes the data of the record screen and is validated by
its form (RecordForm): an imported record obeys exactly the rules of one typed
in. The valid rows are saved together in one transaction, or not at all.

Between the preview and the confirmation the uploaded file waits under
MEDIA_ROOT/imports, named by a random token the uploader's session holds.
"""

import datetime
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import openpyxl
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boligsocial.models import Area, HousingDepartment

from .forms import INDICATOR_PREFIX, RecordForm, loggable_activities
from .models import (
    AGE_BANDS,
    GENDERS,
    NEW_OR_RETURNING,
    Activity,
    ActivityRecord,
    Indicator,
    PlanPeriod,
)

MAX_BYTES = 5 * 1024 * 1024
# Each row is validated by the record form (about nine queries) on upload and again
# on confirmation, then saved row by row. Measured on PostgreSQL: 2,000 rows took
# 29 s to validate and 22 s to save, too close to gunicorn's 60 s timeout; 500 rows
# stay well inside it. A longer sheet is split into several files.
MAX_ROWS = 500
# Wider than any real sheet; a stray formatted column far out is not read.
MAX_COLUMNS = 200

# The template sheet's columns, in order: form field → header. Sheets are Danish
# whatever language the page is shown in, as staff keep them today.
COLUMNS = {
    "date": gettext_lazy("Dato"),
    "start_time": gettext_lazy("Fra kl."),
    "end_time": gettext_lazy("Til kl."),
    "activity": gettext_lazy("Aktivitet"),
    "area": gettext_lazy("Område"),
    "department": gettext_lazy("Afdelingsnummer"),
    "participants": gettext_lazy("Deltagere"),
    **AGE_BANDS,
    **GENDERS,
    **NEW_OR_RETURNING,
    "volunteers": gettext_lazy("Frivillige"),
    "note": gettext_lazy("Note"),
}
REQUIRED = ["date", "activity", "area", "participants"]
COUNTS = ["participants", *AGE_BANDS, *GENDERS, *NEW_OR_RETURNING, "volunteers"]
# An indicator named like a fixed column ("Deltagere") is written with this prefix.
INDICATOR_HEADER = "Indikator: "


def _key(text: str) -> str:
    """Headers and names compare without case, extra spaces or dash variants."""
    return " ".join(str(text).split()).casefold().replace("–", "-")


def _indicator_key(header: str) -> str:
    return _key(header).removeprefix(_key(INDICATOR_HEADER)).strip()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _headers() -> dict[str, str]:
    """Form field → its header in the sheet (Danish)."""
    with translation.override("da"):
        return {name: str(label) for name, label in COLUMNS.items()}


# --- Reading the sheet -------------------------------------------------------------


def not_a_spreadsheet() -> ValidationError:
    return ValidationError(
        _("Filen er ikke et Excel-regneark (.xlsx)."), code="not_xlsx"
    )


@dataclass
class SheetRow:
    number: int  # as in Excel: the header is row 1
    values: dict[str, object]  # form field → cell
    indicators: dict[str, object]  # indicator column's header → cell


def read_sheet(file) -> list[SheetRow]:
    """The rows of the first sheet of an .xlsx file (binary file object)."""
    lines = _non_blank_lines(file)
    if not lines:
        raise ValidationError(_("Filen er tom."), code="empty")
    fixed, indicators = _columns(lines[0][1])
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
            indicators={header: _cell(cells, i) for header, i in indicators.items()},
        )
        for number, cells in body
    ]


def _cell(cells: tuple, index: int):
    return cells[index] if index < len(cells) else None


def _non_blank_lines(file) -> list[tuple[int, tuple]]:
    """(row number, cells) of the first sheet's non-blank rows, the header first;
    reading stops one row past the limit."""
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            lines = []
            rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            for number, cells in enumerate(rows, start=1):
                if any(_text(cell) for cell in cells):
                    lines.append((number, cells))
                if len(lines) > MAX_ROWS + 1:
                    break
        finally:
            workbook.close()
    # openpyxl fails in many ways on a file that is not a workbook (a bad zip,
    # missing parts, broken XML); every one of them means we cannot read it.
    except Exception as error:
        raise not_a_spreadsheet() from error
    return lines


def _columns(header: tuple) -> tuple[dict[str, int], dict[str, int]]:
    """Form field → column index, and indicator header → column index."""
    by_key = {_key(text): name for name, text in _headers().items()}
    indicator_names = {
        _key(name)
        for name in Indicator.objects.filter(
            activity__in=loggable_activities()
        ).values_list("name", flat=True)
    }
    fixed: dict[str, int] = {}
    indicators: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    unknown, twice = [], []
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        name = by_key.get(_key(text))
        if name is None and _indicator_key(text) not in indicator_names:
            unknown.append(text)
            continue
        slot = ("field", name) if name else ("indicator", _indicator_key(text))
        if slot in seen:
            twice.append(text)
            continue
        seen.add(slot)
        if name:
            fixed[name] = index
        else:
            indicators[text] = index
    missing = [_headers()[name] for name in REQUIRED if name not in fixed]
    if missing or unknown or twice:
        raise ValidationError(_column_errors(missing, unknown, twice), code="columns")
    return fixed, indicators


def _column_errors(missing: list, unknown: list, twice: list) -> list[str]:
    errors = []
    if missing:
        errors.append(
            _("Kolonnerne mangler: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if unknown:
        errors.append(
            _(
                "Ukendte kolonner: %(columns)s. Brug overskrifterne fra skabelonen "
                "eller navnet på en indikator."
            )
            % {"columns": ", ".join(unknown)}
        )
    if twice:
        errors.append(
            _("Disse kolonner står mere end én gang: %(columns)s.")
            % {"columns": ", ".join(twice)}
        )
    return errors


# --- Validating the rows -----------------------------------------------------------


@dataclass
class RowResult:
    number: int
    form: RecordForm
    # (column labels, message): readable text, one entry per distinct message.
    errors: list[tuple[str, str]]
    shown: dict[str, str] = field(default_factory=dict)  # what the preview lists

    @property
    def is_valid(self) -> bool:
        return not self.errors


class _Catalogue:
    """What the names in a sheet stand for, loaded once for all its rows."""

    def __init__(self):
        current = PlanPeriod.objects.current()
        self.activities: dict[str, Activity] = {}
        activities = loggable_activities().prefetch_related("areas", "indicators")
        for activity in activities:
            known = self.activities.get(_key(activity.name))
            # Two activities of one name: the current plan's wins.
            if known is None or (
                current
                and activity.focus_area.plan_period_id == current.pk
                and known.focus_area.plan_period_id != current.pk
            ):
                self.activities[_key(activity.name)] = activity
        self.areas = {_key(area.name): area for area in Area.objects.all()}
        self.departments: dict[tuple[int, str], list[HousingDepartment]] = {}
        for department in HousingDepartment.objects.all():
            key = (department.area_id, _key(department.number))
            self.departments.setdefault(key, []).append(department)

    def activity(self, name: str) -> tuple[Activity | None, str | None]:
        """The activity of that name, or why there is none."""
        activity = self.activities.get(_key(name))
        if activity is None:
            message = _("Aktiviteten %(name)s findes ikke eller er afsluttet.")
            return None, message % {"name": name}
        return activity, None

    def area(
        self, name: str, activity: Activity | None
    ) -> tuple[Area | None, str | None]:
        area = self.areas.get(_key(name))
        if area is None:
            return None, _("Området %(name)s findes ikke.") % {"name": name}
        if activity and area not in activity.areas.all():
            # The form offers only the activity's areas; say why, as the screen does.
            return None, _("Aktiviteten kører ikke i %(area)s.") % {"area": area}
        return area, None

    def department(
        self, number: str, area: Area
    ) -> tuple[HousingDepartment | None, str | None]:
        departments = self.departments.get((area.pk, _key(number)), [])
        if len(departments) == 1:
            return departments[0], None
        if departments:
            message = _("Flere afdelinger i %(area)s har nummer %(number)s.")
        else:
            message = _("Afdeling %(number)s findes ikke i %(area)s.")
        return None, message % {"number": number, "area": area}


def validate_rows(rows: list[SheetRow], user) -> list[RowResult]:
    catalogue = _Catalogue()
    results = []
    for row in rows:
        data, problems, activity = _record_data(row, catalogue)
        form = RecordForm(
            data, instance=ActivityRecord(created_by=user), activity=activity
        )
        form.is_valid()
        results.append(
            RowResult(
                number=row.number,
                form=form,
                errors=_readable_errors(form, problems),
                shown=_shown(row),
            )
        )
    return results


def _record_data(row: SheetRow, catalogue: _Catalogue):
    """The row as the record form's data, the names that could not be looked up
    (field → messages), and the activity the row names."""
    values = row.values
    data: dict[str, object] = {
        "date": _date(values.get("date")),
        "start_time": _time(values.get("start_time")),
        "end_time": _time(values.get("end_time")),
        "note": _text(values.get("note")),
        **{name: _text(values.get(name)) for name in COUNTS},
    }
    problems: dict[str | None, str | None] = {}
    activity = area = department = None
    if name := _text(values.get("activity")):
        activity, problems["activity"] = catalogue.activity(name)
    if name := _text(values.get("area")):
        area, problems["area"] = catalogue.area(name, activity)
    if (number := _text(values.get("department"))) and area:
        department, problems["department"] = catalogue.department(number, area)
    if activity and (foreign := _indicator_data(row, activity, data)):
        problems[None] = _(
            "Indikatoren %(names)s hører ikke til aktiviteten %(activity)s."
        ) % {"names": ", ".join(foreign), "activity": activity}
    data["activity"] = activity.pk if activity else ""
    data["area"] = area.pk if area else ""
    data["department"] = department.pk if department else ""
    not_found = {name: [message] for name, message in problems.items() if message}
    return data, not_found, activity


def _indicator_data(row: SheetRow, activity: Activity, data: dict) -> list[str]:
    """Put the row's indicator counts into data; return the columns with a count
    for an indicator of another activity."""
    own = {_key(i.name): i for i in activity.indicators.all()}
    foreign = []
    for header, value in row.indicators.items():
        if not _text(value):
            continue
        indicator = own.get(_indicator_key(header))
        if indicator is None:
            foreign.append(header)
        else:
            data[f"{INDICATOR_PREFIX}{indicator.pk}"] = _text(value)
    return foreign


def _date(value) -> str:
    """Excel dates, and text as dd.mm.yyyy or yyyy-mm-dd, as ISO dates; other
    text goes to the form as it is, to be refused there."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = _text(value)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


def _time(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.time()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    # Danes write 10.30 as often as 10:30.
    return re.sub(r"^(\d{1,2})\.(\d{2})$", r"\1:\2", _text(value))


def _readable_errors(form: RecordForm, problems: dict) -> list[tuple[str, str]]:
    """The row's errors by column; a name that was not found replaces the form's
    own complaint about that field (required, or not a valid choice)."""
    errors = {name: list(messages) for name, messages in problems.items()}
    for name, messages in form.errors.items():
        name = None if name == "__all__" else name
        if name is None or name not in problems:
            errors.setdefault(name, []).extend(messages)
    # A breakdown that does not add up is reported on each of its fields: once.
    by_message: dict[str, list[str]] = {}
    for name, messages in errors.items():
        for message in messages:
            labels = by_message.setdefault(str(message), [])
            label = _label(form, name)
            if label and label not in labels:
                labels.append(label)
    return [(", ".join(labels), message) for message, labels in by_message.items()]


def _label(form: RecordForm, name: str | None) -> str:
    if name is None:
        return ""
    if name in COLUMNS:
        return str(COLUMNS[name])
    return str(form.fields[name].label) if name in form.fields else name


def _shown(row: SheetRow) -> dict[str, str]:
    date = row.values.get("date")
    if isinstance(date, datetime.date):
        date = f"{date:%d.%m.%Y}"
    return {
        "date": _text(date),
        "activity": _text(row.values.get("activity")),
        "area": _text(row.values.get("area")),
        "participants": _text(row.values.get("participants")),
    }


def import_rows(results: list[RowResult]) -> int:
    """Save every valid row in one transaction: all of them, or none."""
    valid = [result for result in results if result.is_valid]
    with transaction.atomic():
        for result in valid:
            result.form.save()
    return len(valid)


# --- The uploaded file, between the preview and the confirmation ---------------------

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
    # Readable by the web process only: notes in a sheet may name residents.
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
    (they may hold personal data in their notes)."""
    oldest = time.time() - settings.SESSION_MAX_AGE.total_seconds()
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:
            continue  # another request removed it meanwhile


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel-fil"),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        self.rows = read_sheet(BytesIO(self.content))
        return upload


# --- The template sheet --------------------------------------------------------------


def template_workbook() -> bytes:
    """The sheet to fill in (its headers and an example row), and a second sheet
    listing the activities that can be logged, their areas and indicator columns."""
    activities = list(loggable_activities().prefetch_related("areas", "indicators"))
    headers = _headers()
    fixed = {_key(header) for header in headers.values()}

    def column(indicator: Indicator) -> str:
        """An indicator's column: its name, prefixed if a fixed column has it."""
        if _key(indicator.name) in fixed:
            return f"{INDICATOR_HEADER}{indicator.name}"
        return indicator.name

    indicator_columns = list(
        dict.fromkeys(column(i) for a in activities for i in a.indicators.all())
    )
    workbook = openpyxl.Workbook()
    with translation.override("da"):
        sheet = workbook.active
        sheet.title = _("Registreringer")
        sheet.append([*headers.values(), *indicator_columns])
        example = next((a for a in activities if a.areas.all()), None)
        if example:
            first = next((column(i) for i in example.indicators.all()), None)
            sheet.append(
                [
                    *_example(example, timezone.localdate()).values(),
                    *[1 if name == first else None for name in indicator_columns],
                ]
            )
        guide = workbook.create_sheet(_("Aktiviteter"))
        guide.append(
            [_("Aktivitet"), _("Helhedsplan"), _("Områder"), _("Indikatorkolonner")]
        )
        for activity in activities:
            guide.append(
                [
                    activity.name,
                    activity.focus_area.plan_period.name,
                    ", ".join(area.name for area in activity.areas.all()),
                    "; ".join(column(i) for i in activity.indicators.all()),
                ]
            )
    _dress(sheet)
    _dress(guide)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example(activity: Activity, today: datetime.date) -> dict[str, object]:
    """One made-up row, in COLUMNS' order; its breakdowns add up."""
    counts = {
        "participants": 10,
        "age_13_17": 4,
        "age_18_29": 6,
        "women": 6,
        "men": 4,
        "participants_new": 3,
        "participants_returning": 7,
        "volunteers": 2,
    }
    values = {
        "date": today,
        "start_time": datetime.time(10, 0),
        "end_time": datetime.time(12, 0),
        "activity": activity.name,
        "area": activity.areas.all()[0].name,
        "department": None,
        "note": _("Eksempel: slet rækken, før du importerer."),
    }
    return {
        name: values.get(name, counts.get(name, 0 if name in COUNTS else None))
        for name in COLUMNS
    }


def _dress(sheet) -> None:
    """Bold headers that stay in view, wide enough columns, Danish date and time."""
    for cell in sheet[1]:
        cell.font = openpyxl.styles.Font(bold=True)
        width = max(12, len(str(cell.value or "")) + 2)
        sheet.column_dimensions[cell.column_letter].width = min(width, 60)
    sheet.freeze_panes = "A2"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(cell.value, datetime.time):
                cell.number_format = "HH:MM"
