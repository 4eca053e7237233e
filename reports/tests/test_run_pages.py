"""The PDF report pages: only coordinators and admins ask for, follow and download
reports. Here the runs are not queued (a test's transaction never commits); the
worker's part is in tests/test_report_worker.py."""

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from activities.models import PlanPeriod
from boligsocial.models import Area, Role
from boligsocial.periods import Period
from reports.models import ReportRun
from reports.services import request_report
from tests.worker import stalled

LIST = reverse("reports:run_list")
PLAN = "Boligsocial helhedsplan 2024–2028"


def municipality(year: str = "2025", **fields) -> dict:
    return {"kind": "municipality", "period": "year", "year": year, **fields}


def lbf(year: str = "2025", plan: str = PLAN, **fields) -> dict:
    plan = PlanPeriod.objects.get(name=plan)
    return {"kind": "lbf", "plan_period": str(plan.pk), "year": year, **fields}


@pytest.fixture
def ready_run(run) -> ReportRun:
    default_storage.save(run.pdf_name, ContentFile(b"%PDF-1.7 test"))
    run.claim(task_id="test")
    run.mark_ready(pages=1, figures={})
    return run


def detail(run) -> str:
    return reverse("reports:run_detail", args=[run.pk])


# --- Who may --------------------------------------------------------------------------

OTHER_ROLES = [Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR, Role.PARTNER]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_coordinators_and_admins_see_the_report_page(client, personas, role):
    client.force_login(personas[role])

    assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_the_report_pages(client, personas, run, role):
    client.force_login(personas[role])

    assert client.get(LIST).status_code == 403
    assert client.post(LIST, municipality()).status_code == 403
    assert client.get(detail(run)).status_code == 403
    retry = reverse("reports:run_retry", args=[run.pk])
    assert client.post(retry).status_code == 403
    download = reverse("reports:run_download", args=[run.pk])
    assert client.get(download).status_code == 403
    assert ReportRun.objects.count() == 1


def test_an_outsider_is_sent_to_the_login_page(client, run):
    for url in (LIST, detail(run), reverse("reports:run_download", args=[run.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_run_that_does_not_exist_is_not_found(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("reports:run_detail", args=[999])).status_code == 404


def test_the_pages_answer_only_their_methods(client, coordinator, run):
    client.force_login(coordinator)

    assert client.put(LIST).status_code == 405
    assert client.post(detail(run)).status_code == 405
    assert client.get(reverse("reports:run_retry", args=[run.pk])).status_code == 405
    download = reverse("reports:run_download", args=[run.pk])
    assert client.post(download).status_code == 405


# --- Asking for a report --------------------------------------------------------------


def test_a_coordinator_asks_for_the_municipality_report(client, coordinator):
    client.force_login(coordinator)
    response = client.post(LIST, municipality(areas=["rising", "vollsmose"]))

    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response.url == detail(run)
    assert (run.kind, run.status, run.requested_by) == (
        "municipality",
        "queued",
        coordinator,
    )
    assert run.period == Period.year(2025)
    assert sorted(a.slug for a in run.areas.all()) == ["rising", "vollsmose"]


def test_no_area_chosen_means_every_area(client, coordinator):
    client.force_login(coordinator)
    client.post(LIST, municipality())

    assert ReportRun.objects.get().areas.count() == Area.objects.count()


def test_the_lbf_report_covers_its_plans_areas(client, coordinator):
    client.force_login(coordinator)
    client.post(LIST, lbf())

    run = ReportRun.objects.get()
    plan = PlanPeriod.objects.get(name=PLAN)
    assert (run.kind, run.plan_period) == ("lbf", plan)
    assert set(run.areas.all()) == set(plan.areas.all())


def test_the_same_request_twice_while_it_is_built_gives_the_one_run(
    client, coordinator
):
    client.force_login(coordinator)
    first = client.post(LIST, municipality(), follow=True)
    second = client.post(LIST, municipality(), follow=True)

    assert ReportRun.objects.count() == 1
    assert first.redirect_chain == second.redirect_chain
    assert "allerede ved at blive bygget" in second.content.decode()


def test_the_same_request_after_the_first_was_built_is_built_anew(
    client, coordinator, ready_run
):
    client.force_login(coordinator)
    client.post(LIST, municipality(areas=["rising"]))

    assert ReportRun.objects.count() == 2


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            lambda: lbf("2024", plan="Boligsocial helhedsplan 2017–2021"),
            "year",
            "2024 ligger uden for Boligsocial helhedsplan 2017–2021 (2017–2021).",
        ),
        (lambda: lbf(plan_period=""), "plan_period", "Vælg helhedsplanen."),
        (
            lambda: municipality(period="custom", start="2025-05-01", end="2025-01-01"),
            "end",
            "Slutdatoen ligger før startdatoen.",
        ),
        (lambda: municipality(year="1850"), "year", "Vælg et år fra listen."),
        (lambda: {"kind": "annual"}, "kind", "Vælg en af rapporterne."),
    ],
)
def test_a_bad_request_is_told_next_to_the_field_and_nothing_is_asked_for(
    client, coordinator, data, field, message
):
    client.force_login(coordinator)
    response = client.post(LIST, data())

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message.split(" ")[0] in response.content.decode()
    assert ReportRun.objects.count() == 0


def test_a_bad_request_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    data = municipality(period="custom", start="2025-05-01", end="2025-01-01")
    html = client.post(LIST, data).content.decode()

    assert 'value="2025-05-01"' in html and 'value="2025-01-31"' not in html
    assert 'value="2025-01-01"' in html


# --- Following a run ------------------------------------------------------------------


def test_the_run_page_polls_while_the_run_waits(client, coordinator, run):
    client.force_login(coordinator)
    html = client.get(detail(run)).content.decode()

    assert 'hx-trigger="every 2s"' in html
    assert "I kø" in html


def test_htmx_gets_only_the_status_and_it_stops_polling_when_ready(
    client, coordinator, ready_run
):
    client.force_login(coordinator)
    response = client.get(detail(ready_run), headers={"HX-Request": "true"})
    html = response.content.decode()

    assert html.lstrip().startswith('<div id="run-status"')
    assert "hx-trigger" not in html
    assert reverse("reports:run_download", args=[ready_run.pk]) in html
    assert response["Vary"].count("HX-Request") == 1


def test_a_failed_run_shows_why_and_can_be_tried_again(client, coordinator, run):
    run.claim(task_id="test")
    run.mark_failed("OSError: disken er fuld")
    client.force_login(coordinator)

    assert "OSError: disken er fuld" in client.get(detail(run)).content.decode()
    response = client.post(reverse("reports:run_retry", args=[run.pk]), follow=True)

    run.refresh_from_db()
    assert (run.status, run.error) == ("queued", "")
    assert "Rapporten bygges igen." in response.content.decode()


def test_a_run_whose_worker_died_says_so_and_can_be_tried_again(
    client, coordinator, run
):
    stalled(run)
    client.force_login(coordinator)

    html = client.get(detail(run)).content.decode()
    assert 'data-testid="run-stuck"' in html
    assert "svarer ikke" in html
    assert reverse("reports:run_retry", args=[run.pk]) in html
    response = client.post(reverse("reports:run_retry", args=[run.pk]), follow=True)

    run.refresh_from_db()
    assert run.status == "queued"
    assert "Rapporten bygges igen." in response.content.decode()


def test_a_run_building_as_it_should_offers_no_retry(client, coordinator, run):
    run.claim(task_id="busy")
    client.force_login(coordinator)

    html = client.get(detail(run)).content.decode()

    assert "Rapporten bygges nu." in html
    assert 'data-testid="run-stuck"' not in html
    assert reverse("reports:run_retry", args=[run.pk]) not in html
    client.post(reverse("reports:run_retry", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.task_id) == ("running", "busy")


def test_asking_again_for_a_run_whose_worker_died_queues_it_again(
    client, coordinator, run
):
    stalled(run)
    client.force_login(coordinator)

    response = client.post(LIST, municipality(areas=["rising"]))

    assert response.url == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == "queued"
    assert ReportRun.objects.count() == 1


def test_a_run_that_did_not_fail_is_not_built_again(client, coordinator, ready_run):
    client.force_login(coordinator)
    response = client.post(
        reverse("reports:run_retry", args=[ready_run.pk]), follow=True
    )

    ready_run.refresh_from_db()
    assert ready_run.status == "ready"
    assert "Kun en rapport, der fejlede" in response.content.decode()


# --- Downloading ----------------------------------------------------------------------


def test_a_ready_report_downloads_through_the_door(client, coordinator, ready_run):
    client.force_login(coordinator)
    response = client.get(reverse("reports:run_download", args=[ready_run.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert (
        "statusrapport-odense-kommune-2025-01-01-2025-12-31.pdf"
        in (response["Content-Disposition"])
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"


def test_a_report_that_is_not_ready_cannot_be_downloaded(client, coordinator, run):
    client.force_login(coordinator)

    assert client.get(reverse("reports:run_download", args=[run.pk])).status_code == 404


def test_the_pdf_is_not_served_from_the_media_address(client, coordinator, ready_run):
    client.force_login(coordinator)

    assert client.get(f"/media/{ready_run.pdf_name}").status_code == 404


# --- Cost -----------------------------------------------------------------------------


def test_the_run_list_takes_the_same_queries_for_one_run_or_many(
    client, coordinator, ready_run, django_assert_num_queries
):
    client.force_login(coordinator)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST)
    for year in (2021, 2022, 2023):
        request_report(
            kind=ReportRun.Kind.MUNICIPALITY,
            period=Period.year(year),
            areas=list(Area.objects.all()),
            by=coordinator,
        )

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert len(response.context["page"]) == 4


def test_htmx_gets_only_the_list_of_runs_which_polls_while_one_is_built(
    client, coordinator, run, django_assert_num_queries
):
    client.force_login(coordinator)
    with django_assert_num_queries(ROWS_QUERIES):
        response = client.get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()

    assert html.lstrip().startswith('<div id="run-rows"')
    assert 'hx-trigger="every 2s"' in html
    assert "report-request-form" not in html


def test_the_status_fragment_takes_a_fixed_number_of_queries(
    client, coordinator, run, django_assert_num_queries
):
    client.force_login(coordinator)
    with django_assert_num_queries(STATUS_QUERIES):
        client.get(detail(run), headers={"HX-Request": "true"})


LIST_QUERIES = 13
ROWS_QUERIES = 10
STATUS_QUERIES = 7


@pytest.mark.parametrize(
    "now", ["2026-12-04 12:00", "2027-01-01 00:05", "2028-02-29 23:55"]
)
def test_the_report_form_offers_this_year_first_chosen(client, coordinator, now):
    """The years run to the plan's last (2028): this year is the one chosen."""
    with time_machine.travel(f"{now} +0100", tick=False):
        client.force_login(coordinator)
        year = timezone.localdate().year
        form = client.get(LIST).context["form"]
    assert form["year"].value() == year
    assert f'<option value="{year}" selected>' in str(form["year"])
