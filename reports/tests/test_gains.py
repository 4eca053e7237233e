"""Gevinster: unit values kept by coordinators in the admin, with their versions;
the gains they give in the figures layer, on the dashboard and in the
municipality's PDF; and every refusal of a value that cannot be right."""

import datetime
import re
import subprocess

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse

from activities.models import Activity
from advice.models import Case, OutcomeKind
from advice.tests.conftest import add_outcome
from boligsocial.models import Area
from boligsocial.suppression import HIDDEN
from boligsocial.templatetags.figures import figure
from reports.figures import figures_for
from reports.models import ReportRun, UnitValue, UnitValueVersion
from reports.services import build_report_run

from .conftest import YEAR, table_rows, two_areas, unit_value
from .test_pdf import built, has_line, layout_text, make_run, run_command

pytestmark = pytest.mark.django_db

ADD = reverse("admin:reports_unitvalue_add")
DASHBOARD = reverse("reports:dashboard")
BOTH = {"period": "year", "year": "2025", "areas": ["rising", "vollsmose"]}


def change_url(value: UnitValue) -> str:
    return reverse("admin:reports_unitvalue_change", args=[value.pk])


def form(value: UnitValue | None = None, **changes) -> dict:
    """The admin's form as a coordinator sends it: the value's fields (or a new
    one's), with `changes`, and the read-only history's management form."""
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    data = {
        "name": "Ung i uddannelse",
        "description": "",
        "basis": UnitValue.Basis.INDICATOR,
        "outcome_kind": "",
        "indicators": [jobs.indicators.get(name="Unge i fritidsjobrådgivning").pk],
        "activities": [],
        "low": "20000",
        "high": "40000",
        "price_year": "2022",
        "source_title": "En rapport",
        "source_publisher": "Et institut",
        "source_year": "2023",
        "source_page": "12",
        "source_url": "",
        "is_active": "on",
        "order": "5",
    }
    if value is not None:
        data.update(
            {
                key: "" if getattr(value, key) is None else str(getattr(value, key))
                for key in ("name", "basis", "low", "high", "price_year", "order")
            }
        )
        data.update(
            {
                "outcome_kind": value.outcome_kind_id or "",
                "indicators": [i.pk for i in value.indicators.all()],
                "activities": [a.pk for a in value.activities.all()],
                "source_title": value.source_title,
                "source_publisher": value.source_publisher,
                "source_year": str(value.source_year),
                "source_page": value.source_page,
                "source_url": value.source_url,
                "seen_version": str(value.version),
            }
        )
    versions = value.versions.count() if value else 0
    data.update(
        {
            "versions-TOTAL_FORMS": str(versions),
            "versions-INITIAL_FORMS": str(versions),
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        }
    )
    for n, version in enumerate(value.versions.all() if value else []):
        data[f"versions-{n}-id"] = str(version.pk)
        data[f"versions-{n}-unit_value"] = str(value.pk)
    data.update(changes)
    return {key: val for key, val in data.items() if val is not None}


def gains_of(figures) -> dict[str, tuple]:
    return {
        row.value.name: (row.count, row.low, row.high) for row in figures.gains.rows
    }


# --- Kept in the admin, with versions ---------------------------------------------


def test_a_coordinator_adds_a_unit_value_and_it_is_its_first_version(
    client, coordinator
):
    client.force_login(coordinator)

    response = client.post(ADD, form())

    assert response.status_code == 302
    value = UnitValue.objects.get(name="Ung i uddannelse")
    assert (value.low, value.high, value.revision) == (20_000, 40_000, 1)
    version = value.versions.get()
    assert (version.revision, version.low, version.high) == (1, 20_000, 40_000)
    assert version.changed_by == coordinator
    assert version.source == "En rapport, Et institut 2023, s. 12"
    assert version.counted == (
        "Opnået på Fritidsjobrådgivning: Unge i fritidsjobrådgivning"
    )


def test_a_changed_amount_is_a_new_version_and_the_old_one_is_kept(
    client, coordinator, fixed_data
):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    client.force_login(coordinator)

    response = client.post(change_url(value), form(value, high="30000"))

    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.high, value.revision) == (30_000, 2)
    assert list(value.versions.values_list("revision", "low", "high")) == [
        (2, 10_000, 30_000),
        (1, 10_000, 25_000),
    ]
    history = client.get(change_url(value)).content.decode()
    assert "25000" in history and "30000" in history


def test_the_change_page_carries_the_version_it_was_shown_with(
    client, coordinator, fixed_data
):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    client.force_login(coordinator)

    html = client.get(change_url(value)).content.decode()

    assert re.search(
        rf'<input type="hidden" name="seen_version" value="{value.version}"', html
    )


def test_a_new_name_alone_is_not_a_new_version(client, coordinator, fixed_data):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    client.force_login(coordinator)

    client.post(change_url(value), form(value, name="Ung i sit første job"))

    value.refresh_from_db()
    assert (value.name, value.revision, value.versions.count()) == (
        "Ung i sit første job",
        1,
        1,
    )


def test_saving_a_value_unchanged_keeps_its_version_in_step_with_its_history(
    client, coordinator, fixed_data
):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    client.force_login(coordinator)
    client.post(change_url(value), form(value, high="30000"))
    value.refresh_from_db()

    client.post(change_url(value), form(value))

    value.refresh_from_db()
    assert value.revision == 2 == value.versions.count()


def test_a_form_opened_before_someone_saved_is_refused_and_keeps_the_typing(
    client, coordinator, fixed_data
):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    opened = form(value, high="28000")  # as one coordinator's page was shown
    client.force_login(coordinator)
    client.post(change_url(value), form(value, high="30000"))  # another saves

    response = client.post(change_url(value), opened)

    html = response.content.decode()
    assert "En anden har gemt ændringer, mens du havde siden åben." in html
    assert 'value="28000"' in html
    value.refresh_from_db()
    assert (value.high, value.revision) == (30_000, 2)


def test_a_unit_value_is_retired_not_deleted(client, coordinator, fixed_data):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    client.force_login(coordinator)
    delete = reverse("admin:reports_unitvalue_delete", args=[value.pk])

    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(change_url(value), form(value, is_active=None))

    value.refresh_from_db()
    assert not value.is_active
    assert "Ung i fritidsjob" not in gains_of(
        figures_for(areas=two_areas(), period=YEAR, suppress=True)
    )


@pytest.mark.parametrize("who", ["staff", "partner", "advisor"])
def test_only_those_who_keep_the_plan_reach_the_unit_values(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(ADD, form())

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not UnitValue.objects.filter(name="Ung i uddannelse").exists()


# --- Bad input: a clear message, the typing kept, nothing saved -------------------


def retired_outcome() -> dict:
    kind = OutcomeKind.objects.get(code="budget_made")
    kind.is_active = False
    kind.save(update_fields=["is_active"])
    return {
        "basis": UnitValue.Basis.OUTCOME,
        "outcome_kind": str(kind.pk),
        "indicators": [],
    }


def participants_counted() -> dict:
    """A value on the participants of Fritidsjobrådgivning is in use: its new
    participants are some of the same people."""
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    unit_value(
        None,
        name="Deltager i fritidsjobrådgivning",
        basis=UnitValue.Basis.PARTICIPANTS,
        activities=[jobs],
        low=100,
        high=200,
    )
    return {
        "basis": UnitValue.Basis.NEW_PARTICIPANTS,
        "indicators": [],
        "activities": [jobs.pk],
    }


BAD = {
    "a negative amount": (
        lambda: {"low": "-5000"},
        "Et beløb kan ikke være negativt.",
    ),
    "a low above its high": (
        lambda: {"low": "50000", "high": "40000"},
        "Det høje skøn skal være mindst lige så stort som det lave.",
    ),
    "a source without a year": (
        lambda: {"source_year": ""},
        "Skriv det år, kilden er udgivet.",
    ),
    "a source year that is no year": (
        lambda: {"source_year": "16"},
        "Året skal være 1950 eller senere.",
    ),
    "a source without page or link": (
        lambda: {"source_page": "", "source_url": ""},
        "Skriv siden i kilden eller et link, så andre kan finde tallet.",
    ),
    "an outcome kind that was retired": (
        retired_outcome,
        "Resultattypen »Budget lagt« er ikke længere i brug",
    ),
    "an outcome basis without its outcome": (
        lambda: {"basis": UnitValue.Basis.OUTCOME, "indicators": []},
        "Vælg det resultat, værdien ganges med.",
    ),
    "an indicator basis without indicators": (
        lambda: {"indicators": []},
        "Vælg mindst én indikator.",
    ),
    "participants without activities": (
        lambda: {"basis": UnitValue.Basis.PARTICIPANTS},
        "Vælg mindst én aktivitet.",
    ),
    "a count another value already multiplies": (
        lambda: {
            "indicators": [
                Activity.objects.get(name="Fritidsjobrådgivning")
                .indicators.get(name="Unge der har fået et fritidsjob")
                .pk
            ]
        },
        "»Ung i fritidsjob« ganges allerede med det samme.",
    ),
    "an amount that is no number": (
        lambda: {"high": "mange"},
        "Indtast et heltal.",
    ),
    "an amount beyond any unit": (
        lambda: {"high": "99999999999999999999"},
        "Højst 1.000.000.000 kr. for én enhed.",
    ),
    "a basis that is none of the choices": (
        lambda: {"basis": "everything"},
        "Marker en gyldig valgmulighed.",
    ),
    "an outcome kind that does not exist": (
        lambda: {
            "basis": UnitValue.Basis.OUTCOME,
            "outcome_kind": "987654",
            "indicators": [],
        },
        "Marker en gyldig valgmulighed.",
    ),
    "new participants of an activity whose participants are counted": (
        participants_counted,
        "»Deltager i fritidsjobrådgivning« ganges allerede med det samme.",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    client, coordinator, fixed_data, case
):
    changes, message = BAD[case]
    posted = form(**changes(), name="Mit nye skøn")
    values, versions = UnitValue.objects.count(), UnitValueVersion.objects.count()
    client.force_login(coordinator)

    response = client.post(ADD, posted)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Mit nye skøn"' in html  # what was typed is kept
    assert UnitValue.objects.count() == values
    assert UnitValueVersion.objects.count() == versions


def test_a_bad_change_leaves_the_value_and_its_history_as_they_were(
    client, coordinator, fixed_data
):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    client.force_login(coordinator)

    response = client.post(change_url(value), form(value, low="90000"))

    assert "Det høje skøn skal være mindst lige så stort som det lave." in (
        response.content.decode()
    )
    value.refresh_from_db()
    assert (value.low, value.revision, value.versions.count()) == (10_000, 1, 1)


def test_the_database_refuses_a_low_above_its_high_whatever_saves_it(fixed_data):
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    value.low = 30_000
    with pytest.raises(IntegrityError), transaction.atomic():
        value.save(update_fields=["low"])


# --- In the figures layer ---------------------------------------------------------


def test_gains_are_the_records_counts_times_the_unit_values(fixed_data):
    figures = figures_for(areas=two_areas(), period=YEAR, suppress=False)
    gains = gains_of(figures)

    # Three young people into a job in Rising and two in Vollsmose in 2025.
    assert gains["Ung i fritidsjob"] == (5, 50_000, 125_000)
    # One eviction avoided in Rising; the advice team sees it exactly.
    assert gains["Udsættelse afværget"] == (1, 50_000, 150_000)
    shown = [row for row in figures.gains.rows if row.shown]
    assert figures.gains.low == sum(row.low for row in shown)
    assert figures.gains.high == sum(row.high for row in shown)


def test_outside_the_advice_team_a_small_count_gives_no_kroner(fixed_data):
    figures = figures_for(areas=two_areas(), period=YEAR, suppress=True)
    eviction = next(
        row for row in figures.gains.rows if row.value.name == "Udsættelse afværget"
    )

    assert (eviction.count, eviction.low, eviction.high) == (HIDDEN, HIDDEN, HIDDEN)
    exact = figures_for(areas=two_areas(), period=YEAR, suppress=False).gains
    assert figures.gains.low == exact.low - 50_000
    assert figures.gains.some_hidden


@pytest.mark.parametrize("suppress", [True, False])
@pytest.mark.parametrize(
    "areas", [["rising"], ["vollsmose"], ["rising", "vollsmose"], None]
)
def test_an_outcomes_count_is_the_advice_tables_total_mark_for_mark(
    fixed_data, areas, suppress
):
    chosen = Area.objects.filter(slug__in=areas) if areas else Area.objects.all()
    figures = figures_for(areas=chosen, period=YEAR, suppress=suppress)

    eviction = gains_of(figures)["Udsættelse afværget"][0]
    assert eviction == figures.advice.total.evictions_avoided


def test_an_outcomes_count_over_small_ones_is_shown_for_the_whole_plan_only(
    fixed_data,
):
    """Three evictions avoided in Rising and two in Vollsmose: each area's count
    is small, their sum of 5 gives neither away over the whole plan, and over
    the two areas it would (with one area's count, the other's follows)."""
    rising = Case.objects.filter(household__name__startswith="Rising husstand")
    vollsmose = Case.objects.filter(household__name__startswith="Vollsmose husstand")
    for case in [*rising.order_by("pk")[1:3], *vollsmose]:
        add_outcome(case, "eviction_avoided", on=datetime.date(2025, 6, 1))

    whole = figures_for(areas=Area.objects.all(), period=YEAR, suppress=True)
    two = figures_for(areas=two_areas(), period=YEAR, suppress=True)

    assert gains_of(whole)["Udsættelse afværget"] == (5, 250_000, 750_000)
    assert whole.advice.total.evictions_avoided == 5
    assert gains_of(two)["Udsættelse afværget"] == (HIDDEN, HIDDEN, HIDDEN)
    assert two.advice.total.evictions_avoided == HIDDEN


def test_a_value_counts_participants_or_new_participants_of_its_activities(
    fixed_data, coordinator
):
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    unit_value(
        coordinator,
        name="Deltager",
        basis=UnitValue.Basis.PARTICIPANTS,
        activities=[jobs],
        low=100,
        high=200,
    )
    community = Activity.objects.get(name="Medborgerskab og frivillighed")
    unit_value(
        coordinator,
        name="Ny deltager",
        basis=UnitValue.Basis.NEW_PARTICIPANTS,
        activities=[community],
        low=1_000,
        high=1_000,
    )

    gains = gains_of(figures_for(areas=two_areas(), period=YEAR, suppress=True))

    assert gains["Deltager"] == (20, 2_000, 4_000)  # 12 in Rising, 8 in Vollsmose
    assert gains["Ny deltager"] == (0, 0, 0)  # 30 came, none of them new


def test_a_period_only_compared_with_has_no_gains(fixed_data):
    figures = figures_for(
        areas=two_areas(), period=YEAR.previous(), suppress=True, details=False
    )

    assert figures.gains is None


# --- On the dashboard -------------------------------------------------------------


def test_the_dashboard_shows_the_gains_with_chart_notes_and_sources(
    client, coordinator, fixed_data
):
    client.force_login(coordinator)
    html = client.get(DASHBOARD, BOTH).content.decode()

    rows = table_rows(html, "gains")
    assert ["Ung i fritidsjob", "5", "50.000", "125.000"] in rows
    assert ["Udsættelse afværget", "..", "..", ".."] in rows
    assert 'data-testid="chart-gains"' in html
    assert "Ung i fritidsjob: 50.000–125.000 kr." in html
    assert "ikke effekter målt mod en sammenligningsgruppe" in html
    sources = table_rows(html, "unit_values")
    assert [
        "Ung i fritidsjob",
        "Opnået på Fritidsjobrådgivning: Unge der har fået et fritidsjob",
        "Testkilde, Testforlaget 2024, s. 7",
        "2024",
        "10.000",
        "25.000",
        "1",
    ] in sources
    # The catalogue's examples wait, not in use, for a coordinator to judge them.
    assert not any("eksempel" in row[0] for row in rows)
    assert "2 eksempler på enhedsværdier venter på, at I vurderer dem" in html
    assert 'data-testid="keep-unit-values"' in html


def test_an_example_put_in_use_unreviewed_is_marked_on_the_page_and_in_the_pdf(
    client, coordinator, fixed_data, tmp_path
):
    example = UnitValue.objects.get(name__startswith="Ung fra kanten")
    example.is_active = True
    example.save(update_fields=["is_active"])
    client.force_login(coordinator)

    html = client.get(DASHBOARD, BOTH).content.decode()

    name = (
        "Ung fra kanten af samfundet til et almindeligt liv (eksempel, ikke gennemgået)"
    )
    assert name in [row[0] for row in table_rows(html, "gains")]
    assert "1 enhedsværdi er et eksempel, som koordinatorerne endnu ikke" in html
    path, _, _ = built(make_run(ReportRun.Kind.MUNICIPALITY, coordinator), tmp_path)
    flat = " ".join(run_command("pdftotext", str(path), "-").split())
    assert "1 enhedsværdi er et eksempel, som koordinatorerne endnu ikke" in flat


def test_a_partner_sees_the_gains_of_their_own_areas(client, partner, fixed_data):
    client.force_login(partner)
    html = client.get(DASHBOARD, {"period": "year", "year": "2025"}).content.decode()

    assert ["Ung i fritidsjob", "3", "30.000", "75.000"] in table_rows(html, "gains")
    assert 'data-testid="keep-unit-values"' not in html
    assert 'data-testid="examples-waiting"' not in html


def test_with_no_unit_value_in_use_the_page_and_the_pdf_say_so(
    client, coordinator, db, tmp_path
):
    UnitValue.objects.update(is_active=False)
    client.force_login(coordinator)

    html = client.get(DASHBOARD, BOTH).content.decode()

    assert "Ingen enhedsværdier er i brug" in html
    assert 'data-testid="chart-gains"' not in html
    path, _, _ = built(make_run(ReportRun.Kind.MUNICIPALITY, coordinator), tmp_path)
    assert "Ingen enhedsværdier er i brug" in " ".join(
        run_command("pdftotext", str(path), "-").split()
    )


# --- In the municipality's report -------------------------------------------------


def test_the_gains_in_the_pdf_are_the_figures_layers(fixed_data, coordinator, tmp_path):
    path, _, record = built(
        make_run(ReportRun.Kind.MUNICIPALITY, coordinator), tmp_path
    )
    text = layout_text(path)

    assert "6. Gevinster" in text
    assert has_line(text, ["Ung i fritidsjob", "5", "50.000", "125.000"])
    assert has_line(text, ["Udsættelse afværget", "..", "..", ".."])
    total = record["tables"]["gains"]["total"]
    figures = figures_for(areas=two_areas(), period=YEAR, suppress=True).gains
    assert total == ["I alt", "", figures.low, figures.high]
    assert has_line(text, ["I alt", "–", figure(figures.low), figure(figures.high)])
    flat = " ".join(run_command("pdftotext", str(path), "-").split())
    assert "Gevinsterne er vejledende." in flat
    assert "Testkilde, Testforlaget 2024, s. 7" in flat


def test_a_report_keeps_the_values_it_used_and_a_change_reaches_only_later_ones(
    client, fixed_data, coordinator
):
    first = built_run(coordinator)
    # The coordinator raises the value in the admin.
    value = UnitValue.objects.get(name="Ung i fritidsjob")
    client.force_login(coordinator)
    client.post(change_url(value), form(value, low="20000", high="30000"))
    second = built_run(coordinator)

    assert first.pk != second.pk
    assert used(first) == [10_000, 25_000, 1]
    assert gain(first) == [5, 50_000, 125_000]
    assert used(second) == [20_000, 30_000, 2]
    assert gain(second) == [5, 100_000, 150_000]
    # Each PDF prints the version it was computed with; the first is as it was.
    assert has_line(pdf_text(first), ["Ung i fritidsjob", "5", "50.000", "125.000"])
    assert has_line(pdf_text(second), ["Ung i fritidsjob", "5", "100.000", "150.000"])
    # Each run's page says which values it was computed with.
    page = client.get(reverse("reports:run_detail", args=[first.pk])).content.decode()
    assert (
        "Ung i fritidsjob: 10.000–25.000 kr. pr. enhed (2024-priser, version 1)" in page
    )
    page = client.get(reverse("reports:run_detail", args=[second.pk])).content.decode()
    assert (
        "Ung i fritidsjob: 20.000–30.000 kr. pr. enhed (2024-priser, version 2)" in page
    )
    # The dashboard computes with the value in use now.
    html = client.get(DASHBOARD, BOTH).content.decode()
    assert ["Ung i fritidsjob", "5", "100.000", "150.000"] in table_rows(html, "gains")


def built_run(by) -> ReportRun:
    """A municipality report of 2025 for Rising and Vollsmose, built as the
    worker builds it: its PDF stored, its figures recorded."""
    run = make_run(ReportRun.Kind.MUNICIPALITY, by)
    assert build_report_run(run.pk, task_id=f"test-{run.pk}") == "ready"
    run.refresh_from_db()
    return run


def used(run: ReportRun) -> list:
    """The low, high and version of "Ung i fritidsjob" the run recorded."""
    row = next(
        row
        for row in run.figures["tables"]["unit_values"]["rows"]
        if row[0] == "Ung i fritidsjob"
    )
    return [row[4], row[5], row[6]]


def gain(run: ReportRun) -> list:
    rows = run.figures["tables"]["gains"]["rows"]
    return next(row[1:] for row in rows if row[0] == "Ung i fritidsjob")


def pdf_text(run: ReportRun) -> str:
    with default_storage.open(run.pdf.name, "rb") as pdf:
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=pdf.read(),
            capture_output=True,
            check=True,
        ).stdout.decode()
