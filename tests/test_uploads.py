"""Every file the portal takes, against malicious files (checklist items 24–28).

The portal takes files in five places, and only there (the first test fails when a
form, a model, the admin or a view grows another):

- a finding's page: a photo of the finding (PhotoForm.photo),
- a new finding on a walk: its photo (FindingForm.photo),
- a resident's report on "Meld et problem": its photo (ResidentReportForm.photo),
- the Excel import of activity records (ImportForm.file),
- the Excel import of Nabohjælp sign-ups (ImportForm.file).

Photos are decoded and written anew as JPEG under a random name, without their
metadata, and served only through the finding's door; a sheet waits for its
confirmation under a random name and is never served. Each malicious case below
counts once; the figure goes to uploads.txt in the artefacts folder and to the end
of the run. Anti-virus scanning (item 29) is not tested here: clamd has no
signatures without internet access.
"""

import datetime
import importlib
import io
import json
import pkgutil
import re
import shutil
import struct
import subprocess
import time
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils.html import escape
from PIL import Image, PngImagePlugin

from activities.imports import RECORD_IMPORT as RECORD_SHEET
from activities.models import ActivityRecord
from boligsocial import spreadsheets
from boligsocial.models import Area, ExportJob, ImportJob, Organisation
from boligsocial.spreadsheets import ImportForm
from reports.models import ReportRun
from safety.meldinger.forms import ResidentReportForm
from safety.models import (
    Finding,
    FindingCategory,
    FindingPhoto,
    ResidentReport,
    SignUp,
    Walk,
)
from safety.nabohjaelp.imports import SIGNUP_IMPORT as SIGNUP_SHEET
from safety.walks import photos
from safety.walks.forms import FindingForm
from safety.walks.photos import PhotoForm

# Its figures add up over the module: under pytest-xdist it runs in one process.
pytestmark = pytest.mark.xdist_group("uploads")

ROOT = Path(__file__).resolve().parent.parent
APPS = ["boligsocial", "activities", "safety", "advice", "reports"]

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
MAKER_NOTE = 0x927C

NOT_AN_IMAGE = "Filen er ikke et billede (JPEG, PNG eller WebP)."
PHOTO_TOO_LARGE = "Billedet er større end 10 MB."
TOO_MANY_PIXELS = "Billedet har for mange pixels (højst 40 megapixel)."
NOT_A_SHEET = "Filen er ikke et Excel-regneark (.xlsx)."
SHEET_TOO_LARGE = "Filen er større end 5 MB."
SHEET_UNPACKS_TOO_LARGE = (
    "Regnearket fylder over 50 MB, når det pakkes ud. Slet tomme rækker og "
    "kolonner, eller del det op i flere filer."
)
SHEET_TOO_MANY_CELLS = (
    "Regnearket har over 1.000.000 celler. Slet tomme rækker og kolonner, eller del "
    "det op i flere filer."
)
SHEET_TOO_FAR_DOWN = (
    "Regnearket går ned til række 1.048.576, men der læses højst 30.000 rækker. "
    "Slet de tomme rækker under dataene, eller del filen op."
)
SHEET_TOO_LONG = "Filen har mere end 500 rækker. Del den op i flere filer."
# What a refused file may take at most, however it was made.
QUICK_SECONDS = 3


# --- The places that take a file ------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A place that takes a file: its form and field, and what it takes."""

    name: str
    form: type[forms.BaseForm]
    field: str
    kind: str  # "photo" or "sheet"

    def __str__(self) -> str:
        return self.name


PHOTO_ADD = Point("finding-photo", PhotoForm, "photo", "photo")
FINDING_CREATE = Point("new-finding-photo", FindingForm, "photo", "photo")
RESIDENT_REPORT = Point("resident-report-photo", ResidentReportForm, "photo", "photo")
RECORD_IMPORT = Point("record-import", ImportForm, "file", "sheet")
SIGNUP_IMPORT = Point("signup-import", ImportForm, "file", "sheet")
POINTS = [PHOTO_ADD, FINDING_CREATE, RESIDENT_REPORT, RECORD_IMPORT, SIGNUP_IMPORT]
PHOTO_POINTS = [PHOTO_ADD, FINDING_CREATE, RESIDENT_REPORT]
SHEET_POINTS = [RECORD_IMPORT, SIGNUP_IMPORT]

# Files the portal writes itself, never from an upload as it came: the photos
# through photos.add_photo (re-encoded), the report PDFs through reports.pdf, the
# background exports through boligsocial.exports.
SERVER_WRITTEN_FILES = {
    (FindingPhoto, "image"),
    (FindingPhoto, "thumbnail"),
    (ResidentReport, "image"),
    (ResidentReport, "thumbnail"),
    (ReportRun, "pdf"),
    (ExportJob, "file"),
}
# The modules that read request.FILES: the views of the four places, and the form
# kept over a login, which keeps only the names of its files (it says to pick them
# again).
READERS_OF_FILES = {
    "boligsocial/kept_forms.py",
    "safety/walks/photo_views.py",
    "safety/walks/views.py",
    "safety/meldinger/public_views.py",
    "boligsocial/import_steps.py",
}


def _portal_modules():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            name = module.name
            if not re.search(r"\.(tests|migrations|management)(\.|$)|\.wsgi$", name):
                yield importlib.import_module(name)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def file_form_fields() -> set[tuple[type, str]]:
    """(form, field) for every file field a form of the portal declares."""
    list(_portal_modules())
    return {
        (form, name)
        for form in _subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in APPS and ".tests" not in form.__module__
        for name, form_field in form.base_fields.items()
        if isinstance(form_field, forms.FileField)
    }


def test_every_file_the_portal_takes_is_tried_here():
    assert file_form_fields() == {(p.form, p.field) for p in POINTS}
    model_files = {
        (model, f.name)
        for model in _subclasses(models.Model)
        if model.__module__.split(".")[0] in APPS and not model._meta.abstract
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField)
    }
    assert model_files == SERVER_WRITTEN_FILES
    # The admin would offer a model's file field as a plain upload.
    assert not [
        model for model, _ in SERVER_WRITTEN_FILES if model in admin.site._registry
    ]
    readers = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "request.FILES" in path.read_text()
    }
    assert readers == READERS_OF_FILES


# --- The figure -----------------------------------------------------------------------


@dataclass
class Tally:
    cases: list[str] = field(default_factory=list)
    handled: list[str] = field(default_factory=list)
    gps_tags: int = 0

    def line(self) -> str:
        return (
            f"{len(self.handled)} of {len(self.cases)} malicious upload cases "
            f"rejected or neutralised; GPS tags remaining: {self.gps_tags}"
        )


@pytest.fixture(scope="module")
def tally(request):
    counts = Tally()
    yield counts
    if counts.cases:
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(f"\n{counts.line()}")


class Case:
    def __init__(self, tally: Tally, name: str):
        self.tally, self.name = tally, name
        tally.cases.append(name)

    def handled(self) -> None:
        """Called by the test once every check of the case has passed."""
        self.tally.handled.append(self.name)


@pytest.fixture
def malicious(tally, request, artefacts):
    """Counts the test as one malicious upload case, handled if it calls handled()."""
    yield Case(tally, request.node.name)
    (artefacts / "uploads.txt").write_text(tally.line() + "\n")


# --- The world ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The residents' page counts submissions per address in the cache: each test
    starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-05-04 10:00 +0200", tick=False):
        yield


@pytest.fixture
def ssp(db) -> Organisation:
    """Responsible for the findings here; the partner (Fyns Politi) is not."""
    return Organisation.objects.get(name="SSP Odense")


@pytest.fixture
def walk(staff) -> Walk:
    return Walk.objects.create(
        area=Area.objects.get(slug="rising"),
        starts_at=datetime.datetime(2026, 5, 4, 6, 0, tzinfo=datetime.UTC),
        status=Walk.Status.HELD,
        residents=4,
        created_by=staff,
    )


@pytest.fixture
def finding(walk, ssp) -> Finding:
    return Finding.objects.create(
        walk=walk,
        area=walk.area,
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude i opgangen.",
        place="Rising Allé 12",
        responsible=ssp,
    )


@pytest.fixture
def streets(departments):
    departments[0].streets = "Rising Allé"
    departments[0].save(update_fields=["streets"])
    return departments


@pytest.fixture
def world(staff, finding, streets) -> dict:
    return {"finding": finding, "walk": finding.walk}


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def send(client, point: Point, world: dict, files):
    """POST the file (or files) to the place, with what else its form needs."""
    url, data = place(point, world)
    return client.post(url, {**data, point.field: files})


def send_named(client, point: Point, world: dict, name: str, content: bytes):
    """POST one file under a name sent as a browser may send it: RFC 5987-encoded
    (Django's test client would write a quote in it as it is, which ends it)."""
    url, data = place(point, world)
    boundary = "graense"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        f"{value}\r\n".encode()
        for key, value in data.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{point.field}"; '
        f"filename*=UTF-8''{quote(name, safe='')}\r\n"
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def place(point: Point, world: dict) -> tuple[str, dict]:
    """The place's URL, and what its form needs besides the file."""
    if point is PHOTO_ADD:
        url = reverse("safety:finding_photo_add", args=[world["finding"].pk])
        data = {}
    elif point is FINDING_CREATE:
        url = reverse("safety:finding_create", args=[world["walk"].pk])
        finding = world["finding"]
        data = {
            "category": finding.category_id,
            "description": "Væltet skraldespand",
            "place": "Ved legepladsen",
            "severity": "medium",
            "responsible": finding.responsible_id,
            "due_date": "2026-05-18",
            # The responsible organisation may have nobody in the portal here.
            "route_anyway": "on",
        }
    elif point is RESIDENT_REPORT:
        url = reverse("meld:report", args=["rising"])
        data = {
            "category": world["finding"].category_id,
            "description": "Lampen ved nr. 12 lyser ikke",
            "place": "Rising Allé 12",
            "submission": str(uuid.uuid4()),
        }
    elif point is RECORD_IMPORT:
        url, data = reverse("activities:record_import"), {}
    else:
        url, data = reverse("safety:signup_import"), {}
    return url, data


def field_errors(response, point: Point) -> list[str]:
    """The messages shown at the file field of the page that came back."""
    if point is PHOTO_ADD:
        assert response.status_code == 400
        html = response.text
        start = html.index('id="id_finding_photo_error"')
        text = html[html.index(">", start) + 1 : html.index("</div>", start)]
        return [text.strip()]
    assert response.status_code == 200
    errors = response.context["form"].errors.get(point.field, [])
    for message in errors:
        assert message in response.text
    return errors


@dataclass
class Stored:
    """A photo as the place keeps it: its two files, and the addresses (the
    door) it is served from."""

    image: object
    thumbnail: object
    urls: list[str]
    folder: str


def stored_photo(point: Point) -> Stored:
    if point is RESIDENT_REPORT:
        report = ResidentReport.objects.get()
        return Stored(
            report.image,
            report.thumbnail,
            [
                reverse("safety:report_photo", args=[report.pk]),
                reverse("safety:report_photo_thumb", args=[report.pk]),
            ],
            "resident-reports",
        )
    photo = FindingPhoto.objects.get()
    return Stored(
        photo.image,
        photo.thumbnail,
        [
            photo.get_absolute_url(),
            reverse("safety:finding_photo_thumb", args=[photo.finding_id, photo.pk]),
        ],
        f"findings/{photo.finding_id}",
    )


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def assert_nothing_stored(client, media: Path, world: dict) -> None:
    assert stored_files(media) == []
    assert not FindingPhoto.objects.exists()
    assert not ResidentReport.objects.exists()
    assert list(Finding.objects.all()) == [world["finding"]]
    assert not ActivityRecord.objects.exists()
    assert not SignUp.objects.exists()
    assert not ImportJob.objects.waiting().filter(sheet=RECORD_SHEET.url_name)
    assert not ImportJob.objects.waiting().filter(sheet=SIGNUP_SHEET.url_name)


# --- Files, good and bad --------------------------------------------------------------


def image_bytes(fmt: str = "JPEG", size=(300, 200), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, fmt, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    # Signature (8), IHDR length and type (8), then width and height; the chunk's
    # CRC covers its type and data.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
    b'height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>'
)


def png_html_polyglot() -> bytes:
    """A PNG that is also an HTML page: HTML in a text chunk and after the end."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    return image_bytes("PNG", pnginfo=info) + HTML


def sheet(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for line in rows:
        workbook.active.append(line)
    return spreadsheets.workbook_bytes(workbook)


def good_sheet(point: Point, notes=("Lektiecafé",)) -> bytes:
    """A sheet the import takes, one good row per note (a person each)."""
    day = datetime.date(2026, 3, 2)
    if point is RECORD_IMPORT:
        header = ["Dato", "Aktivitet", "Område", "Deltagere", "Note"]
        rows = [[day, "Ungerådgivning", "Rising", 5, note] for note in notes]
    else:
        header = [
            *("Område", "Navn", "Vej", "Husnummer", "Telefon", "Kanal"),
            *("Tilmeldt", "Samtykke givet", "Note"),
        ]
        rows = [
            [
                *("Rising", f"Beboer {n}", "Rising Allé", n, f"20 12 34 5{n}"),
                *("Dørbank", day, day, note),
            ]
            for n, note in enumerate(notes, start=1)
        ]
    return sheet([header, *rows])


def good_file(point: Point, name: str | None = None) -> SimpleUploadedFile:
    if point.kind == "photo":
        return SimpleUploadedFile(name or "IMG_2041.jpg", image_bytes())
    return SimpleUploadedFile(name or "ark.xlsx", good_sheet(point))


def with_sheet_xml(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML changed: change(xml) -> xml."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode()).encode()
            archive.writestr(info.filename, body)
    return out.getvalue()


def padded_to(content: bytes, size: int, *, point: Point) -> bytes:
    """A good file grown to exactly `size` bytes: a JPEG with bytes after its end
    (which Pillow takes), a workbook with one more part, stored uncompressed."""
    if point.kind == "photo":
        return content + b"\0" * (size - len(content))

    def workbook_with(padding: int) -> bytes:
        out = io.BytesIO()
        source = zipfile.ZipFile(io.BytesIO(content))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info in source.infolist():
                archive.writestr(info.filename, source.read(info))
            archive.writestr(
                "docProps/padding.bin", b"\0" * padding, zipfile.ZIP_STORED
            )
        return out.getvalue()

    overhead = len(workbook_with(0))
    data = workbook_with(size - overhead)
    assert len(data) == size
    return data


# --- 24: size and count ---------------------------------------------------------------


def size_limit(point: Point) -> tuple[int, str]:
    if point.kind == "photo":
        return photos.MAX_BYTES, PHOTO_TOO_LARGE
    return spreadsheets.MAX_BYTES, SHEET_TOO_LARGE


@pytest.mark.parametrize("point", POINTS, ids=str)
def test_one_byte_over_the_size_limit_is_refused_at_the_field_and_nothing_is_stored(
    staff_client, world, media, malicious, point
):
    limit, message = size_limit(point)
    upload = good_file(point)
    content = padded_to(upload.read(), limit + 1, point=point)

    response = send(
        staff_client, point, world, SimpleUploadedFile(upload.name, content)
    )

    assert field_errors(response, point) == [message]
    assert_nothing_stored(staff_client, media, world)
    malicious.handled()


@pytest.mark.parametrize("point", POINTS, ids=str)
def test_a_file_of_exactly_the_size_limit_passes_the_size_check(
    staff_client, world, point
):
    limit, message = size_limit(point)
    name = "a.jpg" if point.kind == "photo" else "a.xlsx"

    response = send(staff_client, point, world, SimpleUploadedFile(name, b"x" * limit))

    assert field_errors(response, point) == [
        NOT_AN_IMAGE if point.kind == "photo" else NOT_A_SHEET
    ]


@pytest.mark.parametrize("point", POINTS, ids=str)
def test_101_files_in_one_request_are_refused_and_nothing_is_stored(
    staff_client, world, media, malicious, settings, point
):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    assert count == 101
    files = [good_file(point) for _ in range(count)]

    response = send(staff_client, point, world, files)

    assert response.status_code in (400, 413)
    assert_nothing_stored(staff_client, media, world)
    malicious.handled()


# --- 25: type by content; images re-encoded -------------------------------------------


@pytest.mark.parametrize("point", PHOTO_POINTS, ids=str)
def test_a_png_that_is_also_html_is_stored_only_re_encoded(
    staff_client, world, media, malicious, point
):
    upload = png_html_polyglot()
    assert Image.open(io.BytesIO(upload)).format == "PNG"

    send(staff_client, point, world, SimpleUploadedFile("skilt.png", upload))

    photo = stored_photo(point)
    for stored in (photo.image, photo.thumbnail):
        data = Path(stored.path).read_bytes()
        assert data != upload
        assert Image.open(io.BytesIO(data)).format == "JPEG"
        assert b"<html" not in data.lower()
        assert b"<script" not in data.lower()
    malicious.handled()


@pytest.mark.parametrize("point", SHEET_POINTS, ids=str)
def test_an_html_page_with_a_workbook_behind_it_is_not_a_spreadsheet(
    staff_client, world, media, malicious, point
):
    upload = HTML + good_sheet(point)
    # Python's zipfile reads it all the same.
    assert zipfile.ZipFile(io.BytesIO(upload)).testzip() is None

    response = send(staff_client, point, world, SimpleUploadedFile("ark.xlsx", upload))

    assert field_errors(response, point) == [NOT_A_SHEET]
    assert_nothing_stored(staff_client, media, world)
    malicious.handled()


DISGUISED = {"pdf": PDF, "html": HTML, "svg": SVG}


@pytest.mark.parametrize("what", DISGUISED)
@pytest.mark.parametrize("point", POINTS, ids=str)
def test_a_file_named_as_the_right_type_but_not_it_is_refused_at_the_field(
    staff_client, world, media, malicious, point, what
):
    name = "evil.jpg" if point.kind == "photo" else "evil.xlsx"

    response = send(
        staff_client, point, world, SimpleUploadedFile(name, DISGUISED[what])
    )

    assert field_errors(response, point) == [
        NOT_AN_IMAGE if point.kind == "photo" else NOT_A_SHEET
    ]
    assert_nothing_stored(staff_client, media, world)
    malicious.handled()


@pytest.mark.parametrize("point", POINTS, ids=str)
def test_an_svg_under_its_own_name_is_refused_at_the_field(
    staff_client, world, media, malicious, point
):
    response = send(
        staff_client,
        point,
        world,
        SimpleUploadedFile("kort.svg", SVG, content_type="image/svg+xml"),
    )

    assert field_errors(response, point) == [
        NOT_AN_IMAGE if point.kind == "photo" else NOT_A_SHEET
    ]
    assert_nothing_stored(staff_client, media, world)
    malicious.handled()


@pytest.mark.parametrize("point", PHOTO_POINTS, ids=str)
def test_a_decompression_bomb_is_refused_at_once(
    staff_client, world, media, malicious, point
):
    bomb = png_claiming(30_000, 30_000)
    assert len(bomb) < 100

    started = time.monotonic()
    response = send(staff_client, point, world, SimpleUploadedFile("a.png", bomb))

    assert time.monotonic() - started < QUICK_SECONDS
    assert field_errors(response, point) == [TOO_MANY_PIXELS]
    assert_nothing_stored(staff_client, media, world)
    malicious.handled()


def with_empty_cells(content: bytes, cells: int) -> bytes:
    """One row of that many empty cells: a few kB that unpack to 4 bytes a cell."""
    row = '<row r="3">' + "<c/>" * cells + "</row>"
    return with_sheet_xml(
        content, lambda xml: xml.replace("</sheetData>", row + "</sheetData>")
    )


def says_it_is_a_million_rows_long(content: bytes) -> bytes:
    return with_sheet_xml(
        content,
        lambda xml: re.sub(
            r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml
        ),
    )


def billion_laughs(content: bytes) -> bytes:
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    doctype = f"<!DOCTYPE worksheet [{entities}]>"
    return with_sheet_xml(
        content,
        lambda xml: doctype + xml.replace("Lektiecafé", "&a9;"),
    )


def rows_past_the_limit(point: Point) -> bytes:
    content = good_sheet(point)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    line = [cell.value for cell in workbook.active[2]]
    for _ in range(spreadsheets.MAX_ROWS):
        workbook.active.append(line)
    return spreadsheets.workbook_bytes(workbook)


SHEET_BOMBS = {
    "unpacks-to-51-mb": (
        lambda p: with_empty_cells(good_sheet(p), 13_400_000),
        SHEET_UNPACKS_TOO_LARGE,
    ),
    # 4 MB unpacked, but a million cells to parse: some 20 s.
    "a-million-empty-cells": (
        lambda p: with_empty_cells(good_sheet(p), 1_000_000),
        SHEET_TOO_MANY_CELLS,
    ),
    "a-million-rows-long": (
        lambda p: says_it_is_a_million_rows_long(good_sheet(p)),
        SHEET_TOO_FAR_DOWN,
    ),
    "billion-laughs": (lambda p: billion_laughs(good_sheet(p)), NOT_A_SHEET),
    "501-rows": (rows_past_the_limit, SHEET_TOO_LONG),
}


@pytest.mark.parametrize("bomb", SHEET_BOMBS)
@pytest.mark.parametrize("point", SHEET_POINTS, ids=str)
def test_a_sheet_made_to_take_time_or_memory_is_refused_at_once(
    staff_client, world, media, malicious, point, bomb, monkeypatch
):
    make, message = SHEET_BOMBS[bomb]
    # The limit is 20,000 rows, which take a few seconds to read, as a real
    # sheet that long does: a shorter limit keeps the too-long sheet quick here.
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 500)
    content = make(point)
    assert len(content) < spreadsheets.MAX_BYTES

    started = time.monotonic()
    response = send(staff_client, point, world, SimpleUploadedFile("a.xlsx", content))

    assert time.monotonic() - started < QUICK_SECONDS
    assert field_errors(response, point) == [message]
    assert_nothing_stored(staff_client, media, world)
    malicious.handled()


@pytest.mark.parametrize("point", SHEET_POINTS, ids=str)
def test_a_cell_a_million_rows_down_is_not_read_and_takes_no_time(
    staff_client, world, malicious, point
):
    """No dimension, so openpyxl would make up every row above the far one."""
    far = (
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Langt nede</t></is>'
        "</c></row>"
    )

    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*" ?/>', "", xml)
        return xml.replace("</sheetData>", far + "</sheetData>")

    content = with_sheet_xml(good_sheet(point), change)

    started = time.monotonic()
    response = send(staff_client, point, world, SimpleUploadedFile("a.xlsx", content))

    assert time.monotonic() - started < QUICK_SECONDS
    assert response.status_code == 200
    assert response.context["total"] == 1
    assert "Langt nede" not in response.text
    malicious.handled()


# --- Formulas in a sheet --------------------------------------------------------------

DDE = "=cmd|' /C calc'!A0"
HYPERLINK = 'HYPERLINK("http://evil.example/","Klik")'


def with_formulas(point: Point) -> bytes:
    """Three rows whose notes are: a text that looks like a DDE formula; a real
    formula with the value Excel saved beside it; a real formula without one (as
    openpyxl writes it)."""
    content = good_sheet(point, notes=["TEXT", "CACHED", f"={HYPERLINK}"])

    def change(xml: str) -> str:
        xml = xml.replace("<t>TEXT</t>", f"<t>{DDE}</t>")
        return re.sub(
            r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>CACHED</t></is></c>',
            rf'<c r="\1" t="str"><f>{HYPERLINK}</f><v>Klik</v></c>',
            xml,
        )

    return with_sheet_xml(content, change)


EXPORTS = {
    RECORD_IMPORT: ("activities:record_import_confirm", "activities:record_export"),
    SIGNUP_IMPORT: ("safety:signup_import_confirm", "safety:signup_export"),
}


@pytest.mark.parametrize("point", SHEET_POINTS, ids=str)
def test_formulas_in_a_sheet_are_never_kept_and_go_back_out_as_text(
    staff_client, world, malicious, point
):
    content = with_formulas(point)
    written = openpyxl.load_workbook(io.BytesIO(content)).active
    # The note is the last column; Excel would run all three.
    notes = [row[-1] for row in written.iter_rows(min_row=2, values_only=True)]
    assert notes == [DDE, f"={HYPERLINK}", f"={HYPERLINK}"]
    confirm, export = EXPORTS[point]
    sheet = RECORD_SHEET if point is RECORD_IMPORT else SIGNUP_SHEET

    preview = send(staff_client, point, world, SimpleUploadedFile("a.xlsx", content))
    # A formula Excel saved no value for is refused, never stored empty.
    (refused,) = [r for r in preview.context["results"] if not r.is_valid]
    assert "er en formel, som Excel ikke har gemt en værdi for" in str(refused.errors)
    staff_client.post(
        reverse(confirm),
        # The rows differ only in their notes: the record import takes them for
        # duplicates, to be ticked.
        {
            "token": ImportJob.objects.get(sheet=sheet.url_name).token,
            "include": ["3"],
        },
    )

    model = ActivityRecord if point is RECORD_IMPORT else SignUp
    # Only what Excel saved beside a formula is read, never the formula.
    assert sorted(model.objects.values_list("note", flat=True)) == sorted([DDE, "Klik"])
    csv = staff_client.get(reverse(export, args=["csv"])).content.decode("utf-8-sig")
    assert f",'{DDE}," in csv
    assert f",{DDE}" not in csv
    xlsx = staff_client.get(reverse(export, args=["xlsx"])).content
    cells = [
        cell
        for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows()
        for cell in row
    ]
    assert f"'{DDE}" in [cell.value for cell in cells]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    malicious.handled()


# --- 26: file names -------------------------------------------------------------------

NAMES = ["../../etc/passwd", 'a";']
DISPOSITION = re.compile(
    r'inline; filename="(fund-\d+-billede-\d+|melding-\d+-billede)(-thumb)?\.jpg"'
)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("point", PHOTO_POINTS, ids=str)
def test_a_photos_own_name_never_reaches_the_disk_or_the_download(
    staff_client, world, media, malicious, point, name
):
    send_named(staff_client, point, world, f"{name}.jpg", image_bytes())

    photo = stored_photo(point)
    folder = media / photo.folder
    for stored in (photo.image, photo.thumbnail):
        path = Path(stored.path).resolve()
        assert path.parent == folder.resolve()
        assert re.fullmatch(r"[0-9a-f]{32}\.jpg", path.name)
    assert stored_files(media) == sorted(
        Path(f.path) for f in (photo.image, photo.thumbnail)
    )
    assert not (media / ".." / ".." / "etc" / "passwd.jpg").exists()
    for url in photo.urls:
        response = staff_client.get(url)
        assert DISPOSITION.fullmatch(response["Content-Disposition"])
    malicious.handled()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("point", SHEET_POINTS, ids=str)
def test_a_sheets_own_name_never_reaches_the_disk_and_is_shown_as_text(
    staff_client, world, media, malicious, point, name
):
    response = send_named(staff_client, point, world, f"{name}.xlsx", good_sheet(point))

    assert response.status_code == 200
    (waiting,) = stored_files(media)
    assert waiting.parent == media / "imports"
    assert re.fullmatch(r"[0-9a-f]{32}\.json", waiting.name)
    shown = response.context["name"]
    assert shown in ("passwd.xlsx", 'a";.xlsx')
    assert f"Forhåndsvisning af {escape(shown)}." in response.text
    assert 'a";' not in response.text
    malicious.handled()


# --- 27: served only through the door -------------------------------------------------


@pytest.fixture
def photo_of(staff_client, world):
    def make(point: Point) -> Stored:
        send(staff_client, point, world, good_file(point))
        return stored_photo(point)

    return make


@pytest.mark.parametrize("point", PHOTO_POINTS, ids=str)
def test_a_photo_is_served_through_its_door_as_a_jpeg_never_sniffed_or_kept(
    staff_client, photo_of, point
):
    photo = photo_of(point)

    for url in photo.urls:
        response = staff_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert DISPOSITION.fullmatch(response["Content-Disposition"])
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("point", PHOTO_POINTS, ids=str)
def test_a_partner_not_responsible_for_the_finding_cannot_fetch_its_photo(
    client, photo_of, partner, point
):
    photo = photo_of(point)
    client.logout()
    client.force_login(partner)

    for url in photo.urls:
        assert client.get(url).status_code in (403, 404)


@pytest.mark.parametrize("point", PHOTO_POINTS, ids=str)
def test_the_stored_photo_is_not_reachable_under_media(
    staff_client, photo_of, settings, point
):
    photo = photo_of(point)

    for stored in (photo.image, photo.thumbnail):
        assert (
            staff_client.get(f"/{settings.MEDIA_URL}{stored.name}").status_code == 404
        )


@pytest.mark.parametrize("point", SHEET_POINTS, ids=str)
def test_a_sheet_waiting_for_confirmation_is_not_reachable_under_media(
    staff_client, world, media, settings, point
):
    send(staff_client, point, world, good_file(point))
    (waiting,) = stored_files(media)
    name = waiting.relative_to(media).as_posix()

    assert staff_client.get(f"/{settings.MEDIA_URL}{name}").status_code == 404
    assert waiting.stat().st_mode & 0o077 == 0


# --- 28: no location in a stored photo ------------------------------------------------


def phone_photo(fmt: str) -> bytes:
    """A photo as a phone writes it: where it was taken (GPS IFD), the maker's
    notes, and the place again in XMP."""
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[GPS_IFD] = {1: "N", 2: (55.0, 24.0, 12.0), 3: "E", 4: (10.0, 23.0, 5.0)}
    exif[EXIF_IFD] = {MAKER_NOTE: b"Apple iOS\0\0\1MM" + bytes(range(64))}
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/'
        b'1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com'
        b'/exif/1.0/" exif:GPSLatitude="55,24.2N" exif:GPSLongitude="10,23.08E"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    options = {"exif": exif, "xmp": xmp} if fmt != "PNG" else {"exif": exif}
    return image_bytes(fmt, **options)


def gps_tags(data: bytes, tmp_path: Path) -> list[str]:
    """The location and maker tags in an image, by Pillow and (if installed) by
    exiftool."""
    found = []
    exif = Image.open(io.BytesIO(data)).getexif()
    if exif.get_ifd(GPS_IFD) or GPS_IFD in exif:
        found.append("Pillow: GPS IFD")
    if MAKER_NOTE in exif.get_ifd(EXIF_IFD):
        found.append("Pillow: MakerNote")
    if shutil.which("exiftool"):
        path = tmp_path / "probe"
        path.write_bytes(data)
        result = subprocess.run(
            ["exiftool", "-json", "-a", "-G1", "-u", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        tags = json.loads(result.stdout)[0]
        found += [
            f"exiftool: {tag}"
            for tag in tags
            if re.search(r"GPS|MakerNote|^Apple:", tag)
        ]
    return found


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("point", PHOTO_POINTS, ids=str)
def test_a_stored_photo_and_its_thumbnail_hold_no_location_or_makers_notes(
    staff_client, world, malicious, tally, tmp_path, point, fmt
):
    upload = phone_photo(fmt)
    assert {"Pillow: GPS IFD", "Pillow: MakerNote"} <= set(gps_tags(upload, tmp_path))

    send(staff_client, point, world, SimpleUploadedFile(f"IMG.{fmt.lower()}", upload))

    photo = stored_photo(point)
    remaining = [
        tag
        for stored in (photo.image, photo.thumbnail)
        for tag in gps_tags(Path(stored.path).read_bytes(), tmp_path)
    ]
    tally.gps_tags += len(remaining)
    assert remaining == []
    malicious.handled()


@pytest.mark.skipif(not shutil.which("exiftool"), reason="exiftool is not installed")
def test_exiftool_sees_the_location_in_the_phones_photo(tmp_path):
    """The probe can fail: it finds what it looks for where it is."""
    tags = gps_tags(phone_photo("JPEG"), tmp_path)

    assert "exiftool: GPS:GPSLatitude" in tags
