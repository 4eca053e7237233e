"""What every benchmark shares: a scratch database, and timing pages."""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def scratch_portal() -> None:
    """Django on a scratch database (SQLite in a temporary folder, or the empty
    PostgreSQL database named by DATABASE_URL) with the plan and the demo data."""
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    os.environ["PORTAL_ENVIRONMENT"] = "development"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


class Timing(NamedTuple):
    median_ms: float
    worst_ms: float
    queries: int  # of the last run


def timed(call: Callable[[], object], *, runs: int) -> Timing:
    """Call RUNS times: the median and worst time, and the queries of a call."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    return Timing(statistics.median(timings), max(timings), len(queries))


def logged_in_client(username: str):
    """A test client logged in as the demo user, past the code prompt, as the
    person is after a real login."""
    from boligsocial.models import User
    from conftest import TwoFactorClient

    client = TwoFactorClient()
    client.force_login(User.objects.get(username=username))
    return client


def get_page(client, url: str) -> Callable[[], object]:
    """A call that asks for the page and insists that it is answered."""

    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def print_timings(timings: dict[str, Timing]) -> None:
    print(f"{'page':<28} {'median ms':>10} {'worst ms':>10} {'queries':>8}")
    for name, (median, worst, queries) in timings.items():
        print(f"{name:<28} {median:>10.1f} {worst:>10.1f} {queries:>8}")


def time_pages(pages: dict[str, str], *, username: str, runs: int) -> dict[str, Timing]:
    """Print, per page, the median and worst time over RUNS requests and the number
    of queries (which must not grow with the data; the tests pin them)."""
    client = logged_in_client(username)
    timings = {
        name: timed(get_page(client, url), runs=runs) for name, url in pages.items()
    }
    print_timings(timings)
    return timings


PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "TimeField",
}


def save_all(model, objs, *, chunk: int = 50_000) -> list:
    """Save the new objects and return them with their keys, as bulk_create does:
    on PostgreSQL by COPY (about ten times faster at millions of rows), the keys
    drawn from the table's sequence first; elsewhere by bulk_create. Fields are
    prepared as bulk_create prepares them (auto_now and the like included)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=5000)
    saved = []
    batch = []
    for obj in objs:
        batch.append(obj)
        if len(batch) == chunk:
            saved += _copy(model, batch)
            batch = []
    return saved + (_copy(model, batch) if batch else [])


def _copy(model, objs: list) -> list:
    from django.db import connection

    meta = model._meta
    # The database computes the generated columns (COPY refuses them).
    fields = [f for f in meta.concrete_fields if not f.generated]
    # Plain values psycopg adapts by itself; the rest as Django prepares them.
    prepared = {
        f
        for f in fields
        if getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
        or f.get_internal_type() not in PLAIN
        or not type(f).__module__.startswith("django.db.models")
    }
    with connection.cursor() as cursor:
        # One block of keys: nothing else writes to the scratch database.
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), "
            "nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
            [meta.db_table, meta.pk.column, meta.db_table, meta.pk.column, len(objs)],
        )
        last = cursor.fetchone()[0]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
            for key, obj in enumerate(objs, start=last - len(objs) + 1):
                obj.pk = key
                copy.write_row(
                    [
                        f.get_db_prep_save(f.pre_save(obj, True), connection)
                        if f in prepared
                        else getattr(obj, f.attname)
                        for f in fields
                    ]
                )
    for obj in objs:
        obj._state.adding = False
    return objs
