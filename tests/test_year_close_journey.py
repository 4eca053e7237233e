"""The year's close on a phone, in Chromium with the real Celery worker: the
coordinator opens Årsafslutning, sends one status text back with a reason; the
staff member who wrote it finds it in "Mit arbejde" and under the bell, writes it
again; the coordinator approves it from the list, every text is approved, and the
LBF report of the year is asked for from the same page and built."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, PlanPeriod, YearStatus
from activities.year_close_views import close_year
from reports.models import ReportRun

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 375


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"


def test_the_year_is_closed_on_a_phone_and_the_lbf_report_asked_for(
    page, live_server, login, staff, coordinator, celery_worker, artefacts
):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": WIDTH, "height": 812})
    plans = list(PlanPeriod.objects.all())
    year = close_year(plans, None, timezone.localdate())
    plan = next(p for p in plans if year in p.years)
    activities = list(Activity.objects.filter(focus_area__plan_period=plan))
    jobs = next(a for a in activities if a.name == "Fritidsjobrådgivning")
    for activity in activities:
        text = YearStatus.objects.create(
            activity=activity,
            year=year,
            status=YearStatus.Status.ONGOING,
            narrative=f"Året i {activity.name}.",
            written_by=staff,
        )
        if activity != jobs:
            text.approve(by=coordinator)
    total = len(activities)
    row = page.get_by_test_id("close-row").filter(has_text="Fritidsjobrådgivning")

    # The coordinator finds the close from the queue, and one text waiting.
    login(coordinator)
    page.goto(live_server.url + "/")
    close = reverse("activities:year_close")
    page.get_by_test_id("my-work").locator(f"a[href='{close}']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Årsafslutning {year}")
    counts = page.get_by_test_id("close-counts")
    expect(counts).to_contain_text(f"{total - 1} af {total} godkendt")
    lbf = page.get_by_test_id("lbf-request")
    expect(
        lbf.get_by_role("button", name=f"Bestil rapporten for {year}")
    ).to_be_disabled()
    expect(lbf).to_contain_text("Ikke godkendt endnu: 1 venter på godkendelse.")
    no_sideways_scroll(page)

    # It is sent back with a reason, from the list.
    row.locator("summary", has_text="Send tilbage").click()
    row.get_by_label("Hvad skal skrives om?").fill("Nævn hvor mange der fik job")
    row.get_by_role("button", name="Send teksten tilbage").click()
    expect(page.get_by_text("Statusteksten er sendt tilbage.")).to_be_visible()
    expect(row.get_by_test_id("close-state")).to_have_text("Sendt tilbage")
    expect(row).to_contain_text("Nævn hvor mange der fik job")
    no_sideways_scroll(page)
    page.screenshot(path=artefacts / "year_close_phone.png", full_page=True)

    # Its writer finds it in "Mit arbejde" and under the bell, and writes it again.
    login(staff)
    page.goto(live_server.url + "/")
    queue = page.get_by_test_id("my-work")
    expect(queue).to_contain_text("Sendt tilbage")
    expect(page.get_by_test_id("bell")).to_contain_text("1")
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("notifications")).to_contain_text(
        "Nævn hvor mange der fik job"
    )
    page.goto(live_server.url + "/")
    edit = reverse("activities:status_edit", args=[jobs.pk, year])
    queue.locator(f"a[href='{edit}']").click()
    page.get_by_label("Statustekst").fill("Året i Fritidsjobrådgivning: 14 fik job.")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_text(f"Statusteksten for {year} er gemt.")).to_be_visible()

    # The coordinator approves it from the list; all are approved.
    login(coordinator)
    page.goto(f"{live_server.url}{close}?year={year}")
    expect(row.get_by_test_id("close-state")).to_have_text("Venter på godkendelse")
    row.get_by_text("Læs teksten").click()
    expect(row).to_contain_text("14 fik job")
    row.get_by_role("button", name="Godkend").click()
    expect(row.get_by_test_id("close-state")).to_have_text("Godkendt")
    expect(counts).to_contain_text(f"{total} af {total} godkendt")
    no_sideways_scroll(page)

    # One button asks for the LBF report; its page follows it until it is built.
    lbf.get_by_role("button", name=f"Bestil rapporten for {year}").click()
    expect(page.get_by_text("Rapporten er bestilt og bygges nu.")).to_be_visible()
    status = page.get_by_test_id("run-status-box")
    expect(status.get_by_test_id("run-status")).to_have_text("Klar", timeout=60_000)
    no_sideways_scroll(page)
    run = ReportRun.objects.get()
    assert (run.kind, run.plan_period, run.start.year) == ("lbf", plan, year)
    assert [text for text in console if "Content Security Policy" in text] == []


def test_report_schedules_are_kept_on_the_report_pages_on_a_phone(
    page, live_server, login, coordinator
):
    page.set_viewport_size({"width": WIDTH, "height": 812})
    login(coordinator)
    page.goto(live_server.url + reverse("reports:run_list"))
    page.get_by_role("link", name="Opret, sæt på pause eller slet faste").click()
    page.get_by_role("link", name="Ny fast bestilling").click()
    no_sideways_scroll(page)
    form = page.get_by_test_id("schedule-form")
    form.get_by_label("Statusrapport til Landsbyggefonden").check()
    form.get_by_label("Hvert kvartal").check()
    form.get_by_role("button", name="Opret").click()
    expect(form).to_contain_text("Rapporten til Landsbyggefonden gælder en plan.")
    form.get_by_label("Statusrapport til Odense Kommune").check()
    form.get_by_label("Rising").check()
    form.get_by_role("button", name="Opret").click()

    schedule = page.get_by_test_id("schedule")
    expect(schedule).to_contain_text("Statusrapport til Odense Kommune, hvert kvartal")
    expect(schedule).to_contain_text("Aktiv")
    no_sideways_scroll(page)
    schedule.get_by_role("button", name="Sæt på pause").click()
    expect(schedule).to_contain_text("Sat på pause")
    schedule.get_by_role("button", name="Genoptag").click()
    expect(schedule).to_contain_text("Aktiv")
    schedule.get_by_role("link", name="Slet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slet fast bestilling")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Ja, slet den").click()
    expect(page.get_by_test_id("schedules")).to_contain_text(
        "Ingen faste bestillinger."
    )
