"""The PDF status reports, read back with poppler: their numbers are the figures
layer's and the dashboard's, and a page of each is kept as a picture (the
artefacts of the test run) to look at."""

import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from activities.models import Activity, PlanPeriod
from boligsocial.models import Area
from boligsocial.periods import Period
from boligsocial.templatetags.figures import figure
from reports.models import ReportRun
from reports.pdf import render_report
from reports.services import request_report

from .conftest import YEAR, table_rows, two_areas

A4_IN_POINTS = (595.28, 841.89)


def run_command(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def make_run(kind, by, *, period=YEAR, areas=None) -> ReportRun:
    plan = PlanPeriod.objects.get(name="Boligsocial helhedsplan 2024–2028")
    run, _ = request_report(
        kind=kind,
        period=period,
        areas=areas if areas is not None else two_areas(),
        by=by,
        plan_period=plan if kind == ReportRun.Kind.LBF else None,
    )
    return run


def built(run: ReportRun, folder: Path) -> tuple[Path, int, dict]:
    pdf, pages, record = render_report(run)
    path = folder / f"{run.kind}.pdf"
    path.write_bytes(pdf)
    return path, pages, record


def layout_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return run_command("pdftotext", "-layout", *pages, str(path), "-")


def pdf_info(path: Path) -> dict:
    return dict(
        (key.strip(), value.strip())
        for key, value in (
            line.split(":", 1)
            for line in run_command("pdfinfo", str(path)).splitlines()
        )
    )


def shown(row: list) -> list[str]:
    """A recorded row as the PDF and the dashboard write it."""
    with translation.override("da"):
        return [str(row[0]), *[figure(cell) for cell in row[1:]]]


def has_line(text: str, cells: list[str]) -> bool:
    """Some line of the page text holds the cells in order, only spaces between."""
    pattern = r"\s+".join(re.escape(cell) for cell in cells)
    return any(re.search(pattern, line) for line in text.splitlines())


@pytest.fixture
def municipality(fixed_data, coordinator, tmp_path):
    return built(make_run(ReportRun.Kind.MUNICIPALITY, coordinator), tmp_path)


@pytest.fixture
def lbf(fixed_data, coordinator, tmp_path):
    """As the page asks for it: every area of the plan."""
    plan = PlanPeriod.objects.get(name="Boligsocial helhedsplan 2024–2028")
    run = make_run(ReportRun.Kind.LBF, coordinator, areas=list(plan.areas.all()))
    return built(run, tmp_path)


# --- The municipality's report --------------------------------------------------------

COMPARED = [
    "key_figures",
    "signups",
    "walks",
    "findings",
    "finding_sources",
    "resident_reports",
    "incidents",
    "advice",
]


def test_the_municipality_report_is_a4_with_a_page_count(municipality):
    path, pages, _ = municipality

    info = pdf_info(path)
    assert int(info["Pages"]) == pages >= 6
    width, _, height = info["Page size"].split()[:3]
    assert (float(width), float(height)) == pytest.approx(A4_IN_POINTS, abs=0.01)
    assert f"Side 2 af {pages}" in layout_text(path, 2)


def test_the_numbers_in_the_pdf_are_the_figures_layers(municipality):
    path, _, record = municipality
    text = layout_text(path)

    for slug in COMPARED:
        for row in record["tables"][slug]["rows"]:
            assert has_line(text, shown(row)), (slug, shown(row))


def test_the_numbers_in_the_pdf_are_the_dashboards(municipality, client, coordinator):
    _, _, record = municipality
    client.force_login(coordinator)
    query = {"period": "year", "year": "2025", "areas": ["rising", "vollsmose"]}
    html = client.get(reverse("reports:dashboard"), query).content.decode()

    for slug in COMPARED:
        on_the_dashboard = table_rows(html, slug)[1:]
        in_the_pdf = [shown(row) for row in record["tables"][slug]["rows"]]
        assert on_the_dashboard[: len(in_the_pdf)] == in_the_pdf, slug


def test_the_pdf_hides_small_advice_counts_whoever_asks(fixed_data, advisor, tmp_path):
    run = make_run(ReportRun.Kind.MUNICIPALITY, advisor)
    path, _, record = built(run, tmp_path)

    vollsmose = record["tables"]["advice"]["rows"][1]
    assert vollsmose[:2] == ["Vollsmose", "<5"]
    assert has_line(layout_text(path), ["Vollsmose", "<5"])
    assert "Vollsmose husstand" not in layout_text(path)


def test_the_pdf_explains_a_hidden_key_figure_under_its_table(municipality):
    path, _, record = municipality
    cells = [cell for row in record["tables"]["key_figures"]["rows"] for cell in row]
    assert ".." in cells
    text = " ".join(layout_text(path).split())

    assert "..: ikke vist, så et lille tal ikke kan regnes ud fra de andre tal." in text


def test_the_contents_give_the_page_each_section_starts_on(municipality):
    path, pages, _ = municipality
    contents = layout_text(path, 2)

    for section in ("2. Tryghed", "3. Forebyggelse af udsættelser"):
        listed = int(re.search(rf"{re.escape(section)}\W+(\d+)", contents).group(1))
        assert section in layout_text(path, listed)
        assert section not in layout_text(path, listed - 1)


def test_a_period_without_data_gives_a_report_that_says_so(
    fixed_data, coordinator, tmp_path
):
    run = make_run(ReportRun.Kind.MUNICIPALITY, coordinator, period=Period.year(2019))
    path, _, record = built(run, tmp_path)

    assert "Der er ingen registreringer i perioden" in layout_text(path)
    assert record["tables"]["walks"]["total"] == ["I alt", 0, "", 0]


def test_the_run_records_the_period_and_areas_it_was_built_for(municipality):
    _, _, record = municipality

    assert record["period"] == {
        "start": "2025-01-01",
        "end": "2025-12-31",
        "kind": "year",
    }
    assert record["areas"] == ["Rising", "Vollsmose"]


# --- The LBF report -------------------------------------------------------------------


def test_the_lbf_report_has_cover_contents_goals_activities_and_method(lbf):
    path, pages, _ = lbf
    text = " ".join(layout_text(path).split())

    assert "Statusrapport til Landsbyggefonden" in text
    assert "status 2025" in text
    assert "Indhold" in text
    assert "1. Helhedsplanens mål" in text
    assert "Børn og unge får et fagligt løft" in text
    assert "Bilag: Sådan er tallene talt" in text
    assert f"Side {pages} af {pages}" in text


def test_each_activity_shows_purpose_target_group_status_and_results(lbf):
    path, _, record = lbf
    text = layout_text(path)
    flat = " ".join(text.split())

    assert "Unge uden forudsætninger for selv at finde fritidsjob" in flat
    assert "Fem unge fik fritidsjob i Rising og to i Vollsmose." in flat
    assert "Statusteksten for 2025 er ikke godkendt endnu." in flat
    # Reached 3 in Rising and 2 in Vollsmose against the plan's target of 10.
    assert has_line(
        text, ["Unge der har fået et fritidsjob", "personer", "5", "10", "50,0"]
    )
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    rows = record["tables"][f"activity_{jobs.pk}_areas"]["rows"]
    assert [row[:3] for row in rows if row[1]] == [
        ["Rising", 1, 12],
        ["Vollsmose", 1, 8],
    ]


# --- Looking at the pages -------------------------------------------------------------


@pytest.mark.parametrize("report, number", [("municipality", 4), ("lbf", 3)])
def test_a_page_of_each_report_is_kept_as_a_picture(
    request, fixed_data, artefacts, report, number
):
    # fixed_data named here, not only through the report's fixture, so that
    # pytest-django runs this test among those with a database.
    path, _, _ = request.getfixturevalue(report)
    prefix = artefacts / f"report-{report}-page"
    run_command(
        "pdftoppm",
        "-r",
        "70",
        "-png",
        "-f",
        str(number),
        "-l",
        str(number),
        str(path),
        str(prefix),
    )

    (picture,) = artefacts.glob(f"report-{report}-page-*{number}.png")
    with Image.open(picture) as image:
        grey = image.convert("L")
        inked = sum(grey.histogram()[:128])
        assert grey.size == (579, 819)
        # Text, tables and charts, not a blank page nor a black one.
        assert 0.01 < inked / (grey.size[0] * grey.size[1]) < 0.5


def test_the_areas_of_a_report_are_its_own(fixed_data, coordinator, tmp_path):
    run = make_run(
        ReportRun.Kind.MUNICIPALITY,
        coordinator,
        areas=list(Area.objects.filter(slug="rising")),
    )
    path, _, _ = built(run, tmp_path)

    assert "Vollsmose" not in layout_text(path)
