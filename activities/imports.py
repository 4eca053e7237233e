"""Import of historical activity records from an Excel sheet.

Each row of the sheet becomes the data of the record screen and is validated by
its form (RecordForm): an imported record obeys exactly the rules of one typed
in. The reading, the preview and the saving in one transaction are the shared
ones of boligsocial.spreadsheets.

Two imports read the same sheet: the record import (RECORD_IMPORT), into the
activities that are still run, and the coordinators' historic import
(HISTORY_IMPORT), into every plan's activities, the ended ones too.
"""

import datetime
from functools import partial

import openpyxl
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from boligsocial import spreadsheets
from boligsocial.models import Area
from boligsocial.sheet_values import name_key, text_of
from boligsocial.spreadsheets import (
    Columns,
    RowResult,
    SheetRow,
    renamed,
)

from .access import require_coordinator, require_logger
from .forms import INDICATOR_PREFIX, RecordForm, loggable_activities
from .models import (
    AGE_BANDS,
    GENDERS,
    NEW_OR_RETURNING,
    Activity,
    ActivityRecord,
    Indicator,
    IndicatorValue,
    PlanPeriod,
    locked_years,
)

# The template sheet's columns, in order: form field → header.
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
# Other headers staff give the columns (compared without case, spaces or
# punctuation; the headers' English translations are read too).
SYNONYMS = {
    "date": ["Dag", "Dato for aktiviteten", "Day"],
    "start_time": ["Fra", "Start", "Starttid", "Starttidspunkt", "Start time"],
    "end_time": ["Til", "Slut", "Sluttid", "Sluttidspunkt", "End time"],
    "activity": ["Aktivitetens navn", "Indsats", "Aktivitet/indsats"],
    "area": ["Boligområde", "Afdeling", "Bebyggelse", "Sted", "Housing area"],
    "department": ["Afd.nr.", "Afd. nr.", "Afdelingsnr", "Afdeling nr", "Afd"],
    "participants": [
        "Antal deltagere",
        "Deltagere i alt",
        "Deltagere ialt",
        "Antal",
        "Deltagerantal",
        "Participants",
    ],
    "age_0_12": ["0-12", "Børn 0-12 år", "0-12 år"],
    "age_13_17": ["13-17", "Unge 13-17 år", "13-17 år"],
    "age_18_29": ["18-29", "18-29 år"],
    "age_30_64": ["30-64", "30-64 år"],
    "age_65_plus": ["65+", "65 år+", "Over 65", "65 og derover"],
    "women": ["Kvinder", "Piger", "Kvinder og piger", "Women", "Female"],
    "men": ["Mænd", "Drenge", "Mænd og drenge", "Men", "Male"],
    "gender_other": ["Andet køn", "Køn uoplyst", "Uoplyst køn", "Other gender"],
    "participants_new": ["Heraf nye", "Nye deltagere", "Antal nye", "New"],
    "participants_returning": [
        "Heraf tilbagevendende",
        "Tilbagevendende deltagere",
        "Gengangere",
        "Faste deltagere",
        "Returning",
    ],
    "volunteers": ["Antal frivillige", "Volunteers"],
    "note": ["Noter", "Bemærkning", "Bemærkninger", "Kommentar", "Notes"],
}
# A breakdown with one column missing from the sheet: that count is the rest of
# the participants (returning = total − new).
DERIVABLE = [list(AGE_BANDS), list(GENDERS), list(NEW_OR_RETURNING)]
# An indicator named like a fixed column ("Deltagere") is written with this prefix.
INDICATOR_HEADER = "Indikator: "
# The preview's columns after the row number: header, CSS class of its cells.
PREVIEW_COLUMNS = [
    (gettext_lazy("Dato"), ""),
    (gettext_lazy("Aktivitet"), ""),
    (gettext_lazy("Område"), ""),
    (gettext_lazy("Deltagere"), "text-end"),
]


def _indicator_key(header: str) -> str:
    return name_key(header).removeprefix(name_key(INDICATOR_HEADER)).strip()


# --- Reading the sheet -------------------------------------------------------------


def columns(*, history: bool = False) -> Columns:
    """What a record sheet's columns may hold; a column that is none of COLUMNS
    may name an indicator (SheetRow.extra) of an activity the import may log
    (with `history`, of any activity)."""
    indicators = {
        name_key(name): name
        for name in Indicator.objects.filter(
            activity__in=loggable_activities(history=history)
        )
        .order_by("name")
        .values_list("name", flat=True)
    }

    def indicator(header: str) -> str | None:
        return indicators.get(_indicator_key(header))

    return Columns(
        headers=COLUMNS,
        required=REQUIRED,
        synonyms=SYNONYMS,
        dates=["date"],
        times=["start_time", "end_time"],
        counts=COUNTS,
        extra_column=indicator,
        extra_names=sorted(set(indicators.values())),
    )


# --- Validating the rows -----------------------------------------------------------


class _Catalogue(spreadsheets.Places):
    """What the names in a sheet stand for, loaded once for all its rows.

    `history`: every plan's activities, the ended ones too; where two share a
    name, the row's date picks one (_running_on)."""

    def __init__(self, *, history: bool = False):
        super().__init__()
        current = PlanPeriod.objects.current()
        self.history = history
        self.activities: dict[str, Activity] = {}
        # Every activity of a name, newest plan first.
        self.namesakes: dict[str, list[Activity]] = {}
        activities = loggable_activities(history=history).prefetch_related(
            "areas", "indicators"
        )
        for activity in activities:
            self.namesakes.setdefault(name_key(activity.name), []).append(activity)
            known = self.activities.get(name_key(activity.name))
            # Two activities of one name: the current plan's wins.
            if known is None or (
                current
                and activity.focus_area.plan_period_id == current.pk
                and known.focus_area.plan_period_id != current.pk
            ):
                self.activities[name_key(activity.name)] = activity
        every = [a for namesakes in self.namesakes.values() for a in namesakes]
        self.activity_objects = {str(a.pk): a for a in every}
        self.locks = locked_years([a.pk for a in every])

    def activity(self, name: str, on=None) -> tuple[Activity | None, str | None]:
        """The activity of that name (in history, the one running `on` the row's
        date), or why there is none."""
        activity = self.activities.get(name_key(name))
        if self.history and activity:
            activity = _running_on(self.namesakes[name_key(name)], _day(on))
        if activity is None and self.history:
            return None, _("Aktiviteten %(name)s findes ikke.") % {"name": name}
        if activity is None:
            message = _(
                "Aktiviteten %(name)s findes ikke eller er afsluttet. Rækker fra en "
                "tidligere helhedsplan henter en koordinator ind med »Historisk "
                "import«."
            )
            return None, message % {"name": name}
        return activity, None

    def area(
        self, name: str, activity: Activity | None = None
    ) -> tuple[Area | None, str | None]:
        area, problem = super().area(name)
        if area and activity and area not in activity.areas.all():
            # The form offers only the activity's areas; say why, as the screen does.
            return None, _("Aktiviteten kører ikke i %(area)s.") % {"area": area}
        return area, problem


def _running_on(namesakes: list[Activity], day: datetime.date | None) -> Activity:
    """Of the activities sharing a name (newest plan first), the one of the plan
    that was running on the day: the latest plan begun by then, which is the plan
    whose period holds the day, or, between two plans, the earlier one, whose
    work went on. Before every plan, the oldest (the form refuses the date);
    with no date to go by, the newest."""
    if day is None:
        return namesakes[0]
    begun = [a for a in namesakes if a.focus_area.plan_period.start <= day]
    return begun[0] if begun else namesakes[-1]


def _day(value) -> datetime.date | None:
    """The row's date as the form will read it, or None when it is no date."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def validate_rows(
    rows: list[SheetRow], user, *, history: bool = False
) -> list[RowResult]:
    catalogue = _Catalogue(history=history)
    results = []
    for row in rows:
        data, problems, activity, notes = _record_data(row, catalogue)
        form = RecordForm(
            data,
            instance=ActivityRecord(created_by=user),
            activity=activity,
            history=history,
            known=catalogue,
        )
        form.is_valid()
        shown = _shown(row)
        if history:
            # Which plan the row went to, where names repeat across plans.
            plan = activity.focus_area.plan_period.name if activity else ""
            shown.append((plan, ""))
        results.append(
            RowResult(
                number=row.number,
                form=form,
                errors=spreadsheets.readable_errors(form, problems, COLUMNS),
                shown=shown,
                notes=notes,
            )
        )
    _mark_stored(results)
    return results


def _same_record(form: RecordForm) -> tuple:
    """What makes two records the same: activity, date, hours, area and counts."""
    data = form.cleaned_data
    return (
        data["activity"].pk,
        data["date"],
        data.get("start_time"),
        data.get("end_time"),
        data["area"].pk,
        *(data.get(name) or 0 for name in COUNTS),
    )


def _mark_stored(results: list[RowResult]) -> None:
    """A valid row equal to a stored record is marked (one query for the sheet)."""
    rows = [r for r in results if r.is_valid and not r.duplicate]
    if not rows:
        return
    data = [r.form.cleaned_data for r in rows]
    stored = ActivityRecord.objects.filter(
        activity__in={d["activity"] for d in data}, date__in={d["date"] for d in data}
    ).values_list("activity", "date", "start_time", "end_time", "area", *COUNTS, "pk")
    found = {tuple(values[:-1]): values[-1] for values in stored}
    for result in rows:
        if _same_record(result.form) in found:
            result.duplicate = _(
                "Registreringen findes allerede (samme aktivitet, dato, tid, område "
                "og antal)."
            )


def _record_data(row: SheetRow, catalogue: _Catalogue):
    """The row as the record form's data, the names that could not be looked up
    (field → messages), and the activity the row names."""
    values = row.values
    data: dict[str, object] = {
        name: text_of(values.get(name))
        for name in ("date", "start_time", "end_time", "note", *COUNTS)
    }
    notes = _derive(row, data)
    problems: dict[str | None, str | None] = {}
    activity = area = department = None
    if name := text_of(values.get("activity")):
        activity, problems["activity"] = catalogue.activity(name, data["date"])
    if name := text_of(values.get("area")):
        area, problems["area"] = catalogue.area(name, activity)
        if note := renamed(name, area):
            notes.append(f"{COLUMNS['area']}: {note}")
    if (number := text_of(values.get("department"))) and area:
        department, problems["department"] = catalogue.department(number, area)
    if activity and (foreign := _indicator_data(row, activity, data)):
        problems[None] = _(
            "Indikatoren %(names)s hører ikke til aktiviteten %(activity)s."
        ) % {"names": ", ".join(foreign), "activity": activity}
    data["activity"] = activity.pk if activity else ""
    data["area"] = area.pk if area else ""
    data["department"] = department.pk if department else ""
    not_found = {name: [message] for name, message in problems.items() if message}
    return data, not_found, activity, notes


def _derive(row: SheetRow, data: dict) -> list[str]:
    """Fill in the one count of a breakdown the sheet has no column for, as the
    rest of the participants, when the others are given; the notes saying so."""
    notes = []
    total = data.get("participants")
    if not str(total).isdigit():
        return notes
    for group in DERIVABLE:
        absent = [name for name in group if name not in row.values]
        given = [data[name] for name in group if name in row.values and data[name]]
        if len(absent) != 1 or not given or not all(v.isdigit() for v in given):
            continue
        rest = int(total) - sum(int(v) for v in given)
        if rest >= 0:
            data[absent[0]] = str(rest)
            notes.append(
                _("%(field)s udregnet: %(total)s − %(given)s = %(rest)s")
                % {
                    "field": COLUMNS[absent[0]],
                    "total": total,
                    "given": " − ".join(given),
                    "rest": rest,
                }
            )
    return notes


def _indicator_data(row: SheetRow, activity: Activity, data: dict) -> list[str]:
    """Put the row's indicator counts into data; return the columns with a count
    for an indicator of another activity."""
    own = {name_key(i.name): i for i in activity.indicators.all()}
    foreign = []
    for header, value in row.extra.items():
        if not text_of(value):
            continue
        indicator = own.get(_indicator_key(header))
        if indicator is None:
            foreign.append(header)
        else:
            data[f"{INDICATOR_PREFIX}{indicator.pk}"] = text_of(value)
    return foreign


def _shown(row: SheetRow) -> list[tuple[str, str]]:
    """The row's cells under PREVIEW_COLUMNS."""
    return [
        (spreadsheets.shown_date(row.values.get("date")), ""),
        (text_of(row.values.get("activity")), ""),
        (text_of(row.values.get("area")), ""),
        (text_of(row.values.get("participants")), "text-end"),
    ]


# --- The template sheet --------------------------------------------------------------


def template_workbook(*, history: bool = False) -> bytes:
    """The sheet to fill in (its headers and an example row), and a second sheet
    listing the activities that can be logged (with `history`, every plan's),
    their plans, areas and indicator columns."""
    activities = list(
        loggable_activities(history=history).prefetch_related("areas", "indicators")
    )
    headers = spreadsheets.danish(COLUMNS)
    fixed = {name_key(header) for header in headers.values()}

    def column(indicator: Indicator) -> str:
        """An indicator's column: its name, prefixed if a fixed column has it."""
        if name_key(indicator.name) in fixed:
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
    return spreadsheets.workbook_bytes(workbook)


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


def _to_save(form: RecordForm) -> tuple[ActivityRecord, list[IndicatorValue]]:
    """What saving a valid row's form makes: the record and its indicator values
    (kept while the sheet's other rows are checked, without the form)."""
    values = [
        IndicatorValue(record=form.instance, indicator=indicator, value=value)
        for indicator in form.indicators
        if (value := form.cleaned_data.get(f"{INDICATOR_PREFIX}{indicator.pk}"))
    ]
    return form.instance, values


def save_records(rows: list[tuple[ActivityRecord, list[IndicatorValue]]]) -> None:
    """A sheet's new records and their indicator values, in a few queries
    whatever their number: what RecordForm.save does for one new record."""
    ActivityRecord.objects.bulk_create([record for record, _values in rows], 1000)
    IndicatorValue.objects.bulk_create(
        [value for _record, values in rows for value in values], 1000
    )


def _imported(count: int) -> str:
    return ngettext(
        "%(count)s registrering er importeret.",
        "%(count)s registreringer er importeret.",
        count,
    ) % {"count": count}


RECORD_IMPORT = spreadsheets.SheetImport(
    template_name="activities/record_import.html",
    url_name="activities:record_import",
    done_url="activities:record_list",
    columns=columns,
    validate=validate_rows,
    preview_columns=PREVIEW_COLUMNS,
    imported=_imported,
    require=require_logger,
    template=template_workbook,
    template_filename="registreringer-skabelon.xlsx",
    save=save_records,
    keep=_to_save,
    same=_same_record,
)


HISTORY_PREVIEW_COLUMNS = [*PREVIEW_COLUMNS, (gettext_lazy("Helhedsplan"), "")]

# The coordinators' historic import ("historisk import"): the same sheet, into
# the earlier plans' activities and the ended ones; locked years refuse rows as
# in the record import.
HISTORY_IMPORT = spreadsheets.SheetImport(
    template_name="activities/history_import.html",
    url_name="activities:history_import",
    done_url="activities:record_list",
    columns=partial(columns, history=True),
    validate=partial(validate_rows, history=True),
    preview_columns=HISTORY_PREVIEW_COLUMNS,
    imported=_imported,
    require=require_coordinator,
    template=partial(template_workbook, history=True),
    template_filename="historik-skabelon.xlsx",
    save=save_records,
    keep=_to_save,
    same=_same_record,
)
