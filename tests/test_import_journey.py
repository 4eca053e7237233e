"""An import with one bad row, in Debian's Chromium: report first, nothing saved
until the person confirms, then only the valid rows."""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import ActivityRecord

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sheet_with_one_bad_row() -> bytes:
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Dato", "Aktivitet", "Område", "Deltagere", "Note"])
    workbook.active.append([last_month, "Ungerådgivning", "Rising", 5, "Lektiecafé"])
    workbook.active.append([last_month, "Ungerådgivning", "Atlantis", 3, "Forkert"])
    workbook.active.append([last_month, "Fritidsjobrådgivning", "Rising", 7, "Jobdag"])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_import_with_a_bad_row_reports_it_and_saves_nothing_until_confirmed(
    page, live_server, login, staff
):
    login(staff)
    page.goto(live_server.url + reverse("activities:record_import"))
    page.locator("input[type=file]").set_input_files(
        {
            "name": "registreringer.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument"
            ".spreadsheetml.sheet",
            "buffer": sheet_with_one_bad_row(),
        }
    )
    page.get_by_role("button", name="Vis rækkerne").click()

    expect(page.get_by_test_id("import-counts")).to_contain_text(
        "2 gyldige, 1 med fejl"
    )
    expect(page.get_by_test_id("import-row-3")).to_contain_text("Atlantis")
    expect(page.get_by_test_id("import-row-3")).to_contain_text("Fejl")
    assert not ActivityRecord.objects.exists()

    page.get_by_role("button", name="Importér de 2 gyldige rækker").click()

    expect(page).to_have_url(live_server.url + reverse("activities:record_list"))
    notes = sorted(ActivityRecord.objects.values_list("note", flat=True))
    assert notes == ["Jobdag", "Lektiecafé"]


def sheet_as_a_coordinator_keeps_it(today) -> bytes:
    """Their own headers (one the portal does not know), a title above, the date
    typed with dashes, a row copied twice, and a total row."""
    typed = f"{today:%d-%m-%Y}"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Fritidsjob, Rising: fremmøde"])
    sheet.merge_cells("A1:F1")
    sheet.append(
        ["Dag", "Aktivitet", "Boligområde", "Fremmødte", "Heraf nye", JOBS, "Noter"]
    )
    sheet.append([typed, ACTIVITY, "Rising", 10, 3, 2, "Jobcafé"])
    sheet.append([typed, ACTIVITY, "Rising", 10, 3, 2, "Jobcafé"])
    sheet.append([today, ACTIVITY, "Rising", "6,0", 1, 1, "CV-værksted"])
    sheet.append(["I alt", None, None, 26, 7, 5, None])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


ACTIVITY = "Fritidsjobrådgivning"
JOBS = "Unge der har fået et fritidsjob"


def fits(page, width: int) -> None:
    """Nothing scrolls sideways: the page is no wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [375, 1280])
def test_a_coordinator_places_an_unknown_column_and_imports_a_sheet_of_their_own(
    page, live_server, login, coordinator, width
):
    from activities.models import Activity

    page.set_viewport_size({"width": width, "height": 900})
    today = timezone.localdate()
    activity = Activity.objects.get(name=ACTIVITY)
    login(coordinator)
    page.goto(live_server.url + reverse("activities:record_import"))
    page.locator("input[type=file]").set_input_files(
        {
            "name": "fritidsjob.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument"
            ".spreadsheetml.sheet",
            "buffer": sheet_as_a_coordinator_keeps_it(today),
        }
    )
    page.get_by_role("button", name="Vis rækkerne").click()

    # The columns page: what it knew is chosen; "Fremmødte" waits for a choice.
    columns = page.get_by_test_id("import-columns")
    expect(page.locator("main")).to_contain_text("Overskrifterne står i række 2.")
    expect(columns.get_by_label("Dag")).to_have_value("date")
    expect(columns.get_by_label("Fremmødte")).to_have_value("")
    fits(page, width)
    columns.get_by_label("Fremmødte").select_option(label="Deltagere")
    columns.get_by_role("button", name="Vis rækkerne").click()

    # The preview: each reading shown, the copy marked, the total row skipped.
    expect(page.get_by_test_id("import-counts")).to_contain_text(
        "3 rækker: 2 gyldige, 0 med fejl"
    )
    first = page.get_by_test_id("import-row-3")
    expect(first).to_contain_text(f"{today:%d-%m-%Y} → {today:%d.%m.%Y}")
    expect(first).to_contain_text("Tilbagevendende udregnet: 10 − 3 = 7")
    expect(page.get_by_test_id("import-row-4")).to_contain_text("Dublet")
    expect(page.get_by_test_id("import-row-5")).to_contain_text("Deltagere: 6,0 → 6")
    expect(page.get_by_test_id("import-notes")).to_contain_text("sumrække")
    fits(page, width)
    assert not ActivityRecord.objects.exists()

    page.get_by_role("button", name="Importér de 2 gyldige rækker").click()

    expect(page).to_have_url(live_server.url + reverse("activities:record_list"))
    table = page.get_by_test_id("record-table")
    expect(table).to_contain_text(ACTIVITY)
    assert sorted(ActivityRecord.objects.values_list("participants", flat=True)) == [
        6,
        10,
    ]
    # And in the figures: the activity's progress counts the imported jobs.
    page.goto(live_server.url + activity.get_absolute_url())
    reached = page.locator("[data-testid=progress] tr", has_text=JOBS)
    expect(reached.locator("[data-testid=reached]")).to_have_text("3")
