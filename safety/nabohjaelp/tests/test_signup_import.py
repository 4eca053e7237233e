"""Import of an existing sign-up list from Excel: preview, then the valid rows."""

import dataclasses
import datetime
from io import BytesIO

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boligsocial import spreadsheets
from boligsocial.models import ImportJob
from safety.conftest import make_signup
from safety.models import ConsentText, SignUp
from safety.nabohjaelp.imports import SIGNUP_IMPORT

HEADERS = [
    "Område",
    "Afdelingsnummer",
    "Navn",
    "Vej",
    "Husnummer",
    "Etage/dør",
    "Telefon",
    "E-mail",
    "Kanal",
    "Tilmeldt",
    "Samtykke givet",
    "Ambassadør",
    "Note",
]
IMPORT = reverse("safety:signup_import")
CONFIRM = reverse("safety:signup_import_confirm")
CANCEL = reverse("safety:signup_import_cancel")
TEMPLATE = reverse("safety:signup_import_template")


@pytest.fixture(autouse=True)
def media(settings, tmp_path, frozen_today):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def row(**cells) -> dict:
    """A good row: Amira Hansen on Rising Allé (Rising Øst); cells override it."""
    return {
        "Område": "Rising",
        "Navn": "Amira Hansen",
        "Vej": "Rising Allé",
        "Husnummer": 12,
        "Etage/dør": "2. tv",
        "Telefon": "20 12 34 56",
        "Kanal": "Dørbank",
        "Tilmeldt": datetime.date(2026, 3, 2),
        "Samtykke givet": datetime.date(2026, 3, 2),
        **cells,
    }


def sheet(*rows: dict, headers=None) -> bytes:
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for r in rows:
        workbook.active.append([r.get(header) for header in headers])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "tilmeldinger.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def confirm(client, token=None):
    token = token or ImportJob.objects.waiting().get(sheet=SIGNUP_IMPORT.url_name).token
    return client.post(CONFIRM, {"token": token})


def stored(media) -> list:
    return list((media / "imports").glob("*.json"))


def errors_of(response, number: int) -> str:
    result = next(r for r in response.context["results"] if r.number == number)
    return " ".join(f"{label}: {message}" for label, message in result.errors)


def duplicate_of(response, number: int) -> str:
    return next(r for r in response.context["results"] if r.number == number).duplicate


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The happy path -------------------------------------------------------------------


def test_a_valid_sheet_is_previewed_and_saves_nothing_yet(client, staff, streets):
    client.force_login(staff)
    response = upload(client, sheet(row(), row(Navn="Bo Jensen", Husnummer=14)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 rækker: 2 gyldige, 0 med fejl" in html
    assert "Importér de 2 gyldige rækker" in html
    assert "Rising Allé 12, 2. tv" in html
    assert SignUp.objects.count() == 0
    assert (
        ImportJob.objects.waiting().get(sheet=SIGNUP_IMPORT.url_name).name
        == "tilmeldinger.xlsx"
    )


def test_confirming_imports_every_row_with_the_consent_it_was_given(
    client, staff, streets, media
):
    east, west, _ = streets
    client.force_login(staff)
    content = sheet(
        row(),
        row(
            Område="rising",
            Afdelingsnummer=12,
            Navn="Bo Jensen",
            Vej="vestergade",
            Husnummer="3B",
            **{"Etage/dør": None},
            Telefon=None,
            **{"E-mail": "bo@example.org"},
            Kanal="Arrangement eller møde",
            Tilmeldt="01.04.2026",
            **{"Samtykke givet": "2026-03-31"},
            Ambassadør="Ja",
            Note="Vil dele foldere ud",
        ),
    )
    upload(client, content)
    response = confirm(client)
    assert response.status_code == 302
    assert response.url == reverse("safety:signup_list")
    assert "2 tilmeldinger er importeret." in said(response)
    amira, bo = SignUp.objects.order_by("name")
    assert (amira.area, amira.department, amira.street, amira.number) == (
        east.area,
        east,
        "Rising Allé",
        "12",
    )
    assert (str(amira.phone), amira.channel, amira.is_ambassador) == (
        "+45 20 12 34 56",
        SignUp.Channel.DOOR,
        False,
    )
    assert (bo.department, bo.street, bo.number, bo.floor_door) == (
        west,
        "vestergade",
        "3B",
        "",
    )
    assert (bo.email, bo.phone, bo.channel) == (
        "bo@example.org",
        "",
        SignUp.Channel.EVENT,
    )
    assert (bo.signed_up_on, bo.is_ambassador, bo.note) == (
        datetime.date(2026, 4, 1),
        True,
        "Vil dele foldere ud",
    )
    for signup in (amira, bo):
        assert signup.status == SignUp.Status.ACTIVE
        assert signup.consent_text == ConsentText.current()
        assert signup.created_by == staff
    noon = datetime.time(12, 0)
    assert timezone.localtime(amira.consented_at).date() == datetime.date(2026, 3, 2)
    assert timezone.localtime(amira.consented_at).time() == noon
    assert timezone.localtime(bo.consented_at).date() == datetime.date(2026, 3, 31)
    assert not ImportJob.objects.waiting().filter(sheet=SIGNUP_IMPORT.url_name)
    assert stored(media) == []


@pytest.mark.parametrize("role", ["safety_advisor", "coordinator"])
def test_tryghedsraadgivere_and_coordinators_import_too(
    client, personas, streets, role
):
    client.force_login(personas[role])
    upload(client, sheet(row()))
    confirm(client)
    assert SignUp.objects.get().created_by == personas[role]


def test_a_second_confirmation_imports_nothing_more(client, staff, streets):
    client.force_login(staff)
    upload(client, sheet(row()))
    token = ImportJob.objects.waiting().get(sheet=SIGNUP_IMPORT.url_name).token
    confirm(client, token)
    response = confirm(client, token)
    assert response.url == IMPORT
    assert SignUp.objects.count() == 1


# --- Bad rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,message",
    [
        ({"Telefon": "12"}, "Telefon: Skriv et gyldigt telefonnummer, fx 20 12 34 56."),
        (
            {"Telefon": None},
            "Telefon: Skriv et telefonnummer eller en e-mailadresse.",
        ),
        (
            {"E-mail": "bo@"},
            "E-mail: Skriv en gyldig e-mailadresse, fx navn@mail.dk.",
        ),
        (
            {"Vej": "Nordvej"},
            "Vej: Adressen ligger ikke i en boligafdeling i Rising. Tjek vejnavnet, "
            "eller vælg afdelingen.",
        ),
        (
            {"Afdelingsnummer": 12},
            "Vej: Vejen hører ikke til Rising Vest (afd. 12).",
        ),
        (
            {"Afdelingsnummer": 99},
            "Afdelingsnummer: Afdeling 99 findes ikke i Rising.",
        ),
        ({"Område": "Atlantis"}, "Område: Området Atlantis findes ikke."),
        (
            {"Samtykke givet": None},
            "Samtykke givet: Skriv datoen, hvor beboeren gav samtykke. Uden "
            "samtykke kan tilmeldingen ikke importeres.",
        ),
        (
            {"Samtykke givet": "i går"},
            "Samtykke givet: Skriv datoen som fx 02.03.2026.",
        ),
        (
            {"Samtykke givet": "05.05.2026"},
            "Samtykke givet: Datoen ligger i fremtiden.",
        ),
        ({"Tilmeldt": "05.05.2026"}, "Tilmeldt: Datoen ligger i fremtiden."),
        ({"Tilmeldt": None}, "Tilmeldt: Dette felt er påkrævet."),
        (
            {"Kanal": "Tilmeldingssiden"},
            "Kanal: Kanalen Tilmeldingssiden kan ikke importeres. Skriv en af: "
            "Dørbank, Arrangement eller møde, Andet.",
        ),
        ({"Ambassadør": "måske"}, "Ambassadør: Skriv ja eller nej."),
        ({"Navn": None}, "Navn: Dette felt er påkrævet."),
    ],
)
def test_a_bad_row_is_reported_by_column_and_nothing_is_saved(
    client, staff, streets, cells, message
):
    client.force_login(staff)
    content = sheet(
        row(Navn="Bo Jensen"), row(**cells), row(Navn="Carla Nielsen", Husnummer=1)
    )
    response = upload(client, content)
    assert response.status_code == 200
    assert message in errors_of(response, 3)
    assert errors_of(response, 2) == errors_of(response, 4) == ""
    html = response.content.decode().replace("&#x27;", "'")
    assert "3 rækker: 2 gyldige, 1 med fejl" in html
    assert message.split(": ", 1)[1] in html
    assert SignUp.objects.count() == 0


def test_a_person_already_signed_up_at_the_address_is_not_imported_unless_ticked(
    client, staff, streets
):
    make_signup(streets[0], name="Amira Hansen", street="Rising Allé")
    client.force_login(staff)
    response = upload(client, sheet(row(Navn="amira hansen", Vej="RISING Allé")))
    assert errors_of(response, 2) == ""
    assert duplicate_of(response, 2) == (
        "Amira Hansen er allerede tilmeldt på Rising Allé 12, 2. tv "
        "(tilmeldt 04.05.2026)."
    )
    assert "Importér alligevel" in response.content.decode()
    confirm(client)
    assert SignUp.objects.count() == 1


def test_a_duplicate_ticked_by_the_person_is_imported(client, staff, streets):
    make_signup(streets[0], name="Amira Hansen", street="Rising Allé")
    client.force_login(staff)
    upload(client, sheet(row(Navn="Amira Hansen")))
    token = ImportJob.objects.waiting().get(sheet=SIGNUP_IMPORT.url_name).token
    client.post(CONFIRM, {"token": token, "include": ["2"]})
    assert SignUp.objects.filter(name="Amira Hansen").count() == 2


def test_a_person_twice_in_the_sheet_is_imported_once(client, staff, streets):
    client.force_login(staff)
    response = upload(
        client, sheet(row(), row(Navn="Bo Jensen"), row(Vej="rising allé"))
    )
    assert errors_of(response, 2) == errors_of(response, 3) == ""
    assert duplicate_of(response, 4) == "Samme som række 2."
    confirm(client)
    assert sorted(SignUp.objects.values_list("name", flat=True)) == [
        "Amira Hansen",
        "Bo Jensen",
    ]


def test_confirming_imports_only_the_valid_rows(client, staff, streets):
    client.force_login(staff)
    upload(client, sheet(row(), row(Navn="Bo Jensen", Telefon="12")))
    response = confirm(client)
    assert response.url == reverse("safety:signup_list")
    assert "1 tilmelding er importeret." in said(response)
    assert list(SignUp.objects.values_list("name", flat=True)) == ["Amira Hansen"]


def test_a_sign_up_made_since_the_preview_stops_the_import(
    client, staff, streets, media
):
    client.force_login(staff)
    upload(client, sheet(row(), row(Navn="Bo Jensen")))
    make_signup(streets[0], name="Bo Jensen", street="Rising Allé")
    response = confirm(client)
    assert response.status_code == 200
    assert "Rækkerne er ændret siden forhåndsvisningen." in said(response)[0]
    assert "allerede tilmeldt" in duplicate_of(response, 3)
    assert SignUp.objects.count() == 1
    assert len(stored(media)) == 1
    confirm(client)
    assert SignUp.objects.count() == 2


def test_cancelling_imports_nothing_and_deletes_the_stored_file(
    client, staff, streets, media
):
    client.force_login(staff)
    upload(client, sheet(row()))
    token = ImportJob.objects.waiting().get(sheet=SIGNUP_IMPORT.url_name).token
    response = client.post(CANCEL, {"token": token})
    assert response.url == IMPORT
    assert "Importen er annulleret. Intet er gemt." in said(response)
    assert stored(media) == []
    assert not ImportJob.objects.waiting().filter(sheet=SIGNUP_IMPORT.url_name)
    assert confirm(client, token).url == IMPORT
    assert SignUp.objects.count() == 0


def test_an_activity_import_waiting_is_not_touched_by_a_sign_up_import(
    client, staff, streets, media
):
    client.force_login(staff)
    records = ImportJob.objects.create(
        requested_by=staff, sheet="activities:record_import", token="a" * 32, name="a"
    )
    upload(client, sheet(row()))
    signups = ImportJob.objects.get(sheet=SIGNUP_IMPORT.url_name)
    client.post(CANCEL, {"token": signups.token})
    assert list(ImportJob.objects.all()) == [records]


# --- Bad files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content",
    [
        ("x.xlsx", b"hello"),
        ("tilmeldinger.csv", b"Navn;Vej\nAmira Hansen;Rising Alle\n"),
        ("tilmeldinger.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_at_the_field(
    client, staff, media, name, content
):
    client.force_login(staff)
    response = upload(client, content, name)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["Filen er ikke et Excel-regneark (.xlsx)."]
    }
    assert "Filen er ikke et Excel-regneark (.xlsx)." in response.content.decode()
    assert not (media / "imports").exists()


def test_missing_and_unknown_columns_are_asked_about(client, staff):
    client.force_login(staff)
    headers = [h for h in HEADERS if h != "Samtykke givet"] + ["Mobil", "Hobby"]
    response = upload(client, sheet(row(), headers=headers))
    form = response.context["columns_form"]
    assert "fill_consent" in form.fields
    chosen = {header: field.value() for header, field in form.rows()}
    # "Mobil" means the phone, but "Telefon" holds it already; "Hobby" is unknown.
    assert chosen["Telefon"] == "phone"
    assert chosen["Mobil"] == chosen["Hobby"] == ""


def test_a_sheet_over_the_row_limit_is_refused_at_the_field(client, staff, monkeypatch):
    # The limit is 20,000 rows: a smaller one here keeps the test quick.
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 50)
    client.force_login(staff)
    response = upload(client, sheet(*[row()] * 51))
    assert response.context["form"].errors["file"] == [
        "Filen har mere end 50 rækker. Del den op i flere filer."
    ]


# --- The template ---------------------------------------------------------------------


def test_the_template_lists_the_departments_and_imports_as_it_is(
    client, staff, streets
):
    client.force_login(staff)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert "nabohjaelp-tilmeldinger-skabelon.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    signups, guide, channels = workbook.worksheets
    assert [cell.value for cell in signups[1]] == HEADERS
    assert signups.max_row == 2
    lines = list(guide.iter_rows(min_row=2, values_only=True))
    assert ("Rising", "11", "Rising Øst", "Rising Allé, Østergade") in lines
    assert ("Vollsmose", "21", "Vollsmose Nord", "Nordvej") in lines
    assert [line[0] for line in channels.iter_rows(values_only=True)] == [
        "Kanal",
        "Dørbank",
        "Arrangement eller møde",
        "Andet",
    ]
    # The example row is valid as it stands.
    preview = upload(client, response.content)
    assert "1 række: 1 gyldige, 0 med fejl" in preview.content.decode()


# --- Access ---------------------------------------------------------------------------

VIEWS = [
    ("get", IMPORT),
    ("post", IMPORT),
    ("post", CONFIRM),
    ("post", CANCEL),
    ("get", TEMPLATE),
]


@pytest.mark.parametrize("role", ["advisor", "partner", "admin"])
@pytest.mark.parametrize("method,url", VIEWS)
def test_other_roles_may_not_import_sign_ups(client, personas, role, method, url):
    client.force_login(personas[role])
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("method,url", VIEWS)
def test_an_anonymous_visitor_is_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "method,url",
    [("get", CONFIRM), ("get", CANCEL), ("post", TEMPLATE), ("put", IMPORT)],
)
def test_the_import_views_refuse_the_wrong_method(client, staff, method, url):
    client.force_login(staff)
    assert getattr(client, method)(url).status_code == 405


def test_another_persons_upload_cannot_be_confirmed(
    client, staff, coordinator, streets, media
):
    client.force_login(staff)
    upload(client, sheet(row()))
    token = ImportJob.objects.waiting().get(sheet=SIGNUP_IMPORT.url_name).token
    client.force_login(coordinator)
    upload(client, sheet(row(Navn="Bo Jensen")))
    assert confirm(client, token).url == IMPORT
    client.post(CANCEL, {"token": token})
    assert ImportJob.objects.filter(token=token, requested_by=staff).exists()
    assert SignUp.objects.count() == 0
    assert token in [path.stem for path in stored(media)]


def test_the_upload_page_costs_the_same_queries_every_time(
    client, staff, django_assert_num_queries
):
    client.force_login(staff)
    client.get(IMPORT)
    with django_assert_num_queries(7):
        response = client.get(IMPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert TEMPLATE in html


# --- Big sheets ----------------------------------------------------------------------


def read(content: bytes) -> list[spreadsheets.SheetRow]:
    columns = SIGNUP_IMPORT.columns()
    workbook = spreadsheets.read_workbook(BytesIO(content))
    reading = spreadsheets.read_columns(workbook, columns)
    return spreadsheets.sheet_rows(workbook, reading, columns)[0]


def test_checking_and_saving_sign_ups_take_the_same_queries_every_chunk(staff, streets):
    """The import checks a thousand rows at a time; a chunk of a hundred here
    keeps the test quick and counts the same."""
    make_signup(streets[0], name="Beboer 7", street="Rising Allé")
    columns = SIGNUP_IMPORT.columns()
    chunked = dataclasses.replace(SIGNUP_IMPORT, chunk_rows=100)

    def queries(count: int) -> tuple[int, int]:
        SignUp.objects.exclude(name="Beboer 7").delete()
        rows = read(sheet(*[row(Navn=f"Beboer {n}") for n in range(count)]))
        with CaptureQueriesContext(connection) as checking:
            results = spreadsheets.check_rows(chunked, rows, staff, columns, keep=True)
        # The one already signed up is found, and waits for a tick.
        assert [r.number for r in results if r.duplicate] == [9]
        assert all(r.is_valid for r in results)
        with CaptureQueriesContext(connection) as saving:
            saved = spreadsheets.import_rows(results, save=SIGNUP_IMPORT.save)
        assert saved == count - 1
        return len(checking), len(saving)

    small, chunk, two_chunks = queries(10), queries(100), queries(200)
    assert small[0] == chunk[0] and two_chunks[0] == 2 * chunk[0]
    assert small[1] == chunk[1] == two_chunks[1]


@pytest.mark.parametrize("written", ["Søren Østergaard", "søren østergaard"])
def test_a_person_with_letters_beyond_a_to_z_is_found_already_signed_up(
    client, staff, streets, written
):
    make_signup(streets[0], name="Søren Østergaard", street="Rising Allé")
    client.force_login(staff)
    response = upload(client, sheet(row(Navn=written)))
    (result,) = response.context["results"]
    assert "Søren Østergaard er allerede tilmeldt" in result.duplicate
