"""The coordinators' historic import ("historisk import"): records of the
2017–2021 plan and of ended activities come in from a sheet with the record
import's columns, locked years refuse them and say how to re-open the year, and
the imported history counts in the figures and reports of its years."""

import datetime
import re
import subprocess
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.imports import HISTORY_IMPORT, RECORD_IMPORT
from activities.models import Activity, ActivityRecord, PlanPeriod, YearStatus
from boligsocial.models import Area, ImportJob
from boligsocial.periods import Period
from reports.figures import figures_for
from reports.models import ReportRun
from reports.pdf import render_report
from reports.services import request_report

OLD_PLAN = "Boligsocial helhedsplan 2017–2021"
NEW_PLAN = "Boligsocial helhedsplan 2024–2028"
STREET_WORK = "Gadeplansarbejde"  # 2017–2021, ended, Rising only
IN_CONTACT = "Unge i kontakt"  # its indicator
NETWORK = "Kriminalitetsforebyggelse i netværk"  # in both plans
# The columns a coordinator kept in the 2017–2021 years, in their order; what the
# template has besides (departments, other age bands) they never filled in.
HEADERS = [
    "Dato",
    "Fra kl.",
    "Til kl.",
    "Aktivitet",
    "Område",
    "Deltagere",
    "13–17 år",
    "18–29 år",
    "Kvinder/piger",
    "Mænd/drenge",
    "Nye",
    "Tilbagevendende",
    "Frivillige",
    IN_CONTACT,
    "Note",
]
# Four years of street work in Rising: 2019 holds 11 + 6 = 17 participants (12 new)
# in two records; 2018 holds 8.
STREET_WORK_ROWS = [
    [datetime.date(2018, 9, 12), "18.00", "21.00", STREET_WORK, "Rising",
     8, 6, 2, 1, 7, 3, 5, 1, 8, "Aftenrunde ved centret"],
    ["14.03.2019", "18.30", "21.30", STREET_WORK, "Rising",
     11, 9, 2, 2, 9, 8, 3, None, 11, "Ny gruppe ved skolen"],
    [datetime.date(2019, 6, 20), None, None, STREET_WORK, "Rising",
     6, None, None, None, None, 4, 2, 2, 6, None],
    [datetime.date(2020, 10, 1), "19:00", "22:00", STREET_WORK, "Rising",
     9, 7, 2, 0, 9, 2, 7, 0, 7, "Samtaler med forældre"],
    [datetime.date(2021, 12, 2), "17.00", "20.00", STREET_WORK, "Rising",
     5, 5, 0, 1, 4, 0, 5, 1, 5, "Sidste runde i planen"],
]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def street_work() -> Activity:
    return Activity.objects.get(name=STREET_WORK)


def staff_sheet(*rows: list, headers=HEADERS) -> bytes:
    """An .xlsx file made in Excel's way by hand: a header line, the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Gadeplan 2018-2021"
    sheet.append(headers)
    for line in rows:
        sheet.append(line)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def line(day, activity=STREET_WORK, area="Rising", participants=4) -> list:
    """A short row under HEADERS: no times or breakdowns."""
    cells = dict.fromkeys(HEADERS)
    cells.update(
        {"Dato": day, "Aktivitet": activity, "Område": area, "Deltagere": participants}
    )
    return list(cells.values())


def upload(client, content: bytes, name: str = "gadeplan-2018-2021.xlsx"):
    return client.post(
        reverse("activities:history_import"),
        {"file": SimpleUploadedFile(name, content)},
    )


def confirm(client):
    token = ImportJob.objects.waiting().get(sheet=HISTORY_IMPORT.url_name).token
    return client.post(reverse("activities:history_import_confirm"), {"token": token})


def errors_of(response, number: int) -> str:
    result = next(r for r in response.context["results"] if r.number == number)
    return " ".join(f"{label}: {message}" for label, message in result.errors)


def approve(activity: Activity, year: int, by) -> YearStatus:
    status = YearStatus.objects.create(
        activity=activity,
        year=year,
        status=YearStatus.Status.DONE,
        narrative="Året er skrevet og godkendt.",
        written_by=by,
    )
    status.approve(by=by)
    return status


# --- The 2017–2021 plan ---------------------------------------------------------------


def test_a_2017_2021_sheet_is_previewed_valid_and_saves_nothing_yet(
    client, coordinator
):
    client.force_login(coordinator)
    response = upload(client, staff_sheet(*STREET_WORK_ROWS))
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 rækker: 5 gyldige, 0 med fejl" in html
    assert "Importér de 5 gyldige rækker" in html
    # The preview says which plan each row goes to.
    assert html.count(OLD_PLAN) == 5
    assert ActivityRecord.objects.count() == 0


def test_confirming_imports_the_rows_into_the_2017_2021_activity(client, coordinator):
    client.force_login(coordinator)
    upload(client, staff_sheet(*STREET_WORK_ROWS))
    response = confirm(client)
    assert response.status_code == 302
    assert response.url == reverse("activities:record_list")
    records = list(ActivityRecord.objects.order_by("date"))
    assert [r.date.year for r in records] == [2018, 2019, 2019, 2020, 2021]
    assert {r.activity for r in records} == {street_work()}
    assert street_work().focus_area.plan_period.name == OLD_PLAN
    first = records[0]
    assert (first.start_time, first.end_time) == (
        datetime.time(18),
        datetime.time(21),
    )
    assert (first.participants, first.age_13_17, first.men, first.volunteers) == (
        8,
        6,
        7,
        1,
    )
    assert (first.note, first.created_by) == ("Aftenrunde ved centret", coordinator)
    assert [(v.indicator.name, v.value) for v in first.values.all()] == [
        (IN_CONTACT, 8)
    ]
    page = client.get(response.url).content.decode()
    assert "5 registreringer er importeret." in page


def test_the_record_import_refuses_the_same_sheet(client, coordinator):
    """Why there is a historic import: the record import knows only the
    activities that are still run, and their indicators."""
    client.force_login(coordinator)

    def record_import(content: bytes):
        file = SimpleUploadedFile("a.xlsx", content)
        return client.post(reverse("activities:record_import"), {"file": file})

    response = record_import(staff_sheet(line("2019-03-14")))
    # The old plan's indicator is no column the record import knows: asked about.
    chosen = dict(response.context["columns_form"].rows())
    assert chosen[IN_CONTACT].value() == ""
    without = [h for h in HEADERS if h != IN_CONTACT]
    response = record_import(staff_sheet(line("2019-03-14")[:-2], headers=without))
    ((column, message),) = response.context["results"][0].errors
    assert column == "Aktivitet"
    assert message.startswith(
        "Aktiviteten Gadeplansarbejde findes ikke eller er afsluttet. Rækker fra en "
        "tidligere helhedsplan henter en koordinator ind med »Historisk import«."
    )


def test_the_plan_running_on_the_rows_date_wins_where_two_share_a_name(
    client, coordinator
):
    client.force_login(coordinator)
    upload(
        client, staff_sheet(line("2019-05-02", NETWORK), line("2025-05-02", NETWORK))
    )
    confirm(client)
    plans = dict(
        ActivityRecord.objects.values_list(
            "date__year", "activity__focus_area__plan_period__name"
        )
    )
    assert plans == {2019: OLD_PLAN, 2025: NEW_PLAN}


# --- Ended activities and the plan's period ------------------------------------------


def test_a_row_into_an_ended_activity_of_the_current_plan_is_imported(
    client, coordinator
):
    men = Activity.objects.get(name="Bydelsløftere for mænd")
    men.status = Activity.Status.ENDED
    men.save(update_fields=["status"])
    client.force_login(coordinator)
    response = upload(client, staff_sheet(line("2025-03-02", men.name)))
    assert errors_of(response, 2) == ""
    confirm(client)
    record = ActivityRecord.objects.get()
    assert (record.activity, record.date) == (men, datetime.date(2025, 3, 2))


@pytest.mark.parametrize(
    "cells,message",
    [
        (
            ("2022-03-01", STREET_WORK),
            "Dato: Gadeplansarbejde er afsluttet og hører til Boligsocial "
            "helhedsplan 2017–2021, som sluttede 31.12.2021.",
        ),
        (
            ("2016-11-30", STREET_WORK),
            "Dato: Gadeplansarbejde hører til Boligsocial helhedsplan 2017–2021, "
            "som begyndte 01.01.2017.",
        ),
        (
            ("2023-06-01", "Ungerådgivning"),
            "Dato: Ungerådgivning hører til Boligsocial helhedsplan 2024–2028, "
            "som begyndte 01.01.2024.",
        ),
        (
            ("2019-03-14", STREET_WORK, "Vollsmose"),
            "Område: Aktiviteten kører ikke i Vollsmose.",
        ),
        (
            ("2019-03-14", "Strikkeklub"),
            "Aktivitet: Aktiviteten Strikkeklub findes ikke.",
        ),
        (
            ("2027-01-05", "Tryghedsvandringer", "Korsløkkeparken"),
            "Dato: Datoen kan ikke ligge i fremtiden.",
        ),
    ],
)
def test_a_row_outside_its_activity_is_refused_on_its_row(
    client, coordinator, cells, message
):
    client.force_login(coordinator)
    response = upload(client, staff_sheet(line("2019-03-14"), line(*cells)))
    assert errors_of(response, 2) == ""
    assert message in errors_of(response, 3)
    assert "2 rækker: 1 gyldige, 1 med fejl" in response.content.decode()


def test_an_open_activity_of_the_earlier_plan_takes_rows_after_it(client, coordinator):
    """Tryghedsvandringer goes on after 2021, as on the record screen."""
    client.force_login(coordinator)
    response = upload(
        client, staff_sheet(line("2023-04-12", "Tryghedsvandringer", "Korsløkkeparken"))
    )
    assert errors_of(response, 2) == ""


def test_the_breakdowns_still_have_to_add_up(client, coordinator):
    bad = list(STREET_WORK_ROWS[1])
    bad[HEADERS.index("13–17 år")] = 3
    client.force_login(coordinator)
    response = upload(client, staff_sheet(bad))
    assert "Fordelingen på aldersgrupper giver 5, men der er 11 deltagere." in (
        errors_of(response, 2)
    )


# --- Locked years ---------------------------------------------------------------------


def test_a_row_in_a_locked_year_is_refused_naming_the_re_open_step(client, coordinator):
    approve(street_work(), 2019, coordinator)
    client.force_login(coordinator)
    response = upload(client, staff_sheet(line("2019-03-14"), line("2020-03-14")))
    assert errors_of(response, 2) == (
        "Dato: 2019 er godkendt og låst for aktiviteten. En koordinator kan genåbne "
        "året på aktivitetens side: vælg år 2019, og tryk på »Genåbn året« under "
        "»Årsstatus 2019«."
    )
    assert errors_of(response, 3) == ""


def test_the_named_step_opens_the_year_to_the_import(client, coordinator):
    approve(street_work(), 2019, coordinator)
    client.force_login(coordinator)
    page = client.get(street_work().get_absolute_url(), {"year": 2019}).content.decode()
    assert "Årsstatus 2019" in page
    reopen = reverse("activities:status_reopen", args=[street_work().pk, 2019])
    assert reopen in page and "Genåbn året" in page
    client.post(reopen, {"reason": "Historikken fra 2019 hentes ind."})
    response = upload(client, staff_sheet(line("2019-03-14")))
    assert errors_of(response, 2) == ""
    confirm(client)
    assert ActivityRecord.objects.get().date == datetime.date(2019, 3, 14)


# --- The pages and who may use them ---------------------------------------------------


def test_the_record_import_links_coordinators_to_the_historic_import(
    client, coordinator, staff
):
    link = reverse("activities:history_import")
    client.force_login(coordinator)
    assert link in client.get(reverse("activities:record_import")).content.decode()
    client.force_login(staff)
    assert link not in client.get(reverse("activities:record_import")).content.decode()


def test_the_historic_template_lists_every_plans_activities(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("activities:history_import_template"))
    assert "historik-skabelon.xlsx" in response["Content-Disposition"]
    records, guide = openpyxl.load_workbook(BytesIO(response.content)).worksheets
    assert IN_CONTACT in [cell.value for cell in records[1]]
    plans = {(row[0], row[1]) for row in guide.iter_rows(values_only=True)}
    assert (STREET_WORK, OLD_PLAN) in plans
    assert (NETWORK, OLD_PLAN) in plans and (NETWORK, NEW_PLAN) in plans
    preview = upload(client, response.content)
    assert "1 række: 1 gyldige, 0 med fejl" in preview.content.decode()


def test_an_admin_may_import_history(client, admin_user):
    client.force_login(admin_user)
    upload(client, staff_sheet(line("2019-03-14")))
    assert confirm(client).status_code == 302
    assert ActivityRecord.objects.get().created_by == admin_user


VIEWS = [
    ("get", "activities:history_import"),
    ("post", "activities:history_import"),
    ("post", "activities:history_import_confirm"),
    ("post", "activities:history_import_cancel"),
    ("get", "activities:history_import_template"),
]


@pytest.mark.parametrize("method,name", VIEWS)
def test_staff_who_are_not_coordinators_may_not_import_history(
    client, staff, method, name
):
    client.force_login(staff)
    assert getattr(client, method)(reverse(name)).status_code == 403


@pytest.mark.parametrize("method,name", VIEWS)
def test_an_outside_partner_may_not_import_history(client, partner, method, name):
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
        ("get", "activities:history_import_confirm"),
        ("get", "activities:history_import_cancel"),
        ("post", "activities:history_import_template"),
    ],
)
def test_the_wrong_method_is_refused(client, coordinator, method, name):
    client.force_login(coordinator)
    assert getattr(client, method)(reverse(name)).status_code == 405


def test_the_record_import_and_the_historic_import_wait_apart(client, coordinator):
    """Each import keeps its own sheet in the session: neither replaces the other."""
    client.force_login(coordinator)
    upload(client, staff_sheet(line("2019-03-14")))
    without = [h for h in HEADERS if h != IN_CONTACT]
    current = staff_sheet(line("2026-03-02", NETWORK)[:-2], headers=without)
    file = SimpleUploadedFile("a.xlsx", current)
    client.post(reverse("activities:record_import"), {"file": file})
    assert ImportJob.objects.waiting().filter(sheet=RECORD_IMPORT.url_name)
    confirm(client)
    assert ActivityRecord.objects.get().activity == street_work()


def test_a_history_sheet_waiting_is_on_the_coordinators_landing_page(
    client, coordinator
):
    client.force_login(coordinator)
    upload(client, staff_sheet(line("2019-03-14")), name="gadeplan-2019.xlsx")
    page = client.get(reverse("home")).content.decode()
    assert "gadeplan-2019.xlsx" in page
    assert reverse("activities:history_import") in page


def test_an_imported_record_of_an_ended_activity_can_be_corrected(client, coordinator):
    client.force_login(coordinator)
    upload(client, staff_sheet(line("2019-03-14", participants=4)))
    confirm(client)
    record = ActivityRecord.objects.get()
    url = reverse("activities:record_edit", args=[record.pk])
    assert client.get(url).status_code == 200
    data = {
        "activity": street_work().pk,
        "date": "2019-03-14",
        "area": record.area_id,
        "participants": "5",
        "version": record.version,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert (record.participants, record.activity) == (5, street_work())


# --- The history in the figures and the reports ---------------------------------------


@pytest.fixture
def imported(client, coordinator):
    client.force_login(coordinator)
    upload(client, staff_sheet(*STREET_WORK_ROWS))
    confirm(client)
    return ActivityRecord.objects.count()


def street_work_row(figures):
    return next(
        row
        for fa in figures.activities.focus_areas
        for row in fa.activities
        if row.activity.name == STREET_WORK
    )


def test_the_figures_for_2019_count_the_imported_participants(imported):
    rising = list(Area.objects.filter(slug="rising"))
    figures = figures_for(areas=rising, period=Period.year(2019), suppress=True)
    row = street_work_row(figures)
    assert (row.total.records, row.total.participants, row.total.new) == (2, 17, 12)
    assert [(i.name, i.reached) for i in row.indicators] == [(IN_CONTACT, 17)]
    before = figures_for(areas=rising, period=Period.year(2018), suppress=True)
    assert street_work_row(before).total.participants == 8


def pdf_text(run: ReportRun, folder) -> tuple[str, dict]:
    pdf, _pages, record = render_report(run)
    path = folder / f"{run.kind}.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout, record


def has_line(text: str, cells: list[str]) -> bool:
    """Some line of the PDF's text holds the cells in order, spaces between."""
    pattern = r"\s+".join(re.escape(cell) for cell in cells)
    return any(re.search(pattern, text_line) for text_line in text.splitlines())


def test_the_lbf_report_for_2019_shows_the_imported_history(
    imported, coordinator, tmp_path
):
    plan = PlanPeriod.objects.get(name=OLD_PLAN)
    run, _ = request_report(
        kind=ReportRun.Kind.LBF,
        period=Period.year(2019),
        areas=list(plan.areas.all()),
        by=coordinator,
        plan_period=plan,
    )
    text, record = pdf_text(run, tmp_path)
    assert ["Gadeplansarbejde", "Tryghed og trivsel", 2, 17, 12, 2] in record["tables"][
        "activities"
    ]["rows"]
    assert has_line(text, ["Gadeplansarbejde", "Tryghed og trivsel", "2", "17", "12"])
    # The activity's own section: its indicator and Rising's part.
    assert has_line(text, [IN_CONTACT, "personer", "17"])
    assert has_line(text, ["Rising", "2", "17", "12", "2"])


def test_the_municipality_report_for_2019_counts_the_imported_participants(
    imported, coordinator, tmp_path
):
    run, _ = request_report(
        kind=ReportRun.Kind.MUNICIPALITY,
        period=Period.year(2019),
        areas=list(Area.objects.filter(slug="rising")),
        by=coordinator,
    )
    text, record = pdf_text(run, tmp_path)
    key_rows = {row[0]: row[1:] for row in record["tables"]["key_figures"]["rows"]}
    assert key_rows["Deltagere i aktiviteter"][:2] == [17, 8]
    assert key_rows["Aktivitetsregistreringer"][:2] == [2, 1]
    assert has_line(text, ["Deltagere i aktiviteter", "17", "8"])


def test_the_upload_page_costs_the_same_queries_every_time(
    client, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    client.get(reverse("activities:history_import"))
    with django_assert_num_queries(7):
        response = client.get(reverse("activities:history_import"))
    assert reverse("activities:history_import_template") in response.content.decode()
