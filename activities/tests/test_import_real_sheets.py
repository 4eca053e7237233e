"""Record sheets as staff really keep them: their own headers, a title above,
dates and counts written their way, a total row, duplicates, typos in the count.
The sheets are written with openpyxl the way a person would, not from our template."""

import datetime
from io import BytesIO

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.imports import RECORD_IMPORT
from activities.models import ActivityRecord
from boligsocial.models import ColumnMapping, ImportedSheet, ImportJob
from boligsocial.spreadsheets import headers_key

COUNSELLING = "Ungerådgivning"  # Rising among its areas
WALKS = "Tryghedsvandringer"  # Korsløkkeparken only
PAGE = reverse("activities:record_import")
COLUMNS = reverse("activities:record_import_columns")
CONFIRM = reverse("activities:record_import_confirm")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-05-04 10:00 +0200", tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def workbook(*lines, title: str | None = None) -> bytes:
    """A sheet as typed: optionally a merged title row and a blank row above."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells("A1:F1")
        sheet.append([])
    for line in lines:
        sheet.append(list(line))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes, name: str = "ungeraadgivning 2026.xlsx"):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, content)})


def token(client) -> str:
    return ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token


def confirm(client, **data):
    return client.post(CONFIRM, {"token": token(client), **data})


def place(client, *fields: str, **more):
    """Post the columns page: the fields of the columns in order ("" ignores)."""
    columns = {f"column_{index}": field for index, field in enumerate(fields)}
    return client.post(COLUMNS, {"token": token(client), **columns, **more})


def result(response, number: int):
    return next(r for r in response.context["results"] if r.number == number)


# --- A sheet of their own -------------------------------------------------------------

THEIR_HEADERS = [
    "Dag",
    "Aktivitet",
    "Boligområde",
    "Deltagere i alt",
    "Heraf nye",
    "Kvinder",
    "Mænd",
    "Bemærkning",
]


def test_a_sheet_with_their_own_headers_a_title_and_a_total_row_imports(client, staff):
    content = workbook(
        THEIR_HEADERS,
        ["15-01-2026", COUNSELLING, "Rising", "10", "3", 6, 3, "Lektiecafé"],
        ["22.01.2026", COUNSELLING, "rising", "8,0", " 2 ", 4, 4, ""],
        ["I alt", None, None, 18, 5, 10, 7, None],
        title="Ungerådgivning, registreringer januar 2026",
    )
    client.force_login(staff)
    response = upload(client, content)

    assert response.status_code == 200
    assert "columns_form" not in response.context
    html = response.content.decode()
    assert "2 rækker: 2 gyldige, 0 med fejl" in html
    assert "Række 1 over overskrifterne er sprunget over." in html
    assert "Række 6: Rækken er en sumrække (»I alt«) og springes over." in html
    first = result(response, 4)
    assert "Dato: 15-01-2026 → 15.01.2026" in first.notes
    assert "Tilbagevendende udregnet: 10 − 3 = 7" in first.notes
    assert "Andet/uoplyst køn udregnet: 10 − 6 − 3 = 1" in first.notes
    assert "Deltagere: 8,0 → 8" in result(response, 5).notes
    assert "15-01-2026 → 15.01.2026" in html

    confirm(client)
    first, second = ActivityRecord.objects.order_by("date")
    assert (first.date, first.participants, first.participants_new) == (
        datetime.date(2026, 1, 15),
        10,
        3,
    )
    assert (first.participants_returning, first.women, first.men) == (7, 6, 3)
    assert (first.gender_other, first.note) == (1, "Lektiecafé")
    assert (second.participants, second.participants_new, second.men) == (8, 2, 4)
    assert second.participants_returning == 6


def serial(day: datetime.date) -> int:
    return (day - datetime.date(1899, 12, 30)).days


@pytest.mark.parametrize(
    "written",
    [
        "15-01-2026",
        "15.01.2026",
        "15/1/2026",
        "2026-01-15",
        "15. januar 2026",
        "15 jan 2026",
        serial(datetime.date(2026, 1, 15)),
        datetime.datetime(2026, 1, 15),
    ],
    ids=str,
)
def test_a_date_is_read_however_it_is_written(client, staff, written):
    client.force_login(staff)
    upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Område", "Deltagere"],
            [written, COUNSELLING, "Rising", 4],
        ),
    )
    confirm(client)
    assert ActivityRecord.objects.get().date == datetime.date(2026, 1, 15)


def test_slash_dates_that_read_both_ways_are_asked_about_once(client, staff):
    client.force_login(staff)
    response = upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Område", "Deltagere"],
            ["04/03/2026", COUNSELLING, "Rising", 4],
            ["02/01/2026", COUNSELLING, "Rising", 5],
        ),
    )
    form = response.context["columns_form"]
    assert list(form.fields) == [
        "column_0",
        "column_1",
        "column_2",
        "column_3",
        "order_date",
    ]
    fields = {f"column_{i}": f.value() for i, (_h, f) in enumerate(form.rows())}
    response = client.post(COLUMNS, {"token": token(client), **fields})
    assert response.status_code == 400
    assert response.context["columns_form"].errors["order_date"]

    client.post(COLUMNS, {"token": token(client), **fields, "order_date": "mdy"})
    confirm(client)
    assert sorted(ActivityRecord.objects.values_list("date", flat=True)) == [
        datetime.date(2026, 2, 1),
        datetime.date(2026, 4, 3),
    ]


def test_one_date_that_reads_only_one_way_settles_the_column(client, staff):
    client.force_login(staff)
    response = upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Område", "Deltagere"],
            ["04/03/2026", COUNSELLING, "Rising", 4],
            ["13/03/2026", COUNSELLING, "Rising", 5],
        ),
    )
    assert "columns_form" not in response.context
    confirm(client)
    assert sorted(ActivityRecord.objects.values_list("date", flat=True)) == [
        datetime.date(2026, 3, 4),
        datetime.date(2026, 3, 13),
    ]


# --- Columns the portal does not know -------------------------------------------------


def test_an_unknown_column_placed_by_the_person_is_remembered_for_the_next_sheet(
    client, staff, coordinator
):
    headers = ["Dato", "Aktivitet", "Område", "Fremmødte", "Vejret"]
    client.force_login(staff)
    response = upload(
        client, workbook(headers, ["02.03.2026", COUNSELLING, "Rising", 6, "Regn"])
    )
    assert "Kolonnerne mangler" not in response.content.decode()
    form = response.context["columns_form"]
    assert [header for header, _f in form.rows()] == headers
    assert "Fx: Regn" in response.content.decode()
    response = place(client, "date", "activity", "area", "participants", "")
    assert "1 række: 1 gyldige, 0 med fejl" in response.content.decode()
    confirm(client)
    assert ActivityRecord.objects.get().participants == 6
    mapping = ColumnMapping.objects.get()
    assert mapping.columns["3"] == "participants"
    assert mapping.changed_by == staff

    # A colleague's next sheet with the same headers goes straight to its rows.
    client.force_login(coordinator)
    response = upload(
        client, workbook(headers, ["03.03.2026", COUNSELLING, "Rising", 9, "Sol"])
    )
    assert "columns_form" not in response.context
    confirm(client)
    assert ActivityRecord.objects.filter(participants=9).exists()


def test_two_columns_chosen_for_one_field_are_refused_next_to_the_second(client, staff):
    client.force_login(staff)
    upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Område", "Fremmødte", "Antal"],
            ["02.03.2026", COUNSELLING, "Rising", 6, 6],
        ),
    )
    response = place(client, "date", "activity", "area", "participants", "participants")
    assert response.status_code == 400
    form = response.context["columns_form"]
    assert form.errors == {
        "column_4": ["Kolonnen Fremmødte er allerede valgt til det."]
    }
    assert form["column_3"].value() == "participants"
    assert not ColumnMapping.objects.exists()


def test_a_missing_column_takes_one_value_for_every_row(client, staff):
    client.force_login(staff)
    response = upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Deltagere"],
            ["02.03.2026", COUNSELLING, 6],
            ["03.03.2026", COUNSELLING, 7],
        ),
    )
    form = response.context["columns_form"]
    assert "fill_area" in form.fields
    place(client, "date", "activity", "participants", fill_area="Rising")
    confirm(client)
    assert set(ActivityRecord.objects.values_list("area__name", flat=True)) == {
        "Rising"
    }


def test_the_columns_step_answers_only_the_token_of_the_sheet_uploaded(client, staff):
    client.force_login(staff)
    upload(client, workbook(["Dato", "Fremmødte"], ["02.03.2026", 4]))
    response = client.post(COLUMNS, {"token": "0" * 32})
    assert response.url == PAGE
    assert ImportJob.objects.get().status == ImportJob.Status.COLUMNS


def test_the_columns_step_with_nothing_waiting_says_so(client, staff):
    client.force_login(staff)
    response = client.post(COLUMNS, {"token": "0" * 32})
    assert response.url == PAGE


# --- Names under other names ----------------------------------------------------------


def test_an_area_is_found_under_the_name_staff_use(client, staff):
    client.force_login(staff)
    response = upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Område", "Deltagere"],
            ["02.03.2026", WALKS, "Korsløkken", 6],
        ),
    )
    assert "Område: Korsløkken → Korsløkkeparken" in result(response, 2).notes
    confirm(client)
    assert ActivityRecord.objects.get().area.name == "Korsløkkeparken"


# --- Duplicates and sanity ------------------------------------------------------------


def test_the_same_row_twice_is_marked_and_imported_once(client, staff):
    line = ["02.03.2026", COUNSELLING, "Rising", 6]
    client.force_login(staff)
    response = upload(
        client, workbook(["Dato", "Aktivitet", "Område", "Deltagere"], line, line)
    )
    assert result(response, 3).duplicate == "Samme som række 2."
    assert "Importér alligevel" in response.content.decode()
    confirm(client)
    assert ActivityRecord.objects.count() == 1


def test_a_sheet_uploaded_again_is_recognised_and_its_rows_are_duplicates(
    client, staff
):
    content = workbook(
        ["Dato", "Aktivitet", "Område", "Deltagere"],
        ["02.03.2026", COUNSELLING, "Rising", 6],
        ["03.03.2026", COUNSELLING, "Rising", 7],
    )
    client.force_login(staff)
    upload(client, content)
    confirm(client)
    assert ImportedSheet.objects.get().rows == 2

    response = upload(client, content)
    html = response.content.decode()
    assert "Denne fil er importeret før" in html
    assert all("findes allerede" in r.duplicate for r in response.context["results"])
    confirm(client)
    assert ActivityRecord.objects.count() == 2

    # A row the person ticks comes in anyway (two groups met the same day).
    upload(client, content)
    confirm(client, include=["3"])
    assert ActivityRecord.objects.count() == 3


@pytest.mark.parametrize(
    "count,limit,message",
    [
        (1_000_000_000_000, 2000, "Højst 2.000 i én registrering."),
        (51, 50, "Højst 50 i én registrering."),
    ],
)
def test_a_count_above_the_maximum_is_refused_naming_it(
    client, staff, settings, count, limit, message
):
    settings.RECORD_MAX_PARTICIPANTS = limit
    client.force_login(staff)
    response = upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Område", "Deltagere"],
            ["02.03.2026", COUNSELLING, "Rising", count],
        ),
    )
    (errors,) = [r.errors for r in response.context["results"]]
    assert any(m.startswith(message) for label, m in errors if label == "Deltagere")
    assert confirm(client).status_code == 302
    assert ActivityRecord.objects.count() == 0


def test_a_typed_record_above_the_maximum_is_refused_on_the_screen(
    client, staff, settings
):
    settings.RECORD_MAX_PARTICIPANTS = 50
    client.force_login(staff)
    page = client.get(reverse("activities:record_create"))
    form = page.context["form"]
    data = {
        **{name: form[name].value() or "" for name in form.fields},
        "activity": form.fields["activity"].queryset.get(name=COUNSELLING).pk,
        "area": form.fields["area"].queryset.get(name="Rising").pk,
        "date": "2026-03-02",
        "participants": 51,
    }
    data.pop("partners", None)
    response = client.post(reverse("activities:record_create"), data)
    assert "Højst 50 i én registrering." in str(response.context["form"].errors)
    assert ActivityRecord.objects.count() == 0


def test_two_columns_with_the_same_header_are_placed_one_by_one(client, staff):
    client.force_login(staff)
    upload(
        client,
        workbook(
            ["Dato", "Aktivitet", "Område", "Antal", "Antal"],
            ["02.03.2026", COUNSELLING, "Rising", 6, 2],
        ),
    )
    place(client, "date", "activity", "area", "participants", "volunteers")
    confirm(client)
    record = ActivityRecord.objects.get()
    assert (record.participants, record.volunteers) == (6, 2)


def test_a_date_column_placed_by_hand_is_asked_about_when_it_reads_both_ways(
    client, staff
):
    client.force_login(staff)
    upload(
        client,
        workbook(
            ["Hvornår", "Aktivitet", "Område", "Deltagere"],
            ["04/03/2026", COUNSELLING, "Rising", 4],
        ),
    )
    placed = {
        "token": token(client),
        "column_0": "date",
        "column_1": "activity",
        "column_2": "area",
        "column_3": "participants",
    }
    response = client.post(COLUMNS, placed)
    assert response.status_code == 400
    assert response.context["columns_form"].errors == {
        "order_date": ["Datoerne kan læses begge veje: vælg, hvordan de er skrevet."]
    }
    client.post(COLUMNS, {**placed, "order_date": "dmy"})
    confirm(client)
    assert ActivityRecord.objects.get().date == datetime.date(2026, 3, 4)


def test_columns_read_as_remembered_can_be_placed_again_from_the_preview(client, staff):
    headers = ["Dato", "Aktivitet", "Område", "Fremmødte", "Frivillige i alt"]
    line = ["02.03.2026", COUNSELLING, "Rising", 6, 2]
    ColumnMapping.objects.create(
        sheet="activities:record_import",
        headers=headers_key(headers),
        columns={"3": "volunteers", "4": "participants"},  # a wrong choice
        changed_at=timezone.now(),
    )
    client.force_login(staff)
    response = upload(client, workbook(headers, line))
    assert "Kolonnerne er læst, som de blev valgt sidst" in response.content.decode()
    response = client.post(COLUMNS, {"token": token(client)})
    form = response.context["columns_form"]
    assert form["column_3"].value() == "volunteers"
    place(client, "date", "activity", "area", "participants", "volunteers")
    confirm(client)
    assert ActivityRecord.objects.get().participants == 6
    assert ColumnMapping.objects.get().columns["3"] == "participants"


@pytest.mark.parametrize("rows", [10, 200])
def test_the_columns_page_costs_the_same_queries_for_any_sheet(
    client, staff, django_assert_num_queries, rows
):
    headers = ["Dato", "Aktivitet", "Område", "Fremmødte"]
    lines = [["02.03.2026", COUNSELLING, "Rising", n % 9] for n in range(rows)]
    client.force_login(staff)
    upload(client, workbook(headers, *lines))
    with django_assert_num_queries(9):
        response = client.post(COLUMNS, {"token": token(client)})
    assert response.context["columns_form"]["column_3"].value() == ""
