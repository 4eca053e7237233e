"""Benchmark: the record import's steps on big sheets.

    DATABASE_URL=postgres://... .venv/bin/python bench/imports.py [--rows 1000 20000]

Builds a scratch database (SQLite in a temporary folder, or the empty PostgreSQL
database DATABASE_URL names) with the plan and the demo data, writes record
sheets the way staff keep them (their own headers, dates typed with dashes,
counts as "8,0", a breakdown column left out to be worked out), and prints for
each size the seconds and queries of each step of the one import engine: reading
the workbook and its columns, checking every row with the record form, and
saving them all in one transaction (rolled back, so every size starts alike).
The web's row limit (spreadsheets.MAX_ROWS) is lifted here: the numbers show what
a bigger sheet costs.
"""

import argparse
import datetime
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
        "check", lambda: spreadsheets._validated(RECORD_IMPORT, lines, user, columns)
    )
    valid = len(spreadsheets.importable(results))
    if not valid:
        raise SystemExit(f"no valid row: {results[0].errors}")
    with transaction.atomic():
        step("save", lambda: spreadsheets.import_rows(results, save=RECORD_IMPORT.save))
        transaction.set_rollback(True)
    steps["valid rows"] = (valid, 0)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    scratch_portal()
    from boligsocial import spreadsheets

    spreadsheets.MAX_ROWS = max(args.rows) + 20
    spreadsheets.MAX_SHEET_ROWS = max(args.rows) + 20
    spreadsheets.MAX_UNPACKED_BYTES = 200 * 1024 * 1024
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


if __name__ == "__main__":
    main()
