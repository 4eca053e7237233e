"""The beredskab in figures: incidents per area, severity and month, the time from
an incident to the first partner told, the network's open tasks; the page that
shows them per role, and the stacked-column chart it draws."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from boligsocial.charts import stacked_columns
from boligsocial.models import Area
from safety.beredskab.figures import duration_text, incident_figures
from safety.conftest import TODAY, make_incident, make_meeting, make_task
from safety.models import Incident, IncidentNotification

pytestmark = pytest.mark.usefixtures("frozen_today")

PAGE = reverse("safety:beredskab_figures")
YEAR_START = datetime.date(2026, 1, 1)
MINOR, SERIOUS, CRITICAL = Incident.Severity.values


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026):
    """A moment in Danish time."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def area(slug: str) -> Area:
    return Area.objects.get(slug=slug)


def tell(incident, organisation, *, after: int | None = None, failed=False):
    """A notification of the incident to the organisation: sent `after` minutes
    after the incident, failed for good, or (neither) still pending."""
    notification = IncidentNotification.objects.create(
        incident=incident, organisation=organisation
    )
    if after is not None:
        notification.mark_sent(recipients=["kontakt@example.org"])
        IncidentNotification.objects.filter(pk=notification.pk).update(
            sent_at=incident.occurred_at + datetime.timedelta(minutes=after)
        )
    elif failed:
        notification.mark_attempt_failed(error="Ingen e-mail", final=True)
    return notification


def incident(slug: str, occurred_at, severity) -> Incident:
    return make_incident(
        area(slug),
        occurred_at=occurred_at,
        severity=severity,
        title="Hemmelig overskrift",
        place="Hemmeligt sted",
    )


@pytest.fixture
def incidents(police, ssp):
    """Rising 2026: a minor one in January told to the police after 30 minutes and
    SSP after 90; a serious one in February told after 65 minutes; a critical one
    in February whose notification still waits; a minor one late on 31 March told
    "10 minutes before" it happened (a clock ahead) whose SSP notification failed.
    Vollsmose: a serious one in April told after 4 hours, and one late on New
    Year's Eve 2025 told at once."""
    january = incident("rising", at(1, 10, 12), MINOR)
    tell(january, police, after=30)
    tell(january, ssp, after=90)
    tell(incident("rising", at(2, 3, 8), SERIOUS), police, after=65)
    tell(incident("rising", at(2, 20, 22), CRITICAL), police)
    march = incident("rising", at(3, 31, 23, 30), MINOR)
    tell(march, police, after=-10)
    tell(march, ssp, failed=True)
    tell(incident("vollsmose", at(4, 2), SERIOUS), police, after=240)
    tell(incident("vollsmose", at(12, 31, 23, 30, year=2025), MINOR), police, after=5)


@pytest.fixture
def tasks(police, ssp, municipality, rising):
    """A meeting of the whole network (no areas): two open police tasks, one past
    its due date, and a done SSP task; a Vollsmose meeting: an overdue municipality
    task; a Rising-and-Vollsmose meeting: an SSP task due today."""
    vollsmose = area("vollsmose")
    network = make_meeting(organisations=[police, ssp])
    make_task(network, police)
    make_task(network, police, due_on=TODAY - datetime.timedelta(days=1))
    make_task(
        network,
        ssp,
        due_on=TODAY - datetime.timedelta(days=10),
        done_on=TODAY - datetime.timedelta(days=2),
    )
    local = make_meeting(organisations=[municipality], areas=[vollsmose])
    make_task(local, municipality, due_on=TODAY - datetime.timedelta(days=3))
    both = make_meeting(organisations=[ssp], areas=[rising, vollsmose])
    make_task(both, ssp, due_on=TODAY)


def figures_2026(areas=None, **options):
    return incident_figures(
        areas=areas if areas is not None else Area.objects.all(),
        start=options.pop("start", YEAR_START),
        end=options.pop("end", TODAY),
        today=TODAY,
        **options,
    )


def by_area(figures) -> dict:
    return {row.area.slug: row for row in figures.rows}


# --- Incidents per area, severity and month ------------------------------------------


def test_incidents_of_the_period_per_area_and_severity(incidents):
    figures = figures_2026()
    rising, vollsmose = by_area(figures)["rising"], by_area(figures)["vollsmose"]
    assert rising.by_severity == {MINOR: 2, SERIOUS: 1, CRITICAL: 1}
    assert (rising.total, rising.critical) == (4, 1)
    # New Year's Eve 2025 is last year's, however close to midnight.
    assert vollsmose.by_severity == {MINOR: 0, SERIOUS: 1, CRITICAL: 0}
    assert by_area(figures)["korslokkeparken"].total == 0
    assert figures.total.by_severity == {MINOR: 2, SERIOUS: 2, CRITICAL: 1}


def test_every_month_of_the_period_per_severity_in_danish_time(incidents):
    periods = figures_2026().periods
    assert [row.label for row in periods] == [
        "jan 2026",
        "feb 2026",
        "mar 2026",
        "apr 2026",
        "maj 2026",
    ]
    assert [list(row.by_severity.values()) for row in periods] == [
        [1, 0, 0],
        [0, 1, 1],
        [1, 0, 0],  # 23:30 on 31 March is March in Odense (21:30 UTC)
        [0, 1, 0],
        [0, 0, 0],
    ]


def test_a_period_longer_than_eighteen_months_goes_per_quarter(incidents):
    figures = figures_2026(start=datetime.date(2024, 11, 15))
    assert figures.quarterly
    labels = [row.label for row in figures.periods]
    assert labels[0] == "4. kvt. 2024" and labels[-1] == "2. kvt. 2026"
    assert len(labels) == 7
    totals = {row.label: row.total for row in figures.periods}
    assert (totals["4. kvt. 2025"], totals["1. kvt. 2026"]) == (1, 4)
    assert not figures_2026(start=datetime.date(2024, 12, 1)).quarterly  # 18 months


def test_only_the_areas_asked_for_are_counted(incidents):
    figures = figures_2026(areas=Area.objects.filter(slug="vollsmose"))
    assert [row.area.slug for row in figures.rows] == ["vollsmose"]
    assert figures.total.total == 1
    assert sum(row.total for row in figures.periods) == 1


# --- Time to the first notification --------------------------------------------------


def test_the_median_average_and_longest_time_to_the_first_notification(incidents):
    times = by_area(figures_2026())["rising"].times
    # 30 (not the SSP's 90), 65, and 0 for the notification "before" the incident;
    # the waiting one is not notified yet.
    assert times.notified == 3
    assert times.median == 30
    assert times.average == pytest.approx(95 / 3)
    assert times.longest == 65
    assert (times.median_text, times.average_text, times.longest_text) == (
        "30 min",
        "32 min",
        "1 t 5 min",
    )


def test_the_total_times_are_of_every_notified_incident_together(incidents):
    times = figures_2026().total.times
    assert times.notified == 4
    assert times.median == pytest.approx(47.5)  # of 0, 30, 65 and 240
    assert times.average == pytest.approx(83.75)
    assert times.longest_text == "4 t"


def test_incidents_with_a_notification_waiting_or_failed_are_counted(incidents):
    figures = figures_2026()
    rising = by_area(figures)["rising"]
    assert (rising.waiting, rising.failed) == (1, 1)
    assert (figures.total.waiting, figures.total.failed) == (1, 1)
    assert (by_area(figures)["vollsmose"].waiting, figures.rows[0].failed) == (0, 0)


def test_an_area_without_notified_incidents_shows_no_times(incidents):
    times = by_area(figures_2026())["korslokkeparken"].times
    assert (times.notified, times.median, times.average, times.longest) == (
        0,
        None,
        None,
        None,
    )
    assert times.median_text == "–"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0.4, "0 min"),
        (45, "45 min"),
        (59.6, "1 t"),
        (65, "1 t 5 min"),
        (1439.7, "1 d"),
        (1530, "1 d 2 t"),
        (None, "–"),
    ],
)
def test_durations_read_the_danish_way(minutes, text):
    assert duration_text(minutes) == text


# --- Open follow-up tasks ------------------------------------------------------------


def test_open_tasks_per_owner_and_those_overdue_today(tasks):
    figures = figures_2026()
    assert [(row.name, row.open, row.overdue) for row in figures.tasks] == [
        ("Fyns Politi", 2, 1),
        ("Odense Kommune, Beskæftigelses- og Socialforvaltningen", 1, 1),
        ("SSP Odense", 1, 0),  # due today is not overdue; the done one is gone
    ]
    assert (figures.open_tasks, figures.overdue_tasks) == (4, 2)


def test_tasks_count_for_the_meetings_areas_or_for_every_area(tasks):
    rising = figures_2026(areas=Area.objects.filter(slug="rising"))
    # The network's tasks, and the Rising-and-Vollsmose meeting's once.
    assert [(row.name, row.open) for row in rising.tasks] == [
        ("Fyns Politi", 2),
        ("SSP Odense", 1),
    ]
    korslokken = figures_2026(areas=Area.objects.filter(slug="korslokkeparken"))
    assert [(row.name, row.open) for row in korslokken.tasks] == [("Fyns Politi", 2)]


def test_no_incidents_and_no_tasks_give_empty_figures(db):
    figures = figures_2026()
    assert figures.total.total == 0
    assert figures.total.times.notified == 0
    assert figures.tasks == []
    assert (figures.open_tasks, figures.overdue_tasks) == (0, 0)
    assert len(figures.periods) == 5


@pytest.mark.parametrize("count", [2, 24])
def test_the_figures_cost_four_queries_whatever_the_number_of_rows(
    police, ssp, django_assert_num_queries, count
):
    # The areas, the incidents grouped, one row per notified incident for the
    # median, and the open tasks grouped.
    for n in range(count):
        told = incident(["rising", "vollsmose"][n % 2], at(1 + n % 4, 1 + n), MINOR)
        tell(told, police, after=n)
        tell(told, ssp, failed=True)
        make_task(make_meeting(organisations=[police]), [police, ssp][n % 2])
    with django_assert_num_queries(4):
        figures = figures_2026()
    assert figures.total.total == count


# --- The page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "coordinator"])
def test_the_incident_handlers_see_the_figures_of_every_area(
    client, personas, incidents, tasks, role
):
    client.force_login(personas[role])
    response = client.get(PAGE)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert len(figures.rows) == Area.objects.count()
    assert (figures.start, figures.end) == (YEAR_START, TODAY)  # this year so far
    assert figures.total.total == 5
    html = response.content.decode()
    assert "Vollsmose" in html and "Rising" in html
    assert "Hemmelig" not in html
    assert 'data-testid="table-open_tasks"' in html


def test_a_partner_sees_counts_for_its_own_areas_only(
    client, partner, incidents, tasks
):
    client.force_login(partner)
    response = client.get(PAGE)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert [row.area.slug for row in figures.rows] == ["rising"]
    # Every incident in Rising, whether the police were told of it or not.
    assert figures.total.total == 4
    html = response.content.decode()
    assert "Vollsmose" not in html
    assert "Hemmelig" not in html


def test_the_page_shows_key_figures_chart_and_tables(client, coordinator, incidents):
    client.force_login(coordinator)
    html = client.get(PAGE).content.decode()
    # The drawing is hidden from screen readers; the tables have its figures.
    assert '<div class="chart mb-2"><svg' in html
    assert 'role="img" aria-hidden="true"' in html
    assert "style=" not in html
    for table in ("incident_months", "incidents", "notification_times", "open_tasks"):
        assert f'data-testid="table-{table}"' in html
    assert html.count("<caption>") == 4
    assert '<th scope="row">maj 2026</th>' in html
    assert "1 t 5 min" in html  # Rising's longest
    assert "Fra 1. januar 2026 til 4. maj 2026" in html
    # The beredskab pages' own menu, with this page marked.
    assert f'href="{reverse("safety:incident_list")}"' in html
    assert f'aria-current="page" href="{PAGE}"' in html


def test_the_period_and_areas_can_be_chosen(client, staff, incidents):
    client.force_login(staff)
    response = client.get(
        PAGE,
        {"start": "2026-02-01", "end": "2026-03-31", "areas": ["rising", "vollsmose"]},
    )
    figures = response.context["figures"]
    assert [row.area.slug for row in figures.rows] == ["rising", "vollsmose"]
    assert (figures.start, figures.end) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 31),
    )
    assert figures.total.total == 3
    assert [row.label for row in figures.periods] == ["feb 2026", "mar 2026"]


def test_an_end_alone_shows_that_year_up_to_the_end(client, staff, incidents):
    client.force_login(staff)
    figures = client.get(PAGE, {"end": "2025-12-31"}).context["figures"]
    assert (figures.start, figures.end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    assert figures.total.total == 1


def test_an_end_before_the_start_is_told_next_to_the_field_with_the_default_shown(
    client, staff, incidents
):
    client.force_login(staff)
    response = client.get(PAGE, {"start": "2026-03-01", "end": "2026-02-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "end": ["Slutdatoen ligger før startdatoen."]
    }
    figures = response.context["figures"]
    assert (figures.start, figures.end) == (YEAR_START, TODAY)
    html = response.content.decode()
    assert 'value="2026-03-01"' in html and 'value="2026-02-01"' in html
    assert re.search(r'id="id_end"[^>]*is-invalid|is-invalid[^>]*id="id_end"', html)
    assert "Slutdatoen ligger før startdatoen." in html
    assert 'data-testid="table-incidents"' in html
    # A GET form: no CSRF token ends up in the address.
    form = html[html.index('data-testid="figures-form"') :]
    assert "csrfmiddlewaretoken" not in form[: form.index("</form>")]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-06-01"}, "start", "Startdatoen ligger efter i dag."),
        ({"start": "1. marts"}, "start", "Skriv en dato, fx 2026-01-01."),
        ({"start": "2010-01-01"}, "start", "Vælg en periode på højst 10 år."),
    ],
)
def test_a_period_that_cannot_be_used_is_told_next_to_its_field(
    client, staff, query, field, message
):
    client.force_login(staff)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    figures = response.context["figures"]
    assert (figures.start, figures.end) == (YEAR_START, TODAY)


def test_a_partner_choosing_an_area_it_may_not_see_is_told_and_sees_its_own(
    client, partner, incidents
):
    client.force_login(partner)
    response = client.get(PAGE, {"areas": ["vollsmose"]})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "areas": [
            "Du kan ikke vælge området vollsmose. Tallene viser alle dine områder."
        ]
    }
    figures = response.context["figures"]
    assert [row.area.slug for row in figures.rows] == ["rising"]
    html = response.content.decode()
    assert "Du kan ikke vælge området vollsmose." in html
    assert 'value="rising"' in html and "Vollsmose" not in html


def test_an_area_that_does_not_exist_is_told_too(client, staff, incidents):
    client.force_login(staff)
    response = client.get(PAGE, {"areas": ["atlantis"], "start": "2026-02-01"})
    assert "areas" in response.context["form"].errors
    figures = response.context["figures"]
    assert len(figures.rows) == Area.objects.count()
    # The period chosen still counts.
    assert figures.start == datetime.date(2026, 2, 1)


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_advisors_and_admins_may_not_see_the_figures(client, personas, role):
    client.force_login(personas[role])
    assert client.get(PAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_figures_are_only_read(client, coordinator):
    client.force_login(coordinator)
    assert client.post(PAGE).status_code == 405


# Session, user, the four queries of the figures, the areas again for the
# checkboxes, and 3 for the session's renewal; a coordinator's session also loads
# the device that verified it (two factors). A partner's areas are a subquery.
PAGE_QUERIES = {"staff": 11, "safety_advisor": 11, "coordinator": 11, "partner": 10}


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("role", ["staff", "safety_advisor", "coordinator", "partner"])
def test_the_page_costs_the_same_queries_for_few_and_many_rows(
    client, personas, police, ssp, django_assert_num_queries, role, count
):
    for n in range(count):
        told = incident(["rising", "vollsmose"][n % 2], at(1 + n % 4, 1 + n), SERIOUS)
        tell(told, police, after=n)
        tell(told, ssp)
        make_task(make_meeting(organisations=[police]), [police, ssp][n % 2])
    client.force_login(personas[role])
    with django_assert_num_queries(PAGE_QUERIES[role]):
        response = client.get(PAGE)
    assert response.context["figures"].total.total > 0


def test_choosing_areas_costs_one_query_more_to_check_them(
    client, staff, django_assert_num_queries
):
    client.force_login(staff)
    with django_assert_num_queries(PAGE_QUERIES["staff"] + 1):
        client.get(PAGE, {"areas": ["rising"]})


# --- The chart -----------------------------------------------------------------------

SERIES = [("Mindre", "#111111"), ("Alvorlig", "#222222"), ("Meget <alvorlig>", "#333")]


def test_the_columns_stack_their_series_from_the_bottom_and_show_the_total():
    svg = str(stacked_columns([("jan", [1, 3, 0]), ("feb", [0, 0, 0])], SERIES))
    assert svg.startswith("<svg") and 'aria-hidden="true"' in svg
    # The columns' rectangles (the legend's squares stand at y="4"); none for a 0.
    bars = [
        (float(y), float(height), colour)
        for y, height, colour in re.findall(
            r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" '
            r'fill="(#\d+)"/>',
            svg,
        )
        if y != "4"
    ]
    (y1, h1, c1), (y2, h2, c2) = bars
    assert (c1, c2) == ("#111111", "#222222")  # 1 at the bottom, 3 on top of it
    assert h2 == pytest.approx(3 * h1)
    assert y2 + h2 == pytest.approx(y1)
    assert re.search(r'text-anchor="middle">4</text>', svg)  # the column's total
    assert ">jan</text>" in svg and ">feb</text>" in svg


def test_the_chart_escapes_its_text_and_uses_no_inline_style():
    svg = str(stacked_columns([("<b>jan</b>", [1, 0, 0])], SERIES))
    assert "<b>" not in svg and "&lt;b&gt;jan&lt;/b&gt;" in svg
    assert "Meget &lt;alvorlig&gt;" in svg
    assert "style" not in svg


def test_many_columns_turn_their_labels_and_no_columns_draw_an_empty_chart():
    svg = str(stacked_columns([(f"m{n}", [n, 0, 0]) for n in range(12)], SERIES))
    assert svg.count('transform="rotate(-45') == 12
    empty = str(stacked_columns([], SERIES))
    assert empty.startswith("<svg") and "rotate" not in empty
