"""axe-core (WCAG 2.1 A and AA) in Chromium over the pages of an import on its
way in, the error pages (the 413 one too), the public sign-up and report pages
with their errors, a report's status page and a stalled report's page, at a
phone's width: no serious or critical violation. The sweep over every page each
role reaches, and the main forms in error, is tests/test_crawl.py."""

from io import BytesIO

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area
from boligsocial.periods import Period
from reports.models import ReportRun
from safety.models import FindingCategory, ResidentReport
from tests.worker import stalled

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# The worker checks and imports the sheet (tests/test_import_worker.py); the page
# follows it.
WAIT = 30_000

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA).response
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def twelve_rows() -> bytes:
    day = timezone.localdate() - timezone.timedelta(days=1)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Dato", "Fra kl.", "Aktivitet", "Område", "Deltagere"])
    for n in range(11):
        workbook.active.append([day, f"{8 + n}.00", "Ungerådgivning", "Rising", n + 1])
    workbook.active.append([day, "8.00", "Ungerådgivning", "Atlantis", 2])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.worker
def test_an_import_on_its_way_in_passes_axe_at_375_px(
    celery_worker, page, live_server, login, coordinator, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 5
    page.set_viewport_size({"width": 375, "height": 812})
    login(coordinator)
    problems = []

    page.goto(live_server.url + reverse("activities:record_import"))
    problems += serious_violations(page)
    page.locator("input[type=file]").set_input_files(
        {
            "name": "fremmøde.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument"
            ".spreadsheetml.sheet",
            "buffer": twelve_rows(),
        }
    )
    page.get_by_role("button", name="Vis rækkerne").click()
    # The job's page, while it waits for the worker or the worker checks it.
    problems += serious_violations(page)
    # The preview, with a row in error.
    page.get_by_test_id("import-counts").wait_for(timeout=WAIT)
    problems += serious_violations(page)

    page.get_by_role("button", name="Importér de 11 gyldige rækker").click()
    page.get_by_test_id("import-done").wait_for(timeout=WAIT)
    problems += serious_violations(page)

    assert problems == [], "\n".join(problems)


def test_the_error_pages_and_the_public_form_in_error_pass_axe(
    page, live_server, login, staff, departments
):
    page.set_viewport_size({"width": 375, "height": 812})
    problems = []
    page.goto(live_server.url + reverse("nabohjaelp:signup", args=["rising"]))
    page.get_by_role("button", name="Tilmeld mig").click()
    page.locator(".is-invalid").first.wait_for()
    problems += serious_violations(page)
    page.goto(live_server.url + "/ingen-side/")
    problems += serious_violations(page)

    # The 413 page, as a resident whose photo was far too large is given it
    # (drawn at the portal's address, so its styles load as they would).
    too_large = Client().post(
        reverse("meld:report", args=["rising"]), CONTENT_LENGTH=str(50 * 1024 * 1024)
    )
    assert too_large.status_code == 413
    page.set_content(too_large.content.decode())
    problems += serious_violations(page)

    login(staff)
    page.goto(live_server.url + "/ingen-side/")
    problems += serious_violations(page)

    assert problems == [], "\n".join(problems)


def test_the_residents_report_page_in_error_and_its_status_page_pass_axe(
    page, live_server, departments
):
    """The "Meld et problem" page sent empty, in Danish and in Arabic (mirrored),
    and a report's status page."""
    page.set_viewport_size({"width": 375, "height": 812})
    problems = []
    for language in ("da", "ar"):
        page.goto(
            live_server.url
            + reverse("meld:report", args=["rising"])
            + f"?lang={language}"
        )
        page.get_by_test_id("resident-report").locator("button[type=submit]").click()
        page.locator(".is-invalid").first.wait_for()
        problems += serious_violations(page)
    report = ResidentReport.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Belysning"),
        description="Lampen lyser ikke",
        place="Stien ved nr. 12",
    )
    page.goto(live_server.url + report.status_url() + "?tak=1")
    problems += serious_violations(page)

    assert problems == [], "\n".join(problems)


def test_a_stalled_reports_page_passes_axe_and_fits_a_phone(
    page, live_server, login, coordinator
):
    """The run whose worker died: the warning and its "Prøv igen" at 375 px."""
    period = Period.year(2025)
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        start=period.start,
        end=period.end,
        request_key="stalled",
        requested_by=coordinator,
    )
    stalled(run)
    page.set_viewport_size({"width": 375, "height": 812})

    login(coordinator)
    page.goto(live_server.url + run.get_absolute_url())

    page.get_by_test_id("run-stuck").wait_for()
    assert page.get_by_role("button", name="Prøv igen").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    problems = serious_violations(page)
    assert problems == [], "\n".join(problems)
