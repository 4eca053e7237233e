"""Benchmark: the record import's steps on big sheets.

    DATABASE_URL=postgres://... .venv/bin/python bench/imports.py [--rows 1000 20000]

Builds a scratch database (SQLite in a temporary folder, or the empty PostgreSQL
database DATABASE_URL names) with the plan and the demo data, writes record
sheets the way staff keep them (their own headers, dates typed with dashes,
counts as "8,0", a breakdown column left out to be worked out), and prints for
each size the seconds and queries of each step of the one import engine: reading
the workbook and its columns, checking every row with the record form, and
saving them all in one transaction (rolled back, so every size starts alike).
Then it goes the whole way, as a coordinator does, for each size: the upload,
the worker's check, the preview's first page, the confirmation and the worker's
import (the worker's code run in this process), and prints the seconds of each.
Every size is a sheet of more than IMPORT_BACKGROUND_ROWS rows here, so that the
worker's way is the one measured.
"""

import argparse
import datetime
import os
import time
from io import BytesIO

from common import scratch_portal


def sheet(rows: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    lines = book.create_sheet()
    lines.append(["Indberetning af aktiviteter"])
    lines.append(
        ["Dag", "Fra", "Aktivitet", "Boligområde", "Antal deltagere", "Heraf nye"]
    )
    # This year up to today: the demo data approves and locks the years before.
    from django.utils import timezone

    today = timezone.localdate()
    first = today.replace(month=1, day=1)
    span = (today - first).days + 1
    for n in range(rows):
        day = first + datetime.timedelta(days=n % span)
        lines.append(
            [
                f"{day:%d-%m-%Y}",
                f"{8 + n // 60 % 12}.{n % 60:02d}",
                "Ungerådgivning",
                "Rising",
                f"{5 + n % 7},0",
                n % 5,
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def measure(rows: int) -> dict[str, tuple[float, int]]:
    """Each step of the engine on its own: read, check (chunked), save."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from activities.imports import RECORD_IMPORT
    from boligsocial import spreadsheets
    from boligsocial.models import User

    content = sheet(rows)
    user = User.objects.get(username="koordinator")
    steps: dict[str, tuple[float, int]] = {}

    def step(name, call):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = call()
            steps[name] = (time.perf_counter() - started, len(queries))
        return result

    columns = RECORD_IMPORT.columns()

    def read():
        workbook = spreadsheets.read_workbook(BytesIO(content))
        reading = spreadsheets.read_columns(workbook, columns)
        assert not reading.needs_choice, "the bench sheet's headers are all known"
        return spreadsheets.sheet_rows(workbook, reading, columns)[0]

    lines = step("read", read)
    results = step(
        "check",
        lambda: spreadsheets.check_rows(RECORD_IMPORT, lines, user, columns, keep=True),
    )
    valid = len(spreadsheets.importable(results))
    if not valid:
        raise SystemExit(f"no valid row: {results[0].errors}")
    with transaction.atomic():
        step("save", lambda: spreadsheets.import_rows(results, save=RECORD_IMPORT.save))
        transaction.set_rollback(True)
    steps["valid rows"] = (valid, 0)
    return steps


def end_to_end(rows: int) -> dict[str, float]:
    """The whole way as a coordinator goes it, timed: the upload (the request),
    the worker's check, the first page of the preview, the confirmation (the
    request), the worker's import. The worker's part runs here, in this process,
    as the Celery task runs it (import_steps.work); the broker's hop is left out."""
    from common import logged_in_client
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from activities.models import ActivityRecord
    from boligsocial import import_steps
    from boligsocial.models import ImportJob

    content = sheet(rows)
    client = logged_in_client("koordinator")
    before = ActivityRecord.objects.count()
    times: dict[str, float] = {}

    def step(name, call):
        started = time.perf_counter()
        result = call()
        times[name] = time.perf_counter() - started
        return result

    upload = step(
        "upload",
        lambda: client.post(
            reverse("activities:record_import"),
            {"file": SimpleUploadedFile("stort-ark.xlsx", content)},
        ),
    )
    job = ImportJob.objects.latest("pk")
    assert upload.status_code == 302, upload.status_code
    assert step("check", lambda: import_steps.work(job.pk, job.Status.CHECKING)) == (
        "checked"
    )
    page = step("preview", lambda: client.get(upload.url))
    assert page.status_code == 200 and "stort-ark.xlsx" in page.content.decode()
    job.refresh_from_db()
    confirmed = step(
        "confirm",
        lambda: client.post(
            reverse("activities:record_import_confirm"),
            {"token": job.token, "include_all": "1"},
        ),
    )
    assert confirmed.status_code == 302, confirmed.status_code
    outcome = step("import", lambda: import_steps.work(job.pk, job.Status.IMPORTING))
    assert outcome == "imported", outcome
    assert ActivityRecord.objects.count() - before == rows
    # Leave the database as it was, for the next size.
    ActivityRecord.objects.filter(pk__gt=_last_before(before)).delete()
    return times


def _last_before(count: int) -> int:
    from activities.models import ActivityRecord

    pks = ActivityRecord.objects.order_by("pk").values_list("pk", flat=True)
    return pks[count - 1] if count else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    # Every size goes the worker's way.
    os.environ["IMPORT_BACKGROUND_ROWS"] = "100"
    scratch_portal()
    from boligsocial import spreadsheets

    if max(args.rows) > spreadsheets.MAX_ROWS:
        raise SystemExit(f"a sheet has at most {spreadsheets.MAX_ROWS:,} rows")
    print("The engine's steps, each on its own:\n")
    print(
        "| rows | read s (queries) | check s (queries) | save s (queries) | total s |"
    )
    print("|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        steps = measure(rows)
        assert steps["valid rows"][0] == rows, steps
        total = sum(
            seconds for name, (seconds, _q) in steps.items() if name != "valid rows"
        )
        cells = " | ".join(
            f"{steps[name][0]:.1f} ({steps[name][1]})"
            for name in ("read", "check", "save")
        )
        print(f"| {rows:,} | {cells} | {total:.1f} |")
    print("\nEnd to end, upload to imported:\n")
    names = ["upload", "check", "preview", "confirm", "import"]
    print("| rows | " + " | ".join(f"{n} s" for n in names) + " | total s |")
    print("|---:|" + "---:|" * (len(names) + 1))
    for rows in args.rows:
        times = end_to_end(rows)
        cells = " | ".join(f"{times[name]:.1f}" for name in names)
        print(f"| {rows:,} | {cells} | {sum(times.values()):.1f} |")


if __name__ == "__main__":
    main()
