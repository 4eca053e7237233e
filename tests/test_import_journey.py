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
