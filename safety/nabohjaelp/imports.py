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
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from boligsocial import clock, spreadsheets
from boligsocial.models import HousingDepartment
from boligsocial.sheet_values import is_no, is_yes, name_key, split_address, text_of
from boligsocial.spreadsheets import (
    Columns,
    RowResult,
    SheetRow,
    renamed,
)

from .access import require_signup_keeper
from .forms import SignUpForm
from .models import Channel, ConsentText, SignUp, Status, person_key

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
# A sheet may hold the address in one column instead of three.
ADDRESS = {"address": gettext_lazy("Adresse")}
# Other headers staff give the columns (compared without case, spaces or
# punctuation; the headers' English translations are read too).
SYNONYMS = {
    "area": ["Boligområde", "Afdeling", "Bebyggelse", "Housing area"],
    "department": ["Afd.nr.", "Afd. nr.", "Afdelingsnr", "Afdeling nr", "Afd"],
    "name": ["Fulde navn", "Beboer", "Beboerens navn", "Fornavn og efternavn"],
    "street": ["Vejnavn", "Gade"],
    "number": ["Nr.", "Husnr", "Nummer", "House number"],
    "floor_door": ["Etage", "Etage og dør", "Lejlighed", "Dør"],
    "phone": ["Tlf", "Tlf.nr.", "Telefonnummer", "Mobil", "Mobilnummer"],
    "email": ["Mail", "E-mailadresse", "Email"],
    "channel": ["Tilmeldt via", "Hvordan", "Kilde"],
    "signed_up_on": ["Dato", "Tilmeldingsdato", "Tilmeldt dato", "Signed up"],
    "consent": ["Samtykke", "Samtykkedato", "Samtykke dato", "Consent"],
    "is_ambassador": ["Nabohjælpsambassadør", "Ambassadør?"],
    "note": ["Noter", "Bemærkning", "Bemærkninger", "Kommentar"],
    "address": ["Adresse", "Bopæl", "Address"],
}
# A sign-up from the public page is made there, by the resident.
CHANNELS = [channel for channel in Channel if channel != Channel.PUBLIC_PAGE]
# The preview's columns after the row number: header, CSS class of its cells.
PREVIEW_COLUMNS = [
    (gettext_lazy("Navn"), ""),
    (gettext_lazy("Adresse"), ""),
    (gettext_lazy("Område"), ""),
    (gettext_lazy("Kanal"), ""),
    (gettext_lazy("Tilmeldt"), ""),
]


def columns() -> Columns:
    return Columns(
        headers={**COLUMNS, **ADDRESS},
        required=REQUIRED,
        synonyms=SYNONYMS,
        covered_by={"street": "address", "number": "address"},
        dates=["signed_up_on", "consent"],
        flags=["is_ambassador"],
    )


# --- Validating the rows -----------------------------------------------------------


class _Catalogue(spreadsheets.Places):
    """What the names in a sheet's rows stand for, and the sign-ups the rows may
    repeat, loaded once for the rows (a thousand at a time): the sign-up form
    asks it instead of the database (SignUpForm's `known`)."""

    def __init__(self, rows: list[SheetRow]):
        super().__init__()
        # Area.departments_on reads the area's departments: from here.
        prefetch_related_objects(list(self.area_objects.values()), "departments")
        self.all_departments = {
            pk: department
            for departments in self.by_area.values()
            for pk, department in departments.items()
        }
        names = {" ".join(text_of(row.values.get("name")).split()) for row in rows}
        self.people: dict[tuple, list[SignUp]] = {}
        for signup in SignUp.objects.named(names - {""}):
            key = person_key(
                name=signup.name,
                department=signup.department_id,
                street=signup.street,
                number=signup.number,
                floor_door=signup.floor_door,
            )
            self.people.setdefault(key, []).append(signup)
        with translation.override("da"):
            self.channels = {name_key(c.label): c for c in CHANNELS}
            self.channel_names = ", ".join(str(c.label) for c in CHANNELS)
        self.consent_text = ConsentText.current()

    def same_person(self, **person) -> list[SignUp]:
        return self.people.get(person_key(**person), [])

    def channel(self, name: str) -> tuple[Channel | None, str | None]:
        channel = self.channels.get(name_key(name))
        if channel is None:
            message = _("Kanalen %(name)s kan ikke importeres. Skriv en af: %(names)s.")
            return None, message % {"name": name, "names": self.channel_names}
        return channel, None


def validate_rows(rows: list[SheetRow], user) -> list[RowResult]:
    catalogue = _Catalogue(rows)
    results = []
    for row in rows:
        data, problems, consented_at, notes = _signup_data(row, catalogue)
        signup = SignUp(
            status=Status.ACTIVE,
            consent_text=catalogue.consent_text,
            consented_at=consented_at,
            created_by=user,
        )
        form = SignUpForm(data, instance=signup, known=catalogue)
        duplicate = ""
        if not form.is_valid() and form.has_error(
            NON_FIELD_ERRORS, "possible_duplicate"
        ):
            # The screen's rule; in a sheet the row waits for the person's tick.
            duplicate = _already(form.duplicates[0])
            form = SignUpForm(
                {**data, "save_anyway": "on"}, instance=signup, known=catalogue
            )
            form.is_valid()
        results.append(
            RowResult(
                number=row.number,
                form=form,
                errors=spreadsheets.readable_errors(
                    form, problems, {**COLUMNS, **ADDRESS}
                ),
                shown=_shown(row),
                notes=notes,
                duplicate=duplicate,
            )
        )
    return results


def _already(existing: SignUp) -> str:
    return _("%(name)s er allerede tilmeldt på %(address)s (tilmeldt %(date)s).") % {
        "name": existing.name,
        "address": existing.address,
        "date": f"{existing.signed_up_on:%d.%m.%Y}",
    }


def _same_person(form: SignUpForm) -> tuple:
    """A person at an address, as the screen's rule compares them (person_key)."""
    data = form.cleaned_data
    return person_key(
        name=data["name"],
        department=data["department"],
        street=data["street"],
        number=data["number"],
        floor_door=data.get("floor_door", ""),
    )


def _signup_data(row: SheetRow, catalogue: _Catalogue):
    """The row as the sign-up form's data, what the import itself refuses (field →
    messages), and when consent was given."""
    values = row.values
    data: dict[str, object] = {
        name: text_of(values.get(name))
        for name in ("name", "street", "number", "floor_door", "phone", "email", "note")
    }
    data["signed_up_on"] = text_of(values.get("signed_up_on"))
    notes: list[str] = []
    problems: dict[str | None, str | None] = {}
    area = department = channel = None
    if name := text_of(values.get("area")):
        area, problems["area"] = catalogue.area(name)
        if note := renamed(name, area):
            notes.append(f"{COLUMNS['area']}: {note}")
    if (number := text_of(values.get("department"))) and area:
        department, problems["department"] = catalogue.department(number, area)
    if (address := text_of(values.get("address"))) and not data["street"]:
        problems["address"] = _address(address, catalogue, area, data, notes)
    if name := text_of(values.get("channel")):
        channel, problems["channel"] = catalogue.channel(name)
    ambassador = text_of(values.get("is_ambassador"))
    if not (is_yes(ambassador) or is_no(ambassador)):
        problems["is_ambassador"] = _("Skriv ja eller nej.")
    consented_at, problems["consent"] = _consent(
        values.get("consent"), data["signed_up_on"], notes
    )
    data.update(
        area=area.pk if area else "",
        department=department.pk if department else "",
        channel=channel.value if channel else "",
        is_ambassador="on" if is_yes(ambassador) else "",
        consent="on" if consented_at else "",
    )
    refused = {name: [message] for name, message in problems.items() if message}
    if "address" in refused:
        # The address column explains it: not "required" under street and number.
        refused.update(street=[], number=[])
    return data, refused, consented_at, notes


def _address(text: str, catalogue, area, data: dict, notes: list) -> str | None:
    """An address in one cell as street, number and floor/door, against the
    streets of the area's departments; or why it cannot be split."""
    parts = split_address(text, catalogue.streets(area))
    if parts is None:
        return _("Adressen %(address)s har intet husnummer.") % {"address": text}
    data["street"], data["number"], data["floor_door"] = parts
    shown = ", ".join(
        f"{label} {value}"
        for label, value in zip(
            (COLUMNS["street"], COLUMNS["number"], COLUMNS["floor_door"]),
            parts,
            strict=True,
        )
        if value
    )
    notes.append(f"{ADDRESS['address']}: {text} → {shown}")
    return None


def _consent(
    value, signed_up_on: str, notes: list
) -> tuple[datetime.datetime | None, str | None]:
    """When the resident gave consent (noon of the sheet's date: the hour is not
    known; "ja" is the day they signed up), or why the row cannot be imported."""
    text = text_of(value)
    if not text or is_no(text):
        return None, _(
            "Skriv datoen, hvor beboeren gav samtykke. Uden samtykke kan "
            "tilmeldingen ikke importeres."
        )
    if is_yes(text):
        try:
            day = datetime.date.fromisoformat(signed_up_on)
        except ValueError:
            return None, _("Skriv datoen for samtykket, fx 02.03.2026.")
        notes.append(
            _("%(column)s: %(text)s → givet %(date)s, da beboeren blev tilmeldt")
            % {"column": COLUMNS["consent"], "text": text, "date": f"{day:%d.%m.%Y}"}
        )
        return clock.local_moment(day, datetime.time(12)), None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None, _("Skriv datoen som fx 02.03.2026.")
    if day > timezone.localdate():
        return None, _("Datoen ligger i fremtiden.")
    return clock.local_moment(day, datetime.time(12)), None


def _shown(row: SheetRow) -> list[tuple[str, str]]:
    """The row's cells under PREVIEW_COLUMNS, as written in the sheet."""
    values = {name: text_of(value) for name, value in row.values.items()}
    address = f"{values.get('street', '')} {values.get('number', '')}".strip()
    if values.get("floor_door"):
        address = f"{address}, {values['floor_door']}"
    address = address or values.get("address", "")
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


def _to_save(form: SignUpForm) -> SignUp:
    """What saving a valid row's form makes: the sign-up (the form has no other
    part to save)."""
    return form.instance


def save_signups(signups: list[SignUp]) -> None:
    """A sheet's new sign-ups, in a few queries whatever their number."""
    SignUp.objects.bulk_create(signups, 1000)


def _imported(count: int) -> str:
    return ngettext(
        "%(count)s tilmelding er importeret.",
        "%(count)s tilmeldinger er importeret.",
        count,
    ) % {"count": count}


SIGNUP_IMPORT = spreadsheets.SheetImport(
    template_name="safety/signup_import.html",
    url_name="safety:signup_import",
    done_url="safety:signup_list",
    columns=columns,
    validate=validate_rows,
    preview_columns=PREVIEW_COLUMNS,
    imported=_imported,
    require=require_signup_keeper,
    template=template_workbook,
    template_filename="nabohjaelp-tilmeldinger-skabelon.xlsx",
    save=save_signups,
    keep=_to_save,
    same=_same_person,
)
