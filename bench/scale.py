"""Benchmark: the portal at ten years of data, each page and job against an anchor.

    .venv/bin/python bench/scale.py [--runs 5] [--scales 0.1 1] [--no-exports]

Loads the ten-year volumes (2,000,000 activity records with about 3,400,000
indicator values, 50,000 Nabohjælp sign-ups, 100,000 findings on 25,000 walks,
10,000 incidents, 20,000 advice cases with 200,000 access-log rows) into
PostgreSQL by COPY, a tenth first, and at each scale times our pages and jobs
beside an anchor measured in the same run and process:

- the dashboard beside every figure it shows, and those it compares them with,
  by hand-written SQL (CHOSEN_SQL, COMPARED_SQL);
- each list page beside the Django admin's changelist of the same model, in the
  same order and page size (the generic way to show a list);
- the findings' median days to a fix beside PostgreSQL's percentile_cont alone;
- each PDF build beside WeasyPrint alone on the same HTML;
- (at full scale) the CSV and Excel export of every record, by the export job's
  own code in a process of its own, for its peak memory.

Prints one Markdown table: per scale and row, our median and its queries, the
anchor's median, and the ratio. Without DATABASE_URL it starts a throwaway
PostgreSQL 15 cluster in /tmp (as bin/test does) and removes it afterwards; with
DATABASE_URL, give it an empty database.
"""

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Timing, get_page, logged_in_client, scratch_portal, timed

PGBIN = Path("/usr/lib/postgresql/15/bin")
FULL = {
    "records": 2_000_000,
    "signups": 50_000,
    "walks": 25_000,  # four findings each
    "incidents": 10_000,
    "cases": 20_000,  # ten access-log rows each
}
YEAR = 2025
LIST_PAGE = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--no-exports", action="store_true")
    parser.add_argument(
        "--measured-again",
        type=float,
        metavar="SCALE",
        help="measure the database DATABASE_URL names, loaded at SCALE by an "
        "earlier run, again (after a change), without loading anything",
    )
    args = parser.parse_args()
    if args.measured_again:
        again(args)
        return
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = throwaway_postgres()
    scratch_portal()

    loaded = dict.fromkeys(FULL, 0)
    results = {}
    for scale in sorted(args.scales):
        started = time.perf_counter()
        load_up_to(scale, loaded)
        print(
            f"scale {scale:g}: "
            + ", ".join(f"{count:,} {name}" for name, count in counted().items())
            + f"; loaded in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        results[scale] = measure(args.runs, exports=scale >= 1 and not args.no_exports)
    print_table(results)


def again(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    os.environ["PORTAL_ENVIRONMENT"] = "development"
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    exports = args.measured_again >= 1 and not args.no_exports
    print_table({args.measured_again: measure(args.runs, exports=exports)})


# --- A database -----------------------------------------------------------------------


def throwaway_postgres() -> str:
    """A PostgreSQL 15 cluster in /tmp on a unix socket, stopped and removed when
    the script ends; its URL. Durability off: it lives for one run."""
    data = Path(tempfile.mkdtemp(prefix="bench-pgdata-"))
    sock = Path(tempfile.mkdtemp(prefix="bench-pgsock-"))
    as_postgres = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(data, "postgres")
        shutil.chown(sock, "postgres")
        as_postgres = ["/usr/sbin/runuser", "-u", "postgres", "--"]

    def run(*command):
        subprocess.run(  # noqa: S603 - our own commands
            [*as_postgres, *command],
            check=True,
            cwd=tempfile.gettempdir(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    run(PGBIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust",
        "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
    options = f"-k {sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
    run(PGBIN / "pg_ctl", "start", "-w", "-D", data, "-l", data / "log", "-o", options)

    def remove():
        run(PGBIN / "pg_ctl", "stop", "-w", "-m", "fast", "-D", data)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(sock, ignore_errors=True)

    atexit.register(remove)
    run(PGBIN / "createdb", "-h", sock, "-U", "postgres", "bench")
    return f"postgres://postgres@/{str(sock).replace('/', '%2F')}/bench"


def load_up_to(scale: float, loaded: dict[str, int]) -> None:
    """Add what brings each volume to SCALE of the full ten years."""
    from activity_pages import load_records
    from advice_pages import load_cases
    from django.db import connection
    from incident_pages import load_incidents
    from report_pages import load_findings
    from signup_pages import load_signups

    loaders = {
        "records": load_records,
        "signups": load_signups,
        "walks": load_findings,
        "incidents": load_incidents,
        "cases": load_cases,
    }
    for name, full in FULL.items():
        more = round(full * scale) - loaded[name]
        if more > 0:
            loaders[name](more, seed=2026 + loaded[name])
            loaded[name] += more
    with connection.cursor() as cursor:  # as autovacuum would within a minute
        cursor.execute("VACUUM ANALYZE")


def counted() -> dict[str, int]:
    from activities.models import ActivityRecord, IndicatorValue
    from advice.models import Case, CaseAccess
    from safety.models import Finding, Incident, SignUp

    return {
        name: model.objects.count()
        for name, model in {
            "records": ActivityRecord,
            "indicator values": IndicatorValue,
            "sign-ups": SignUp,
            "findings": Finding,
            "incidents": Incident,
            "cases": Case,
            "access-log rows": CaseAccess,
        }.items()
    }


# --- What is measured -----------------------------------------------------------------


def measure(runs: int, *, exports: bool) -> dict[str, tuple]:
    """name → (ours, anchor's name, anchor), each a Timing."""
    from django.urls import reverse

    from activities.models import PlanPeriod

    coordinator = logged_in_client("koordinator")
    advisor = logged_in_client("raadgiver")
    dashboard = reverse("reports:dashboard")
    plan = PlanPeriod.objects.current()
    year = f"?period=year&year={YEAR}"
    whole_plan = f"?period=custom&start={plan.start}&end={plan.end}"
    rows = {
        f"dashboard, {YEAR}, every area": (
            get_page(coordinator, dashboard + year),
            "hand SQL, the same figures",
            hand_sql_figures(YEAR, YEAR),
        ),
        f"dashboard, plan {plan.start.year}–{plan.end.year}": (
            get_page(coordinator, dashboard + whole_plan),
            "hand SQL, the same figures",
            hand_sql_figures(plan.start.year, plan.end.year),
        ),
        **list_rows(coordinator, advisor),
        "finding medians, ten years": (
            finding_medians,
            "percentile_cont alone",
            sql_call(MEDIAN_SQL),
        ),
        **pdf_rows(),
    }
    measured = {}
    for name, (ours, anchor_name, anchor) in rows.items():
        measured[name] = (
            timed(ours, runs=runs),
            anchor_name,
            timed(anchor, runs=runs),
        )
        print(f"  {name}: {measured[name][0].median_ms:.0f} ms", flush=True)
    if exports:
        for fmt in ("csv", "xlsx"):
            measured[f"export of every record, {fmt}"] = export_row(fmt)
    return measured


def list_rows(coordinator, advisor) -> dict[str, tuple]:
    from django.urls import reverse

    from activities.models import ActivityRecord
    from advice.models import Case, CaseAccess
    from boligsocial.models import User
    from reports.models import ReportRun
    from safety.models import Finding, Incident, SignUp, Walk

    lists = [
        ("record list", coordinator, "activities:record_list", ActivityRecord),
        ("sign-up list", coordinator, "safety:signup_list", SignUp),
        ("finding worklist", coordinator, "safety:finding_worklist", Finding),
        ("walk list", coordinator, "safety:walk_list", Walk),
        ("incident list", coordinator, "safety:incident_list", Incident),
        ("case list, all", advisor, "advice:case_list", Case),
        ("access log", coordinator, "advice:access_log", CaseAccess),
        ("people", coordinator, "person_list", User),
        ("report runs", coordinator, "reports:run_list", ReportRun),
    ]
    query = {"advice:case_list": "?status=all", "safety:finding_worklist": "?status="}
    return {
        f"{name}, page 1": (
            get_page(client, reverse(url) + query.get(url, "")),
            "admin changelist",
            admin_changelist(model),
        )
        for name, client, url, model in lists
    }


def admin_changelist(model):
    """A call rendering the Django admin's changelist of the model, in its default
    order, LIST_PAGE rows a page, with its full count, for a superuser: an admin
    site of its own with only this model, in the portal's URLs in place of ours."""
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import path, set_urlconf

    from boligsocial import urls
    from boligsocial.models import User

    site = admin.AdminSite(name="admin")  # its links reverse as the real one's
    site.register(
        model, type("Plain", (admin.ModelAdmin,), {"list_per_page": LIST_PAGE})
    )
    model_admin = site._registry[model]

    class Urls:
        urlpatterns = [
            path("admin/", site.urls),
            *(url for url in urls.urlpatterns if str(url.pattern) != "admin/"),
        ]

    request = RequestFactory().get("/")
    # The coordinator as a superuser (in memory only), past the code prompt.
    request.user = User.objects.get(username="koordinator")
    request.user.is_superuser = request.user.is_staff = True
    request.user.is_verified = lambda: True

    def call():
        set_urlconf(Urls)
        try:
            model_admin.changelist_view(request).render()
        finally:
            set_urlconf(None)

    return call


def hand_sql_figures(first_year: int, last_year: int):
    """Every figure the dashboard shows for the years, and those it compares them
    with for the same span before, by hand-written queries on the same tables:
    one or two per part, each as a person who knows PostgreSQL would write it."""
    import datetime

    span = last_year - first_year + 1
    chosen = (datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31))
    before = (
        datetime.date(first_year - span, 1, 1),
        datetime.date(first_year - 1, 12, 31),
    )
    return sql_call(
        *[(sql, chosen) for sql in CHOSEN_SQL],
        *[(sql, before) for sql in COMPARED_SQL],
    )


def sql_call(*statements):
    """A call running each (sql, (start, end)) or bare sql and reading its rows.
    The days are given as `start` and `end`, and the instants the portal's local
    days begin and end at as `from` and `until`."""
    import datetime

    from django.db import connection

    from boligsocial.clock import day_start

    def call():
        with connection.cursor() as cursor:
            for statement in statements:
                sql, days = (
                    statement if isinstance(statement, tuple) else (statement, ())
                )
                params = ()
                if days:
                    start, end = days
                    params = {
                        "start": start,
                        "end": end,
                        "from": day_start(start),
                        "until": day_start(end + datetime.timedelta(days=1)),
                    }
                cursor.execute(sql, params)
                cursor.fetchall()

    return call


PARTICIPATION = """
    SELECT activity_id, area_id, sum(records), sum(participants),
           sum(participants_new), sum(volunteers)
    FROM activities_recordmonth WHERE month BETWEEN %(start)s AND %(end)s
    GROUP BY activity_id, area_id"""
SIGNUPS_AT_END = """
    SELECT area_id, count(*) FILTER (WHERE signed_up_on <= %(end)s
               AND (withdrawn_on IS NULL OR withdrawn_on > %(end)s)),
           count(*) FILTER (WHERE channel = 'door' AND signed_up_on >= %(start)s),
           count(*) FILTER (WHERE channel = 'event' AND signed_up_on >= %(start)s),
           count(*) FILTER (WHERE channel = 'public_page'
               AND signed_up_on >= %(start)s),
           count(*) FILTER (WHERE channel = 'other' AND signed_up_on >= %(start)s)
    FROM safety_signup WHERE status IN ('active', 'withdrawn')
        AND signed_up_on <= %(end)s
    GROUP BY area_id"""
WALKS = """
    SELECT area_id, count(*) FILTER (WHERE status = 'held'),
           count(*) FILTER (WHERE status = 'planned' AND starts_at >= now())
    FROM safety_walk WHERE starts_at >= %(from)s AND starts_at < %(until)s
    GROUP BY area_id"""
FINDINGS = """
    SELECT count(*), count(*) FILTER (WHERE status = 'fixed'),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_fix)
    FROM safety_finding WHERE found_at >= %(from)s AND found_at < %(until)s"""
REPORTS = """
    SELECT area_id, count(*), count(*) FILTER (WHERE status = 'accepted'),
           count(*) FILTER (WHERE status = 'declined'),
           count(*) FILTER (WHERE status = 'received')
    FROM safety_residentreport WHERE created_at >= %(from)s AND created_at < %(until)s
    GROUP BY area_id"""
INCIDENTS_BY_MONTH = """
    SELECT area_id, date_trunc('month', occurred_at AT TIME ZONE 'Europe/Copenhagen'),
           severity, count(*),
           count(*) FILTER (WHERE EXISTS (SELECT FROM safety_incidentnotification n
               WHERE n.incident_id = i.id AND n.status = 'pending')),
           count(*) FILTER (WHERE EXISTS (SELECT FROM safety_incidentnotification n
               WHERE n.incident_id = i.id AND n.status = 'failed'))
    FROM safety_incident i WHERE occurred_at >= %(from)s AND occurred_at < %(until)s
    GROUP BY 1, 2, 3"""
# Minutes from an incident to the first partner told, per area and in all.
INCIDENT_TIMES = """
    WITH told AS (
        SELECT i.area_id, extract(epoch FROM min(n.sent_at) - i.occurred_at) / 60 AS m
        FROM safety_incident i JOIN safety_incidentnotification n
            ON n.incident_id = i.id AND n.sent_at IS NOT NULL
        WHERE i.occurred_at >= %(from)s AND i.occurred_at < %(until)s
        GROUP BY i.id)
    SELECT area_id, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY m),
           avg(m), max(m)
    FROM told GROUP BY GROUPING SETS ((area_id), ())"""
ADVICE_CASES = """
    SELECT d.area_id,
           count(*) FILTER (WHERE c.opened_on >= %(start)s),
           count(*) FILTER (WHERE c.closed_on BETWEEN %(start)s AND %(end)s),
           count(*) FILTER (WHERE c.closed_on IS NULL OR c.closed_on > %(end)s),
           count(DISTINCT c.household_id) FILTER (WHERE c.opened_on >= %(start)s
               AND EXISTS (SELECT FROM advice_case e
                   WHERE e.household_id = c.household_id
                   AND (e.opened_on, e.id) < (c.opened_on, c.id))),
           count(*) FILTER (WHERE c.opened_on >= %(start)s
               AND c.source = 'reminder_letter'),
           count(*) FILTER (WHERE c.opened_on >= %(start)s AND c.source = 'self'),
           count(*) FILTER (WHERE c.opened_on >= %(start)s
               AND c.source = 'municipality'),
           count(*) FILTER (WHERE c.opened_on >= %(start)s AND c.source = 'staff'),
           count(*) FILTER (WHERE c.opened_on >= %(start)s AND c.source = 'other')
    FROM advice_case c
        JOIN advice_household h ON h.id = c.household_id
        JOIN boligsocial_housingdepartment d ON d.id = h.department_id
    WHERE c.opened_on <= %(end)s AND (c.closed_on IS NULL OR c.closed_on >= %(start)s)
    GROUP BY d.area_id"""
ADVICE_OUTCOMES = """
    SELECT d.area_id,
           count(DISTINCT o.case_id) FILTER (WHERE k.code = 'eviction_avoided'),
           count(DISTINCT o.case_id) FILTER (WHERE k.code = 'payment_plan'),
           sum(o.amount) FILTER (WHERE k.amount_kind = 'financial_gain'),
           count(DISTINCT o.case_id) FILTER (WHERE k.amount_kind = 'financial_gain'
               AND o.amount IS NOT NULL),
           sum(o.amount) FILTER (WHERE k.amount_kind = 'debt_settled'),
           count(DISTINCT o.case_id) FILTER (WHERE k.amount_kind = 'debt_settled'
               AND o.amount IS NOT NULL)
    FROM advice_caseoutcome o
        JOIN advice_outcomekind k ON k.id = o.kind_id
        JOIN advice_case c ON c.id = o.case_id
        JOIN advice_household h ON h.id = c.household_id
        JOIN boligsocial_housingdepartment d ON d.id = h.department_id
    WHERE o.achieved_on BETWEEN %(start)s AND %(end)s
    GROUP BY d.area_id"""

# What the dashboard shows for the period chosen.
CHOSEN_SQL = [
    # the areas with their departments and households
    """SELECT a.id, a.name, count(d.id), sum(d.households)
       FROM boligsocial_area a LEFT JOIN boligsocial_housingdepartment d
           ON d.area_id = a.id
       GROUP BY a.id ORDER BY a.name""",
    # the plan's activities in the period, with their indicators
    """SELECT a.id, a.name, f.id, f.name, i.id, i.name
       FROM activities_activity a
           JOIN activities_focusarea f ON f.id = a.focus_area_id
           JOIN activities_planperiod p ON p.id = f.plan_period_id
           LEFT JOIN activities_indicator i ON i.activity_id = a.id
       WHERE p.start <= %(end)s AND p."end" >= %(start)s
       ORDER BY f."order", a."order", i."order"
    """,
    PARTICIPATION,
    # the indicators reached, and their targets
    """SELECT indicator_id, sum(value) FROM activities_indicatormonth
       WHERE month BETWEEN %(start)s AND %(end)s GROUP BY indicator_id""",
    """SELECT indicator_id, year, value FROM activities_target
       WHERE year BETWEEN extract(year FROM %(start)s::date)
           AND extract(year FROM %(end)s::date)""",
    """SELECT activity_id, status, narrative FROM activities_yearstatus
       WHERE year = extract(year FROM %(end)s::date)""",
    # Nabohjælp: active at the start and end, ambassadors, waiting, new by channel
    """SELECT area_id,
              count(*) FILTER (WHERE status IN ('active', 'withdrawn')
                  AND signed_up_on < %(start)s
                  AND (withdrawn_on IS NULL OR withdrawn_on >= %(start)s)),
              count(*) FILTER (WHERE status IN ('active', 'withdrawn')
                  AND signed_up_on <= %(end)s
                  AND (withdrawn_on IS NULL OR withdrawn_on > %(end)s)),
              count(*) FILTER (WHERE status = 'active' AND is_ambassador),
              count(*) FILTER (WHERE status = 'to_confirm'),
              count(*) FILTER (WHERE status IN ('active', 'withdrawn')
                  AND channel = 'door'
                  AND signed_up_on BETWEEN %(start)s AND %(end)s),
              count(*) FILTER (WHERE status IN ('active', 'withdrawn')
                  AND channel = 'event'
                  AND signed_up_on BETWEEN %(start)s AND %(end)s),
              count(*) FILTER (WHERE status IN ('active', 'withdrawn')
                  AND channel = 'public_page'
                  AND signed_up_on BETWEEN %(start)s AND %(end)s),
              count(*) FILTER (WHERE status IN ('active', 'withdrawn')
                  AND channel = 'other'
                  AND signed_up_on BETWEEN %(start)s AND %(end)s)
       FROM safety_signup GROUP BY area_id""",
    # ... and active at each month's end: a running total of joined less withdrawn
    """SELECT area_id, month, sum(sum(change)) OVER (PARTITION BY area_id
              ORDER BY month)
       FROM (SELECT area_id, began_in AS month, 1 AS change
                 FROM safety_signup WHERE status IN ('active', 'withdrawn')
                     AND began_in <= %(end)s
             UNION ALL
             SELECT area_id, ended_in, -1 FROM safety_signup
                 WHERE status IN ('active', 'withdrawn')
                     AND ended_in <= %(end)s) AS changes
       GROUP BY area_id, month""",
    """SELECT area_id, year, value FROM safety_signuptarget
       WHERE year BETWEEN extract(year FROM %(start)s::date)
           AND extract(year FROM %(end)s::date)""",
    WALKS,
    """SELECT area_id, year, value FROM safety_walktarget
       WHERE year BETWEEN extract(year FROM %(start)s::date)
           AND extract(year FROM %(end)s::date)""",
    # findings: in all, by category, status and source, by organisation
    FINDINGS,
    """SELECT f.category_id, f.status, CASE WHEN f.walk_id IS NOT NULL THEN 'walk'
                  WHEN r.id IS NOT NULL THEN 'resident' ELSE 'other' END, count(*)
       FROM safety_finding f LEFT JOIN safety_residentreport r ON r.finding_id = f.id
       WHERE f.found_at >= %(from)s AND f.found_at < %(until)s
       GROUP BY 1, 2, 3""",
    """SELECT o.name, s.* FROM (
           SELECT responsible_id, count(*), count(*) FILTER (WHERE status = 'fixed'),
                  count(*) FILTER (WHERE due_date < current_date
                      AND status IN ('new', 'sent', 'in_progress')),
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_fix)
           FROM safety_finding WHERE found_at >= %(from)s AND found_at < %(until)s
           GROUP BY responsible_id) s
       JOIN boligsocial_organisation o ON o.id = s.responsible_id ORDER BY o.name""",
    REPORTS,
    INCIDENTS_BY_MONTH,
    INCIDENT_TIMES,
    # the network's follow-up tasks open today, by owner
    """SELECT o.name, count(*), count(*) FILTER (WHERE t.due_on < current_date)
       FROM safety_followuptask t JOIN boligsocial_organisation o ON o.id = t.owner_id
       WHERE t.done_on IS NULL GROUP BY o.name ORDER BY o.name""",
    ADVICE_CASES,
    ADVICE_OUTCOMES,
    # the gains: the unit values in use with what they multiply (the indicators'
    # sums and the participants are those above), and the cases of each outcome
    """SELECT v.id, v.basis, v.outcome_kind_id, v.low, v.high, v.version,
              vi.indicator_id, va.activity_id
       FROM reports_unitvalue v
           LEFT JOIN reports_unitvalue_indicators vi ON vi.unitvalue_id = v.id
           LEFT JOIN reports_unitvalue_activities va ON va.unitvalue_id = v.id
       WHERE v.is_active ORDER BY v."order", v.name""",
    """SELECT d.area_id, o.kind_id, count(DISTINCT o.case_id)
       FROM advice_caseoutcome o
           JOIN advice_case c ON c.id = o.case_id
           JOIN advice_household h ON h.id = c.household_id
           JOIN boligsocial_housingdepartment d ON d.id = h.department_id
       WHERE o.achieved_on BETWEEN %(start)s AND %(end)s
           AND o.kind_id IN (SELECT outcome_kind_id FROM reports_unitvalue
                             WHERE is_active AND basis = 'outcome')
       GROUP BY 1, 2""",
]

# What it shows of the period before, to compare with.
COMPARED_SQL = [
    PARTICIPATION,
    SIGNUPS_AT_END,
    WALKS,
    FINDINGS,
    REPORTS,
    INCIDENTS_BY_MONTH,
    INCIDENT_TIMES,
    ADVICE_CASES,
    ADVICE_OUTCOMES,
]

MEDIAN_SQL = """
    SELECT responsible_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_fix)
    FROM safety_finding WHERE status = 'fixed' GROUP BY responsible_id
"""


def finding_medians():
    import datetime

    from boligsocial.models import Area
    from safety.walks.figures import finding_figures

    return finding_figures(
        areas=list(Area.objects.all()),
        start=datetime.date(2017, 1, 1),
        end=datetime.date(2026, 12, 31),
        today=datetime.date(2026, 12, 31),
    ).median_days


def pdf_rows() -> dict[str, tuple]:
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from activities.models import PlanPeriod
    from boligsocial.models import Area, User
    from boligsocial.pdf import offline_url_fetcher
    from boligsocial.periods import Period
    from reports.models import ReportKind, ReportRun
    from reports.pdf import render_report, report_context
    from reports.services import request_report

    by = User.objects.get(username="koordinator")
    plan = PlanPeriod.objects.current()
    runs = {
        "municipality PDF": request_report(
            kind=ReportKind.MUNICIPALITY,
            period=Period.year(YEAR),
            areas=list(Area.objects.all()),
            by=by,
        )[0],
        "LBF PDF": request_report(
            kind=ReportKind.LBF,
            period=Period.year(YEAR),
            areas=list(plan.areas.all()),
            by=by,
            plan_period=plan,
        )[0],
    }
    rows = {}
    for name, run in runs.items():
        with translation.override("da"):
            template, context, _record = report_context(run)
            html = render_to_string(template, context)

        def ours(pk=run.pk):
            render_report(ReportRun.objects.get(pk=pk))

        def weasyprint_alone(html=html):
            HTML(string=html, url_fetcher=offline_url_fetcher()).render().write_pdf()

        rows[f"{name}, {YEAR}"] = (
            ours,
            "WeasyPrint alone, same HTML",
            weasyprint_alone,
        )
    return rows


def export_row(fmt: str) -> tuple:
    """The export job's own writer over every record, in a process of its own:
    (ours: the seconds, anchor: none, and the process's peak memory)."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - this folder's script
        [sys.executable, str(Path(__file__).with_name("export_memory.py")),
         "--from-database", "--format", fmt],
        check=True, capture_output=True, text=True, env=os.environ,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    peak = done.stdout.strip().splitlines()[-1]
    return (Timing(seconds * 1000, seconds * 1000, 0), f"peak memory {peak} MB", None)


# --- The table ----------------------------------------------------------------------


def print_table(results: dict[float, dict[str, tuple]]) -> None:
    print()
    print(
        "| what | scale | ours, median ms | queries "
        "| anchor | anchor, median ms | ratio |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
    names = list(dict.fromkeys(name for rows in results.values() for name in rows))
    for name in names:
        for scale, rows in results.items():
            if name not in rows:
                continue
            ours, anchor_name, anchor = rows[name]
            if anchor is None:
                print(
                    f"| {name} | {scale:g} | {ours.median_ms:.0f} | | {anchor_name} |||"
                )
                continue
            ratio = ours.median_ms / anchor.median_ms if anchor.median_ms else 0
            print(
                f"| {name} | {scale:g} | {ours.median_ms:.0f} | {ours.queries} "
                f"| {anchor_name} | {anchor.median_ms:.0f} | {ratio:.2f} |"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    main()
