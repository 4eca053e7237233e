"""A Nabohjælp list as a housing organisation really keeps it: one "Adresse"
column, "Samtykke: ja", their own headers, no channel column, an area under the
name residents use, injection strings and invisible characters in names."""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from boligsocial.models import ImportJob
from safety.models import SignUp
from safety.nabohjaelp.imports import SIGNUP_IMPORT

IMPORT = reverse("safety:signup_import")
COLUMNS = reverse("safety:signup_import_columns")
CONFIRM = reverse("safety:signup_import_confirm")
RLO = "\u202e"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, frozen_today):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def workbook(*lines) -> bytes:
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(list(line))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes):
    return client.post(IMPORT, {"file": SimpleUploadedFile("liste.xlsx", content)})


def token(client) -> str:
    return ImportJob.objects.waiting().get(sheet=SIGNUP_IMPORT.url_name).token


def their_list() -> bytes:
    return workbook(
        ["Navn", "Adresse", "Boligområde", "Tlf", "Tilmeldingsdato", "Samtykke"],
        [
            "Amira Hansen",
            "Rising Allé 12, 2. tv",
            "Rising",
            "20123456",
            "02-03-2026",
            "ja",
        ],
        [f"Bo {RLO}Jensen", "Vestergade 4", "Rising", "20 11 22 33", "3/3/2026", "x"],
        ["@Hansen+1", "Østergade 7 st.", "Rising", "20112234", "04.03.2026", "Ja"],
        ["Carl Berg", "Nordvej", "Vollsmose", "20112235", "04.03.2026", "ja"],
        ["Dina Holm", "Rising Allé 14", "Rising", "20112236", "04.03.2026", "nej"],
    )


def test_a_list_with_one_address_column_and_consent_yes_is_imported(
    client, staff, streets
):
    client.force_login(staff)
    response = upload(client, their_list())
    # No column says how they signed up: asked once, for all rows.
    form = response.context["columns_form"]
    assert list(name for name in form.fields if not name.startswith("column_")) == [
        "fill_channel"
    ]
    chosen = {header: field.value() for header, field in form.rows()}
    assert chosen == {
        "Navn": "name",
        "Adresse": "address",
        "Boligområde": "area",
        "Tlf": "phone",
        "Tilmeldingsdato": "signed_up_on",
        "Samtykke": "consent",
    }
    response = client.post(
        COLUMNS,
        {
            "token": token(client),
            **{f"column_{i}": v for i, v in enumerate(chosen.values())},
            "fill_channel": "dørbank",
        },
    )
    results = {r.number: r for r in response.context["results"]}
    assert "Adresse: Rising Allé 12, 2. tv → Vej Rising Allé, Husnummer 12, " in (
        " ".join(results[2].notes)
    )
    assert (
        "Samtykke givet: ja → givet 02.03.2026, da beboeren blev tilmeldt"
        in results[2].notes
    )
    assert results[5].errors == [
        ("Adresse", "Adressen Nordvej har intet husnummer."),
    ]
    assert any("Samtykke givet" in label for label, _m in results[6].errors)
    assert results[4].errors == []
    assert [n for n, r in results.items() if r.is_valid] == [2, 3, 4]

    client.post(CONFIRM, {"token": token(client)})
    signups = {s.name: s for s in SignUp.objects.all()}
    assert set(signups) == {"Amira Hansen", "Bo Jensen", "@Hansen+1"}
    amira = signups["Amira Hansen"]
    assert (amira.street, amira.number, amira.floor_door) == (
        "Rising Allé",
        "12",
        "2. tv",
    )
    assert amira.channel == "door"
    assert amira.consented_at.date() == datetime.date(2026, 3, 2)
    assert signups["Bo Jensen"].signed_up_on == datetime.date(2026, 3, 3)
    assert signups["@Hansen+1"].floor_door == "st."
    assert signups["Bo Jensen"].department.name == "Rising Vest"


def test_the_same_list_again_is_recognised_and_adds_no_one(client, staff, streets):
    content = workbook(
        ["Navn", "Vej", "Husnr", "Område", "Kanal", "Dato", "Samtykke", "Mobil"],
        [
            "Amira Hansen",
            "Rising Allé",
            12,
            "Rising",
            "Dørbank",
            "02.03.2026",
            "ja",
            "20123456",
        ],
    )
    client.force_login(staff)
    upload(client, content)
    client.post(CONFIRM, {"token": token(client)})
    response = upload(client, content)
    assert "Denne fil er importeret før" in response.content.decode()
    (row,) = response.context["results"]
    assert row.errors == []
    assert "allerede tilmeldt" in row.duplicate
    client.post(CONFIRM, {"token": token(client)})
    assert SignUp.objects.count() == 1
