"""Import of the real housing organisations, their departments and the partner
organisations from one Excel sheet.

One row per housing department: its organisation (made if new), number, name,
area, streets with house numbers, households and other names. A row whose Type is
a partner's (Politi, SSP, …) names only an organisation, and so does a housing
organisation's row without a department number. One sheet with a Type column
rather than a second sheet for the partners: one upload and one preview, and a
partner's row is simply a row with the department columns left empty.

A sheet imported again updates what it names rather than adding it twice: an
organisation is found by its name, a department by its organisation and number;
the preview says of each row whether it is new, updates or leaves it unchanged.
What a sheet imports is real: an organisation or department it names loses its
demo mark.

The reading, the preview and the saving in one transaction are the shared ones
of boligsocial.spreadsheets.
"""

import openpyxl
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import spreadsheets
from .access import require_backbone_keeper
from .models import (
    Area,
    HousingDepartment,
    Organisation,
    OrganisationKind,
    lines,
    readable_street,
    street_and_numbers,
    unreadable_street_message,
)
from .sheet_values import name_key, text_of
from .spreadsheets import Columns, RowResult, SheetRow

# The template sheet's columns, in order: field → header.
COLUMNS = {
    "organisation": gettext_lazy("Organisation"),
    "kind": gettext_lazy("Type"),
    "number": gettext_lazy("Afdelingsnummer"),
    "name": gettext_lazy("Afdeling"),
    "area": gettext_lazy("Område"),
    "streets": gettext_lazy("Veje og husnumre"),
    "households": gettext_lazy("Husstande"),
    "aliases": gettext_lazy("Andre navne"),
}
REQUIRED = ["organisation"]
# Other headers people write for the same columns, Danish and English (compared as
# name_key does); for the shared column matching to use.
SYNONYMS = {
    "organisation": [
        "Boligorganisation",
        "Boligselskab",
        "Boligforening",
        "Organisationsnavn",
        "Navn på organisation",
        "Organization",
        "Organisation name",
        "Housing organisation",
        "Housing organization",
    ],
    "kind": ["Organisationstype", "Slags", "Kind", "Organisation type"],
    "number": [
        "Afd.nr.",
        "Afd. nr.",
        "Afd.nr",
        "Afd nr",
        "Afd.",
        "Afdeling nr",
        "Afdeling nr.",
        "Afdelingsnr.",
        "Afdelingsnr",
        "Nr.",
        "Department number",
        "Department no.",
        "Dept. no.",
    ],
    "name": [
        "Afdelingsnavn",
        "Navn på afdeling",
        "Boligafdeling",
        "Department",
        "Department name",
    ],
    "area": ["Boligområde", "Områdenavn", "Area", "Housing area"],
    "streets": [
        "Veje",
        "Vej",
        "Adresser",
        "Adresse",
        "Vejnavne",
        "Veje og numre",
        "Streets",
        "Addresses",
        "Street",
    ],
    "households": [
        "Antal husstande",
        "Antal boliger",
        "Boliger",
        "Lejemål",
        "Antal lejemål",
        "Lejligheder",
        "Households",
        "Dwellings",
        "Homes",
        "Number of households",
    ],
    "aliases": [
        "Kaldes også",
        "Også kaldet",
        "Alias",
        "Aliasser",
        "Aliases",
        "Other names",
        "Also known as",
    ],
}
# The department's own columns: left empty on an organisation's row.
DEPARTMENT_FIELDS = ["number", "name", "area", "streets", "households", "aliases"]
# A sheet names organisations of these kinds; BoligSocialt Hus is there already.
KINDS = [kind for kind in OrganisationKind if kind != OrganisationKind.BOLIGSOCIALT_HUS]
# Other words people write in the Type column.
KIND_WORDS = {
    "kommune": OrganisationKind.MUNICIPALITY,
    "kommunen": OrganisationKind.MUNICIPALITY,
    "andet": OrganisationKind.OTHER,
    "civilsamfundet": OrganisationKind.CIVIL_SOCIETY,
    "forening": OrganisationKind.CIVIL_SOCIETY,
    "boligselskab": OrganisationKind.HOUSING,
    "boligforening": OrganisationKind.HOUSING,
}

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
CHANGE_TEXT = {
    NEW: gettext_lazy("ny"),
    UPDATED: gettext_lazy("opdateres"),
    UNCHANGED: gettext_lazy("uændret"),
}
# The preview's columns after the row number: header, CSS class of its cells.
PREVIEW_COLUMNS = [
    (gettext_lazy("Organisation"), ""),
    (gettext_lazy("Type"), ""),
    (gettext_lazy("Afdeling"), ""),
    (gettext_lazy("Område"), ""),
    (gettext_lazy("Husstande"), "text-end"),
    (gettext_lazy("Ændring"), ""),
]


def columns() -> Columns:
    return Columns(
        headers=COLUMNS, required=REQUIRED, synonyms=SYNONYMS, counts=["households"]
    )


# --- Cells: streets and other names -------------------------------------------------


def street_lines(text: str) -> list[str]:
    """A cell's streets, one line each as HousingDepartment.streets keeps them:
    streets are separated by semicolons or line breaks, and each is its name
    followed by its house numbers, if not the whole street ("Rugårdsvej 1-15;
    Kløvermarken 2, 4, 6"). ValidationError names a street that cannot be read."""
    result = []
    for part in text.replace("\n", ";").split(";"):
        part = " ".join(part.split())
        if not part:
            continue
        if not readable_street(part):
            raise ValidationError(unreadable_street_message(part), code="street")
        street, numbers = street_and_numbers(part)
        result.append(f"{street} {_numbers(numbers)}".strip())
    return result


def _numbers(numbers: str) -> str:
    """House numbers written one way: "1 - 9,12 b" → "1-9, 12B"."""
    items = []
    for item in numbers.split(","):
        ends = [
            " ".join(end.split()).replace(" ", "").upper() for end in item.split("-")
        ]
        items.append("-".join(ends))
    return ", ".join(items).replace("–", "-")


def alias_lines(text: str) -> list[str]:
    """Other names, separated by semicolons or line breaks."""
    names = (" ".join(part.split()) for part in text.replace("\n", ";").split(";"))
    return list(dict.fromkeys(name for name in names if name))


# --- Validating the rows ------------------------------------------------------------


class _Catalogue(spreadsheets.Places):
    """The areas, organisations and departments a sheet names, loaded once for all
    its rows; organisations and departments made by the rows saved so far are
    added, so a later row of the same organisation finds it."""

    def __init__(self):
        super().__init__()
        self.organisations = {
            name_key(organisation.name): organisation
            for organisation in Organisation.objects.all()
        }
        self.by_number = {
            (department.organisation_id, name_key(department.number)): department
            for departments in self.by_area.values()
            for department in departments.values()
        }
        # The Type as the template writes it (Danish), or in English.
        with translation.override("en"):
            self.kinds = {name_key(kind.label): kind for kind in KINDS}
        with translation.override("da"):
            self.kinds.update({name_key(kind.label): kind for kind in KINDS})
            self.kind_names = ", ".join(str(kind.label) for kind in KINDS)
        self.kinds.update({name_key(kind.value): kind for kind in KINDS})
        self.kinds.update(KIND_WORDS)

    def kind(self, name: str) -> tuple[str | None, str | None]:
        if not name:
            return OrganisationKind.HOUSING, None
        kind = self.kinds.get(name_key(name))
        if kind is None:
            message = _("Typen %(name)s kendes ikke. Skriv en af: %(names)s.")
            return None, message % {"name": name, "names": self.kind_names}
        return kind, None

    def organisation(self, name: str) -> Organisation | None:
        return self.organisations.get(name_key(name))

    def department(
        self, organisation: Organisation | None, number: str
    ) -> HousingDepartment | None:
        if organisation is None or organisation.pk is None:
            return None
        return self.by_number.get((organisation.pk, name_key(number)))


class OrganisationRowForm(forms.Form):
    """One row of the sheet: an organisation, and a department of it if the row
    has a number. save() makes or updates them."""

    organisation = forms.CharField(label=COLUMNS["organisation"], max_length=150)
    kind = forms.ChoiceField(label=COLUMNS["kind"], choices=OrganisationKind.choices)
    number = forms.CharField(label=COLUMNS["number"], max_length=20, required=False)
    name = forms.CharField(label=COLUMNS["name"], max_length=150, required=False)
    area = forms.ModelChoiceField(
        label=COLUMNS["area"], queryset=Area.objects.all(), required=False
    )
    streets = forms.CharField(label=COLUMNS["streets"], required=False)
    households = forms.IntegerField(
        label=COLUMNS["households"], min_value=0, max_value=100_000, required=False
    )
    aliases = forms.CharField(label=COLUMNS["aliases"], required=False)

    def __init__(self, data, *, catalogue: _Catalogue):
        super().__init__(data)
        self.catalogue = catalogue
        self.change = ""

    def clean_organisation(self) -> str:
        return " ".join(self.cleaned_data["organisation"].split())

    def clean_number(self) -> str:
        return " ".join(self.cleaned_data["number"].split())

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_streets(self) -> str:
        return "\n".join(street_lines(self.cleaned_data["streets"]))

    def clean_aliases(self) -> str:
        return "\n".join(alias_lines(self.cleaned_data["aliases"]))

    def clean(self) -> dict:
        data = super().clean()
        kind, name = data.get("kind"), data.get("organisation")
        if kind and kind != OrganisationKind.HOUSING:
            self._refuse_department_cells()
        elif kind:
            self._require_department_cells()
        existing = self.catalogue.organisation(name) if name else None
        if existing and kind and existing.kind != kind:
            self.add_error(
                "kind",
                _(
                    "%(name)s findes allerede som %(kind)s. Skriv den type, eller "
                    "ret organisationen i administrationen."
                )
                % {"name": existing.name, "kind": existing.get_kind_display()},
            )
        if not self.errors:
            self.change = self._change(existing, data)
        return data

    def _refuse_department_cells(self) -> None:
        if any(self.data.get(name) for name in DEPARTMENT_FIELDS):
            self.add_error(
                "kind",
                _(
                    "Kun en boligorganisation har afdelinger. Lad afdelingens "
                    "kolonner stå tomme, eller skriv Boligorganisation som type."
                ),
            )

    def _require_department_cells(self) -> None:
        """A department's number, name, area and households, if it has any of them."""
        if not any(self.data.get(name) for name in DEPARTMENT_FIELDS):
            return  # the housing organisation alone
        for name in ("number", "name", "area", "households"):
            if not self.data.get(name) and name not in self.errors:
                self.add_error(name, _("Skal udfyldes for en afdeling."))

    def _change(self, organisation: Organisation | None, data: dict) -> str:
        if organisation is None:
            return NEW
        department = self.catalogue.department(organisation, data["number"])
        if data["number"] and department is None:
            return NEW
        changed = organisation.is_demo
        if department is not None:
            changed = changed or any(
                getattr(department, field) != value
                for field, value in self._department_values().items()
            )
        return UPDATED if changed else UNCHANGED

    def _department_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "area_id": data["area"].pk,
            "households": data["households"],
            "streets": data["streets"],
            "aliases": data["aliases"],
            "is_demo": False,
        }

    def save(self) -> HousingDepartment | Organisation:
        """Make or update the organisation, and its department if the row has one;
        both real from now on."""
        data = self.cleaned_data
        organisation = self.catalogue.organisation(data["organisation"])
        if organisation is None:
            organisation = Organisation.objects.create(
                name=data["organisation"], kind=data["kind"]
            )
            self.catalogue.organisations[name_key(organisation.name)] = organisation
        elif organisation.is_demo:
            organisation.is_demo = False
            organisation.save(update_fields=["is_demo"])
        if not data["number"]:
            return organisation
        values = self._department_values()
        department = self.catalogue.department(organisation, data["number"])
        if department is None:
            department = HousingDepartment.objects.create(
                organisation=organisation, number=data["number"], **values
            )
            key = (organisation.pk, name_key(department.number))
            self.catalogue.by_number[key] = department
        else:
            for field, value in values.items():
                setattr(department, field, value)
            department.save(update_fields=[f.removesuffix("_id") for f in values])
        return department


def validate_rows(rows: list[SheetRow], user) -> list[RowResult]:
    catalogue = _Catalogue()
    results = []
    for row in rows:
        data, problems = _row_data(row, catalogue)
        form = OrganisationRowForm(data, catalogue=catalogue)
        form.is_valid()
        results.append(
            RowResult(
                number=row.number,
                form=form,
                errors=spreadsheets.readable_errors(form, problems, COLUMNS),
            )
        )
    _refuse_repeats(results)
    for result in results:
        result.shown = _shown(result)
    return results


def _row_data(row: SheetRow, catalogue: _Catalogue):
    """The row as the form's data, and what the import itself refuses (field →
    messages): an area or a type it does not know."""
    values = {name: text_of(row.values.get(name)) for name in COLUMNS}
    problems: dict[str | None, str | None] = {}
    kind, problems["kind"] = catalogue.kind(values["kind"])
    area = None
    if values["area"]:
        area, problems["area"] = catalogue.area(values["area"])
    # area_text: the area as the sheet writes it, for the preview.
    data = {
        **values,
        "kind": kind or "",
        "area": area.pk if area else "",
        "area_text": values["area"],
    }
    if values["area"] and not area:
        # The cell is filled: the form must not say it is missing.
        data["area"] = "0"
    refused = {name: [message] for name, message in problems.items() if message}
    return data, refused


def _refuse_repeats(results: list[RowResult]) -> None:
    """The same department twice, or one organisation with two types: the first
    row is imported, the others refused."""
    departments: dict[tuple, int] = {}
    kinds: dict[str, tuple[str, int]] = {}
    for result in results:
        if not result.is_valid:
            continue
        data = result.form.cleaned_data
        name = name_key(data["organisation"])
        kind, first = kinds.setdefault(name, (data["kind"], result.number))
        if kind != data["kind"]:
            message = _("Organisationen står med en anden type i række %(row)s.")
            result.errors.append((str(COLUMNS["kind"]), message % {"row": first}))
            continue
        if not data["number"]:
            continue
        key = (name, name_key(data["number"]))
        if key in departments:
            message = _("Samme afdeling som række %(row)s.")
            result.errors.append(("", message % {"row": departments[key]}))
        else:
            departments[key] = result.number


def _shown(result: RowResult) -> list[tuple[str, str]]:
    """The row's cells under PREVIEW_COLUMNS, as written in the sheet, and what
    importing it does."""
    data = result.form.data
    kind = result.form.cleaned_data.get("kind") if result.is_valid else None
    department = " ".join(part for part in (data["number"], data["name"]) if part)
    change = CHANGE_TEXT[result.form.change] if result.is_valid else ""
    return [
        (data["organisation"], ""),
        (str(OrganisationKind(kind).label) if kind else "", ""),
        (department, ""),
        (data["area_text"], ""),
        (data["households"], "text-end"),
        (str(change), ""),
    ]


# --- The template sheet --------------------------------------------------------------


def template_workbook() -> bytes:
    """The sheet to fill in, holding the real organisations and departments there
    are already (imported again, they are unchanged), and guide sheets listing the
    areas with their other names, the types, and how streets are written."""
    departments = HousingDepartment.objects.filter(is_demo=False).select_related(
        "organisation", "area"
    )
    partners = Organisation.objects.filter(is_demo=False).exclude(
        kind__in=[OrganisationKind.HOUSING, OrganisationKind.BOLIGSOCIALT_HUS]
    )
    housing_alone = Organisation.objects.filter(
        is_demo=False, kind=OrganisationKind.HOUSING, departments__isnull=True
    )
    workbook = openpyxl.Workbook()
    with translation.override("da"):
        sheet = workbook.active
        sheet.title = _("Organisationer")
        sheet.append(list(spreadsheets.danish(COLUMNS).values()))
        for department in departments.order_by("organisation__name", "number"):
            sheet.append(_department_row(department))
        for organisation in [*housing_alone, *partners]:
            sheet.append([organisation.name, str(organisation.get_kind_display())])
        _guide_sheets(workbook)
    return spreadsheets.workbook_bytes(workbook)


def _department_row(department: HousingDepartment) -> list:
    return [
        department.organisation.name,
        str(OrganisationKind.HOUSING.label),
        department.number,
        department.name,
        department.area.name,
        "; ".join(lines(department.streets)),
        department.households,
        "; ".join(department.alias_list),
    ]


def _guide_sheets(workbook: openpyxl.Workbook) -> None:
    areas = workbook.create_sheet(_("Områder"))
    areas.append([_("Område"), _("Kaldes også")])
    for area in Area.objects.order_by("name"):
        areas.append([area.name, "; ".join(area.alias_list)])
    kinds = workbook.create_sheet(_("Typer"))
    kinds.append([_("Type"), _("Bemærkning")])
    for kind in KINDS:
        note = (
            _("Tom type er også Boligorganisation. Kun den har afdelinger.")
            if kind == OrganisationKind.HOUSING
            else _("Lad afdelingens kolonner stå tomme.")
        )
        kinds.append([str(kind.label), note])
    guide = workbook.create_sheet(_("Vejledning"))
    guide.append([_("Sådan udfyldes arket")])
    for text in GUIDE:
        guide.append([str(text)])


GUIDE = [
    gettext_lazy(
        "Én række pr. boligafdeling. En ny organisation oprettes; en organisation, "
        "der findes, genkendes på navnet."
    ),
    gettext_lazy(
        "En afdeling genkendes på organisation og afdelingsnummer: importeres arket "
        "igen, opdateres den i stedet for at blive oprettet to gange."
    ),
    gettext_lazy(
        "Veje og husnumre: vejene adskilles med semikolon, og efter vejnavnet står "
        "husnumrene, enkelte (12, 12A) og fra-til (1-15) adskilt med komma, fx "
        "Rugårdsvej 1-15; Kløvermarken 2, 4, 6. Uden numre hører hele vejen til "
        "afdelingen."
    ),
    gettext_lazy(
        "Andre navne: navne, som afdelingen også kaldes i regneark, adskilt med "
        "semikolon."
    ),
    gettext_lazy(
        "Partnerorganisationer (kommune, politi, SSP, civilsamfund, andre): skriv "
        "navn og type, og lad afdelingens kolonner stå tomme."
    ),
]


def _imported(count: int) -> str:
    return ngettext(
        "%(count)s række er importeret.",
        "%(count)s rækker er importeret.",
        count,
    ) % {"count": count}


ORGANISATION_IMPORT = spreadsheets.SheetImport(
    template_name="boligsocial/organisation_import.html",
    url_name="organisation_import",
    done_url="area_list",
    columns=columns,
    validate=validate_rows,
    preview_columns=PREVIEW_COLUMNS,
    imported=_imported,
    require=require_backbone_keeper,
    template=template_workbook,
    template_filename="organisationer-skabelon.xlsx",
    # A row may name an organisation an earlier row makes, and a number twice
    # is refused: the sheet is checked, and saved, as one.
    chunk_rows=None,
    # Odense's housing organisations have a few hundred departments; a sheet is
    # checked in one piece, its forms all kept until it is saved.
    max_rows=2000,
)
