"""Import of an existing Nabohjælp sign-up list from an Excel sheet.

Each row becomes the data of the staff's sign-up screen and is validated by its
form (SignUpForm): phone and e-mail, the address in a department of the area, a
person already signed up at that address. Two rows of one sheet holding the same
person at the same address are refused too. A row must say when the resident gave
consent: a sign-up without consent is not kept (GDPR art. 6 and 7).

The reading, the preview and the saving in one transaction are the shared ones
of boligsocial.spreadsheets.
"""

import datetime

import openpyxl
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from boligsocial import clock, spreadsheets
from boligsocial.models import HousingDepartment
from boligsocial.spreadsheets import (
    RowResult,
    SheetRow,
    cell_date,
    cell_text,
    header_key,
)

from .access import require_signup_keeper
from .forms import SignUpForm
from .models import Channel, ConsentText, SignUp, Status

# The template sheet's columns, in order: form field → header.
COLUMNS = {
    "area": gettext_lazy("Område"),
    "department": gettext_lazy("Afdelingsnummer"),
    "name": gettext_lazy("Navn"),
    "street": gettext_lazy("Vej"),
    "number": gettext_lazy("Husnummer"),
    "floor_door": gettext_lazy("Etage/dør"),
    "phone": gettext_lazy("Telefon"),
    "email": gettext_lazy("E-mail"),
    "channel": gettext_lazy("Kanal"),
    "signed_up_on": gettext_lazy("Tilmeldt"),
    "consent": gettext_lazy("Samtykke givet"),
    "is_ambassador": gettext_lazy("Ambassadør"),
    "note": gettext_lazy("Note"),
}
REQUIRED = ["area", "name", "street", "number", "channel", "signed_up_on", "consent"]
# A sign-up from the public page is made there, by the resident.
CHANNELS = [channel for channel in Channel if channel != Channel.PUBLIC_PAGE]
YES = {"ja", "j", "x", "1", "true", "sand"}
NO = {"", "nej", "n", "0", "false", "falsk"}
# The preview's columns after the row number: header, CSS class of its cells.
PREVIEW_COLUMNS = [
    (gettext_lazy("Navn"), ""),
    (gettext_lazy("Adresse"), ""),
    (gettext_lazy("Område"), ""),
    (gettext_lazy("Kanal"), ""),
    (gettext_lazy("Tilmeldt"), ""),
]


def read_sheet(file) -> list[SheetRow]:
    """The rows of the first sheet of an .xlsx file (binary file object)."""
    return spreadsheets.read_sheet(file, columns=COLUMNS, required=REQUIRED)


# --- Validating the rows -----------------------------------------------------------


class _Catalogue(spreadsheets.Places):
    """What the names in a sheet stand for, loaded once for all its rows."""

    def __init__(self):
        super().__init__()
        with translation.override("da"):
            self.channels = {header_key(c.label): c for c in CHANNELS}
            self.channel_names = ", ".join(str(c.label) for c in CHANNELS)
        self.consent_text = ConsentText.current()

    def channel(self, name: str) -> tuple[Channel | None, str | None]:
        channel = self.channels.get(header_key(name))
        if channel is None:
            message = _("Kanalen %(name)s kan ikke importeres. Skriv en af: %(names)s.")
            return None, message % {"name": name, "names": self.channel_names}
        return channel, None


def validate_rows(rows: list[SheetRow], user) -> list[RowResult]:
    catalogue = _Catalogue()
    results = []
    for row in rows:
        data, problems, consented_at = _signup_data(row, catalogue)
        signup = SignUp(
            status=Status.ACTIVE,
            consent_text=catalogue.consent_text,
            consented_at=consented_at,
            created_by=user,
        )
        form = SignUpForm(data, instance=signup)
        form.is_valid()
        results.append(
            RowResult(
                number=row.number,
                form=form,
                errors=_errors(form, problems),
                shown=_shown(row),
            )
        )
    _refuse_repeats(results)
    return results


def _signup_data(row: SheetRow, catalogue: _Catalogue):
    """The row as the sign-up form's data, what the import itself refuses (field →
    messages), and when consent was given."""
    values = row.values
    data: dict[str, object] = {
        name: cell_text(values.get(name))
        for name in ("name", "street", "number", "floor_door", "phone", "email", "note")
    }
    data["signed_up_on"] = cell_date(values.get("signed_up_on"))
    problems: dict[str | None, str | None] = {}
    area = department = channel = None
    if name := cell_text(values.get("area")):
        area, problems["area"] = catalogue.area(name)
    if (number := cell_text(values.get("department"))) and area:
        department, problems["department"] = catalogue.department(number, area)
    if name := cell_text(values.get("channel")):
        channel, problems["channel"] = catalogue.channel(name)
    ambassador = header_key(cell_text(values.get("is_ambassador")))
    if ambassador not in YES | NO:
        problems["is_ambassador"] = _("Skriv ja eller nej.")
    consented_at, problems["consent"] = _consent(values.get("consent"))
    data.update(
        area=area.pk if area else "",
        department=department.pk if department else "",
        channel=channel.value if channel else "",
        is_ambassador="on" if ambassador in YES else "",
        consent="on" if consented_at else "",
    )
    refused = {name: [message] for name, message in problems.items() if message}
    return data, refused, consented_at


def _consent(value) -> tuple[datetime.datetime | None, str | None]:
    """When the resident gave consent (noon of the sheet's date: the hour is not
    known), or why the row cannot be imported."""
    if not cell_text(value):
        return None, _(
            "Skriv datoen, hvor beboeren gav samtykke. Uden samtykke kan "
            "tilmeldingen ikke importeres."
        )
    try:
        day = datetime.date.fromisoformat(cell_date(value))
    except ValueError:
        return None, _("Skriv datoen som fx 02.03.2026.")
    if day > timezone.localdate():
        return None, _("Datoen ligger i fremtiden.")
    return clock.local_moment(day, datetime.time(12)), None


def _errors(form: SignUpForm, problems: dict) -> list[tuple[str, str]]:
    """The row's errors by column; the screen's advice on a possible duplicate
    (tick »Gem alligevel«) does not fit a sheet: the row is refused instead."""
    errors = spreadsheets.readable_errors(form, problems, COLUMNS)
    if not form.has_error(NON_FIELD_ERRORS, "possible_duplicate"):
        return errors
    advice = {
        message
        for error in form.errors.as_data()[NON_FIELD_ERRORS]
        if error.code == "possible_duplicate"
        for message in error.messages
    }
    existing = form.duplicates[0]
    message = _("%(name)s er allerede tilmeldt på %(address)s (tilmeldt %(date)s).") % {
        "name": existing.name,
        "address": existing.address,
        "date": f"{existing.signed_up_on:%d.%m.%Y}",
    }
    return [error for error in errors if error[1] not in advice] + [("", message)]


def _refuse_repeats(results: list[RowResult]) -> None:
    """A person at an address twice in the sheet: the first row is imported, the
    others are refused (as the screen would have flagged the second)."""
    first: dict[tuple, int] = {}
    for result in results:
        if not result.is_valid:
            continue
        data = result.form.cleaned_data
        key = (
            data["name"].casefold(),
            data["department"].pk,
            data["street"].casefold(),
            data["number"].casefold(),
            data.get("floor_door", "").casefold(),
        )
        if key in first:
            message = _("Samme person på samme adresse som række %(row)s.")
            result.errors.append(("", message % {"row": first[key]}))
        else:
            first[key] = result.number


def _shown(row: SheetRow) -> list[tuple[str, str]]:
    """The row's cells under PREVIEW_COLUMNS, as written in the sheet."""
    values = {name: cell_text(value) for name, value in row.values.items()}
    address = f"{values.get('street', '')} {values.get('number', '')}".strip()
    if values.get("floor_door"):
        address = f"{address}, {values['floor_door']}"
    return [
        (values.get("name", ""), ""),
        (address, ""),
        (values.get("area", ""), ""),
        (values.get("channel", ""), ""),
        (spreadsheets.shown_date(row.values.get("signed_up_on")), ""),
    ]


# --- The template sheet --------------------------------------------------------------


def template_workbook() -> bytes:
    """The sheet to fill in (its headers and an example row), and guide sheets
    listing the areas with their departments and streets, and the channels."""
    departments = list(
        HousingDepartment.objects.select_related("area").order_by(
            "area__name", "number"
        )
    )
    workbook = openpyxl.Workbook()
    with translation.override("da"):
        sheet = workbook.active
        sheet.title = _("Tilmeldinger")
        sheet.append(list(spreadsheets.danish(COLUMNS).values()))
        example = next((d for d in departments if d.street_list), None)
        if example:
            sheet.append(list(_example(example, timezone.localdate()).values()))
        guide = workbook.create_sheet(_("Områder og afdelinger"))
        guide.append([_("Område"), _("Afdelingsnummer"), _("Afdeling"), _("Veje")])
        for department in departments:
            guide.append(
                [
                    department.area.name,
                    department.number,
                    department.name,
                    ", ".join(department.street_list),
                ]
            )
        channels = workbook.create_sheet(_("Kanaler"))
        channels.append([_("Kanal")])
        for channel in CHANNELS:
            channels.append([str(channel.label)])
    return spreadsheets.workbook_bytes(workbook)


def _example(department: HousingDepartment, today: datetime.date) -> dict:
    """One made-up row, in COLUMNS' order."""
    return {
        "area": department.area.name,
        "department": department.number,
        "name": _("Eksempel Eksempelsen"),
        "street": department.street_list[0],
        "number": "1",
        "floor_door": _("st. tv"),
        "phone": "20 12 34 56",
        "email": "",
        "channel": str(Channel.DOOR.label),
        "signed_up_on": today,
        "consent": today,
        "is_ambassador": _("nej"),
        "note": _("Eksempel: slet rækken, før du importerer."),
    }


def _imported(count: int) -> str:
    return ngettext(
        "%(count)s tilmelding er importeret.",
        "%(count)s tilmeldinger er importeret.",
        count,
    ) % {"count": count}


SIGNUP_IMPORT = spreadsheets.SheetImport(
    session_key="signup_import",
    template_name="safety/signup_import.html",
    url_name="safety:signup_import",
    done_url="safety:signup_list",
    read=read_sheet,
    validate=validate_rows,
    preview_columns=PREVIEW_COLUMNS,
    imported=_imported,
    require=require_signup_keeper,
    template=template_workbook,
    template_filename="nabohjaelp-tilmeldinger-skabelon.xlsx",
)
