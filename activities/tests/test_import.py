"""Import of historical records from Excel: preview, then all valid rows or none."""

import datetime
import os
import time
from io import BytesIO

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import imports
from activities.imports import RECORD_IMPORT
from activities.models import (
    Activity,
    ActivityRecord,
    FocusArea,
    IndicatorValue,
    PlanPeriod,
    YearStatus,
)
from boligsocial import spreadsheets
from boligsocial.models import ImportJob

HEADERS = [
    "Dato",
    "Fra kl.",
    "Til kl.",
    "Aktivitet",
    "Område",
    "Afdelingsnummer",
    "Deltagere",
    "0–12 år",
    "13–17 år",
    "18–29 år",
    "30–64 år",
    "65 år og derover",
    "Kvinder/piger",
    "Mænd/drenge",
    "Andet/uoplyst køn",
    "Nye",
    "Tilbagevendende",
    "Frivillige",
    "Note",
]
COUNSELLING = "Ungerådgivning"
YOUNG_IN_COUNSELLING = "Unge i rådgivningsforløb"
WALKS = "Tryghedsvandringer"  # 2017–2021 plan, still run, Korsløkkeparken only


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-05-04 10:00 +0200", tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def row(**cells) -> dict:
    """A good row of Ungerådgivning in Rising; keyword cells override it."""
    return {
        "Dato": datetime.date(2026, 3, 2),
        "Aktivitet": COUNSELLING,
        "Område": "Rising",
        "Deltagere": 5,
        **cells,
    }


def sheet(*rows: dict, headers=None) -> bytes:
    """An .xlsx file: the template's headers (plus any extra), one line per row.
    Rows without a start get one a minute apart (the first 840 of them): equal
    rows are duplicates."""
    extra = [key for r in rows for key in r if key not in HEADERS]
    headers = headers or [*HEADERS, *dict.fromkeys(extra)]
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for n, r in enumerate(rows):
        r = {"Fra kl.": datetime.time(8 + n // 60 % 14, n % 60), **r}
        workbook.active.append([r.get(header) for header in headers])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "registreringer.xlsx"):
    return client.post(
        reverse("activities:record_import"),
        {"file": SimpleUploadedFile(name, content)},
    )


def confirm(client, token=None):
    token = token or ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token
    return client.post(reverse("activities:record_import_confirm"), {"token": token})


def read(content: bytes) -> list[spreadsheets.SheetRow]:
    """The rows of a sheet as the import reads them (every column known)."""
    workbook = spreadsheets.read_workbook(BytesIO(content))
    reading = spreadsheets.read_columns(workbook, imports.columns())
    assert not reading.needs_choice
    return spreadsheets.sheet_rows(workbook, reading, imports.columns())[0]


def stored(media) -> list:
    return list((media / "imports").glob("*.json"))


def errors_of(response, number: int) -> str:
    result = next(r for r in response.context["results"] if r.number == number)
    return " ".join(f"{label}: {message}" for label, message in result.errors)


# --- The happy path -------------------------------------------------------------------


def test_a_valid_sheet_is_previewed_and_saves_nothing_yet(client, staff, media):
    client.force_login(staff)
    response = upload(client, sheet(row(), row(Dato="03.03.2026")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 rækker: 2 gyldige, 0 med fejl" in html
    assert "Importér de 2 gyldige rækker" in html
    assert ActivityRecord.objects.count() == 0
    assert len(stored(media)) == 1
    assert (
        ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).name
        == "registreringer.xlsx"
    )


def test_confirming_imports_every_row_with_its_indicator_values(
    client, staff, departments, media
):
    client.force_login(staff)
    content = sheet(
        row(
            **{
                "Fra kl.": datetime.time(16, 0),
                "Til kl.": "18.30",
                "Afdelingsnummer": 11,
                "13–17 år": 5,
                "Kvinder/piger": 2,
                "Mænd/drenge": 3,
                "Frivillige": 1,
                "Note": "Lektiecafé",
                YOUNG_IN_COUNSELLING: 4,
            }
        ),
        row(Dato="2026-03-09", Aktivitet=WALKS, Område="Korsløkkeparken"),
    )
    upload(client, content)
    response = confirm(client)
    assert response.status_code == 302
    assert response.url == reverse("activities:record_list")
    first, second = ActivityRecord.objects.order_by("date")
    assert (first.activity.name, first.area.name, first.department.number) == (
        COUNSELLING,
        "Rising",
        "11",
    )
    assert (first.start_time, first.end_time) == (
        datetime.time(16, 0),
        datetime.time(18, 30),
    )
    assert (first.age_13_17, first.women, first.men, first.age_0_12) == (5, 2, 3, 0)
    assert (first.volunteers, first.note, first.created_by) == (1, "Lektiecafé", staff)
    assert [(v.indicator.name, v.value) for v in first.values.all()] == [
        (YOUNG_IN_COUNSELLING, 4)
    ]
    assert (second.activity.name, second.date) == (WALKS, datetime.date(2026, 3, 9))
    assert not ImportJob.objects.waiting().filter(sheet=RECORD_IMPORT.url_name)
    assert stored(media) == []
    page = client.get(response.url).content.decode()
    assert "2 registreringer er importeret." in page


def test_a_second_confirmation_imports_nothing_more(client, staff):
    client.force_login(staff)
    upload(client, sheet(row()))
    token = ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token
    confirm(client, token)
    response = confirm(client, token)
    assert response.url == reverse("activities:record_import")
    assert ActivityRecord.objects.count() == 1


def test_the_current_plans_activity_wins_when_two_share_a_name(client, staff):
    old_plan = PlanPeriod.objects.get(name="Boligsocial helhedsplan 2017–2021")
    old = Activity.objects.create(
        focus_area=FocusArea.objects.filter(plan_period=old_plan).first(),
        name=COUNSELLING,
        responsible=Activity.objects.get(name=COUNSELLING).responsible,
    )
    client.force_login(staff)
    upload(client, sheet(row()))
    confirm(client)
    record = ActivityRecord.objects.get()
    assert record.activity != old
    assert record.activity.focus_area.plan_period.start.year == 2024


def test_an_indicator_named_like_a_column_is_written_with_a_prefix(client, staff):
    client.force_login(staff)
    content = sheet(
        row(
            Aktivitet="Fælles om bæredygtighed",
            Deltagere=12,
            **{"Indikator: Deltagere": 9},
        )
    )
    upload(client, content)
    confirm(client)
    record = ActivityRecord.objects.get()
    assert record.participants == 12
    assert [(v.indicator.name, v.value) for v in record.values.all()] == [
        ("Deltagere", 9)
    ]


# --- Bad rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,message",
    [
        ({"Dato": "05.05.2026"}, "Dato: Datoen kan ikke ligge i fremtiden."),
        ({"Dato": "i går"}, "Dato: Indtast en gyldig dato."),
        (
            {"Deltagere": 5, "0–12 år": 2, "13–17 år": 2},
            ": Fordelingen på aldersgrupper giver 4, men der er 5 deltagere.",
        ),
        (
            {"Aktivitet": WALKS, "Område": "Rising"},
            "Område: Aktiviteten kører ikke i Rising.",
        ),
        (
            {"Aktivitet": "Strikkeklub"},
            "Aktivitet: Aktiviteten Strikkeklub findes ikke eller er afsluttet.",
        ),
        ({"Område": "Atlantis"}, "Område: Området Atlantis findes ikke."),
        (
            {"Afdelingsnummer": "99"},
            "Afdelingsnummer: Afdeling 99 findes ikke i Rising.",
        ),
        (
            {"Frivillige": -2},
            "Frivillige: Denne værdi skal være større end eller lig 0.",
        ),
        ({"Deltagere": None}, "Deltagere: Dette felt er påkrævet."),
        (
            {"Fra kl.": "12:00", "Til kl.": "10:00"},
            "Til kl.: Sluttidspunktet skal ligge efter starten.",
        ),
        (
            {"Vandringer": 3},
            ": Indikatoren Vandringer hører ikke til aktiviteten Ungerådgivning.",
        ),
    ],
)
def test_a_bad_row_is_reported_on_its_row_and_nothing_is_saved(
    client, staff, departments, cells, message
):
    client.force_login(staff)
    response = upload(client, sheet(row(), row(**cells), row()))
    assert response.status_code == 200
    assert message in errors_of(response, 3)
    assert errors_of(response, 2) == errors_of(response, 4) == ""
    html = response.content.decode()
    assert "3 rækker: 2 gyldige, 1 med fejl" in html
    assert message.split(": ", 1)[1].split(" <")[0] in html.replace("&#x27;", "'")
    assert ActivityRecord.objects.count() == 0


def test_a_row_dated_in_an_approved_year_is_refused(client, staff, coordinator):
    status = YearStatus.objects.create(
        activity=Activity.objects.get(name=COUNSELLING),
        year=2025,
        status=YearStatus.Status.DONE,
        narrative="Året gik godt.",
        written_by=coordinator,
    )
    status.approve(by=coordinator)
    client.force_login(staff)
    response = upload(client, sheet(row(Dato="15.06.2025")))
    assert "2025 er godkendt og låst for aktiviteten." in errors_of(response, 2)
    assert "Importér" not in response.content.decode().split("</table>")[1]


def test_confirming_imports_only_the_valid_rows(client, staff):
    client.force_login(staff)
    upload(client, sheet(row(), row(Dato="05.05.2026"), row(Dato="2026-03-04")))
    response = confirm(client)
    assert response.url == reverse("activities:record_list")
    assert sorted(ActivityRecord.objects.values_list("date", flat=True)) == [
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 4),
    ]


def test_a_row_that_became_invalid_since_the_preview_stops_the_import(
    client, staff, coordinator, media
):
    client.force_login(staff)
    upload(client, sheet(row(), row(Dato="2025-11-30")))
    YearStatus.objects.create(
        activity=Activity.objects.get(name=COUNSELLING),
        year=2025,
        status=YearStatus.Status.DONE,
        narrative="Året gik godt.",
        written_by=coordinator,
    ).approve(by=coordinator)
    response = confirm(client)
    assert response.status_code == 200
    assert ActivityRecord.objects.count() == 0
    assert "2025 er godkendt og låst" in errors_of(response, 3)
    assert "Importér den gyldige række" in response.content.decode()
    assert len(stored(media)) == 1
    confirm(client)
    assert ActivityRecord.objects.count() == 1


def test_a_failure_midway_leaves_nothing_imported(staff):
    results = imports.validate_rows(read(sheet(row(), row(), row())), staff)
    assert all(result.is_valid for result in results)
    # A row the database refuses after validation (ends before it starts).
    results[1].form.instance.start_time = datetime.time(12)
    results[1].form.instance.end_time = datetime.time(10)
    with pytest.raises(Exception, match="record_ends_after_it_starts"):
        spreadsheets.import_rows(results)
    assert ActivityRecord.objects.count() == 0
    assert IndicatorValue.objects.count() == 0


def test_cancelling_imports_nothing_and_deletes_the_stored_file(client, staff, media):
    client.force_login(staff)
    upload(client, sheet(row()))
    token = ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token
    response = client.post(reverse("activities:record_import_cancel"), {"token": token})
    assert response.url == reverse("activities:record_import")
    assert stored(media) == []
    assert not ImportJob.objects.waiting().filter(sheet=RECORD_IMPORT.url_name)
    assert ActivityRecord.objects.count() == 0
    assert confirm(client, token).url == reverse("activities:record_import")
    assert ActivityRecord.objects.count() == 0


def test_a_new_upload_replaces_the_one_waiting(client, staff, media):
    client.force_login(staff)
    upload(client, sheet(row()))
    first = ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token
    upload(client, sheet(row(), row()))
    assert ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token != first
    assert [path.stem for path in stored(media)] == [
        ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token
    ]


def test_uploads_older_than_the_longest_session_are_deleted(client, staff, media):
    (media / "imports").mkdir()
    old = media / "imports" / f"{'a' * 32}.json"
    old.write_bytes(b"old")
    day_ago = time.time() - 24 * 3600
    os.utime(old, (day_ago, day_ago))
    client.force_login(staff)
    upload(client, sheet(row()))
    assert not old.exists()
    assert len(stored(media)) == 1


# --- Bad files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content",
    [
        ("x.xlsx", b"hello"),
        ("registreringer.csv", b"Dato;Aktivitet\n02.03.2026;Ungeraadgivning\n"),
        ("registreringer.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
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


def test_missing_columns_are_asked_for_next_to_their_fields(client, staff):
    client.force_login(staff)
    content = sheet({"Område": "Rising"}, headers=["Område", "Deltagere"])
    form = upload(client, content).context["columns_form"]
    assert {"fill_date", "fill_activity"} <= set(form.fields)
    token = ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token
    response = client.post(
        reverse("activities:record_import_columns"),
        {"token": token, "column_0": "area", "column_1": "participants"},
    )
    assert response.status_code == 400
    errors = response.context["columns_form"].errors
    assert errors["fill_date"] == [
        "Vælg kolonnen med Dato, eller skriv en værdi for alle rækker."
    ]
    assert response.context["columns_form"]["column_0"].value() == "area"
    assert ActivityRecord.objects.count() == 0


def test_an_unknown_column_is_asked_about_rather_than_refused(client, staff):
    client.force_login(staff)
    response = upload(client, sheet(row(Deltager=3)))
    form = response.context["columns_form"]
    (unknown,) = [f for f in form.rows() if f[0] == "Deltager"]
    assert unknown[1].value() == ""  # not used, unless the person says so
    assert "Fx: 3" in response.content.decode()


def test_headers_match_without_case_or_dash_variants(client, staff):
    client.force_login(staff)
    headers = ["dato", "AKTIVITET", "Område ", "Deltagere", "0-12 år"]
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    workbook.active.append([datetime.date(2026, 3, 2), COUNSELLING, "Rising", 3, 3])
    buffer = BytesIO()
    workbook.save(buffer)
    upload(client, buffer.getvalue())
    confirm(client)
    assert ActivityRecord.objects.get().age_0_12 == 3


@pytest.mark.parametrize(
    "rows,message",
    [
        ([], "Filen er tom."),
        ([HEADERS], "Filen har ingen rækker under overskrifterne."),
        (
            [HEADERS, *[[datetime.date(2026, 3, 2), None, None, COUNSELLING]] * 51],
            "Filen har mere end 50 rækker. Del den op i flere filer.",
        ),
    ],
)
def test_an_empty_or_too_long_sheet_is_refused_at_the_field(
    client, staff, rows, message, monkeypatch
):
    # The limit is 20,000 rows: a smaller one here keeps the test quick.
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 50)
    workbook = openpyxl.Workbook()
    for line in rows:
        workbook.active.append(line)
    buffer = BytesIO()
    workbook.save(buffer)
    client.force_login(staff)
    response = upload(client, buffer.getvalue())
    assert response.context["form"].errors["file"] == [message]


@pytest.mark.django_db
def test_a_sheet_of_exactly_the_row_limit_is_read():
    content = sheet(*[row()] * spreadsheets.MAX_ROWS)
    assert len(read(content)) == spreadsheets.MAX_ROWS == 20_000


def test_a_file_over_5_mb_is_refused_before_it_is_read(client, staff):
    client.force_login(staff)
    response = upload(client, b"x" * (5 * 1024 * 1024 + 1))
    assert response.context["form"].errors["file"] == ["Filen er større end 5 MB."]


# --- The template ---------------------------------------------------------------------


def test_the_template_opens_in_excel_and_imports_as_it_is(client, staff):
    client.force_login(staff)
    response = client.get(reverse("activities:record_import_template"))
    assert response.status_code == 200
    assert "registreringer-skabelon.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    records, guide = workbook.worksheets
    header = [cell.value for cell in records[1]]
    assert header[: len(HEADERS)] == HEADERS
    assert YOUNG_IN_COUNSELLING in header
    assert "Indikator: Deltagere" in header
    assert records.max_row == 2
    activities = {line[0]: line for line in guide.iter_rows(values_only=True)}
    assert "Korsløkkeparken" == activities[WALKS][2]
    assert "Vandringer" in activities[WALKS][3]
    # The example row is valid as it stands.
    preview = upload(client, response.content)
    assert "1 række: 1 gyldige, 0 med fejl" in preview.content.decode()


# --- Access ---------------------------------------------------------------------------

VIEWS = [
    ("get", "activities:record_import"),
    ("post", "activities:record_import"),
    ("post", "activities:record_import_confirm"),
    ("post", "activities:record_import_cancel"),
    ("get", "activities:record_import_template"),
]


@pytest.mark.parametrize("method,name", VIEWS)
def test_a_partner_may_not_import(client, partner, method, name):
    client.force_login(partner)
    assert getattr(client, method)(reverse(name)).status_code == 403


@pytest.mark.parametrize("method,name", VIEWS)
def test_an_anonymous_visitor_is_sent_to_log_in(client, method, name):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "method,name",
    [
        ("get", "activities:record_import_confirm"),
        ("get", "activities:record_import_cancel"),
        ("post", "activities:record_import_template"),
        ("put", "activities:record_import"),
    ],
)
def test_the_import_views_refuse_the_wrong_method(client, staff, method, name):
    client.force_login(staff)
    assert getattr(client, method)(reverse(name)).status_code == 405


def test_confirming_without_a_preview_says_so(client, staff):
    client.force_login(staff)
    response = confirm(client, "0" * 32)
    assert response.url == reverse("activities:record_import")
    page = client.get(response.url).content.decode()
    assert "Der er ingen import at bekræfte." in page


def test_another_persons_upload_cannot_be_confirmed_or_cancelled(
    client, staff, advisor, media
):
    client.force_login(staff)
    upload(client, sheet(row()))
    token = ImportJob.objects.waiting().get(sheet=RECORD_IMPORT.url_name).token
    client.force_login(advisor)
    confirm(client, token)
    client.post(reverse("activities:record_import_cancel"), {"token": token})
    # With an import of their own waiting, someone else's token is not found.
    upload(client, sheet(row()))
    assert confirm(client, token).url == reverse("activities:record_import")
    client.post(reverse("activities:record_import_cancel"), {"token": token})
    assert ImportJob.objects.filter(token=token, requested_by=staff).exists()
    assert ActivityRecord.objects.count() == 0
    assert token in [path.stem for path in stored(media)]


def test_the_upload_page_costs_the_same_queries_every_time(
    client, staff, django_assert_num_queries
):
    client.force_login(staff)
    client.get(reverse("activities:record_import"))
    with django_assert_num_queries(7):
        response = client.get(reverse("activities:record_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert reverse("activities:record_import_template") in html


def test_checking_a_sheet_takes_the_same_queries_for_every_thousand_rows(
    staff, departments
):
    columns = RECORD_IMPORT.columns()

    def queries(count: int) -> int:
        rows = read(sheet(*[row(Afdelingsnummer=11) for _ in range(count)]))
        with CaptureQueriesContext(connection) as captured:
            results = spreadsheets.check_rows(RECORD_IMPORT, rows, staff, columns)
        assert all(result.is_valid for result in results)
        return len(captured)

    # And 2,000 rows twice as many (test_import_big_sheets, through the worker).
    assert queries(10) == queries(1000) == 8


def test_saving_a_sheet_takes_as_many_queries_for_200_rows_as_for_10(
    staff, departments
):
    def queries(count: int, day: int) -> int:
        # A day of its own: the first call's rows would be duplicates.
        day = datetime.date(2026, 3, day)
        lines = [row(Dato=day, Afdelingsnummer=11, **{YOUNG_IN_COUNSELLING: 2})] * count
        rows = read(sheet(*lines))
        results = spreadsheets.check_rows(
            RECORD_IMPORT, rows, staff, RECORD_IMPORT.columns(), keep=True
        )
        # The rows are alike: the sheet's copies of the first are ticked.
        ticked = set(spreadsheets.duplicate_rows(results))
        with CaptureQueriesContext(connection) as captured:
            saved = spreadsheets.import_rows(results, ticked, save=RECORD_IMPORT.save)
            assert saved == count
        return len(captured)

    assert queries(10, day=2) == queries(200, day=3)
    assert ActivityRecord.objects.count() == 210
    assert IndicatorValue.objects.filter(value=2).count() == 210
