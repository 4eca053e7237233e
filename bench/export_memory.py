"""How much memory the export writer takes for a long list: prints, per format,
the rows, the seconds, the file's size, the process's peak memory (RSS) above
what it had before writing, and its peak with Django loaded. Each format runs in
a process of its own.

    .venv/bin/python bench/export_memory.py --rows 2000000

The rows are made in the script, in parts of the worker's CHUNK, as a list's
export hands them to `spreadsheets.write_export` (the database's part is the
worker's, measured by the list benchmarks).
"""

import argparse
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    """This process's peak memory (RSS), MB. On Linux its own high-water mark
    (VmHWM): getrusage's ru_maxrss also counts what the parent held when it
    forked this process (bench/scale.py holds some 300 MB)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kilobytes = next(line for line in status.splitlines() if line.startswith("VmHWM"))
    return int(kilobytes.split()[1]) / 1024


def write(fmt: str, rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
    import django

    django.setup()
    import tablib

    from boligsocial import spreadsheets
    from boligsocial.exports import CHUNK

    headers = ["Dato", "Aktivitet", "Område", "Deltagere", "Note"]
    day = datetime.date(2017, 1, 1)

    def parts():
        for start in range(0, rows, CHUNK):
            yield tablib.Dataset(
                *(
                    [
                        day + datetime.timedelta(days=n % 3650),
                        "Lektiecafé",
                        "Vollsmose",
                        n % 40,
                        f"Registrering nr. {n}",
                    ]
                    for n in range(start, min(start + CHUNK, rows))
                ),
                headers=headers,
                title="Registreringer",
            )

    before = peak_mb()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        spreadsheets.write_export(parts(), fmt, out)
        size = out.tell()
    seconds = time.perf_counter() - started
    print(
        f"| {fmt} | {rows:,} | {seconds:.1f} | {size / 2**20:.0f} | "
        f"{peak_mb() - before:.0f} | {peak_mb():.0f} |"
    )


def from_database(fmt: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    # As the worker runs in production: with DEBUG on, Django keeps the last
    # 9,000 queries' SQL (about 200 MB of "IN (500 keys)" here).
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.core.files.storage import default_storage

    from activities.models import ActivityRecord
    from boligsocial.exports import build_export
    from boligsocial.models import ExportJob, User

    job = ExportJob.objects.create(
        requested_by=User.objects.get(username="koordinator"),
        export="activities.records",
        fmt=fmt,
        query="",
        filename=f"bench.{fmt}",
    )
    started = time.perf_counter()
    assert build_export(job.pk) == "ready"
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    size = default_storage.size(job.file.name)
    default_storage.delete(job.file.name)
    job.delete()
    rows = ActivityRecord.objects.count()
    print(f"{fmt}: {rows:,} rows in {seconds:.0f} s, {size / 2**20:.0f} MB")
    print(f"{peak_mb():.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--format", choices=["csv", "xlsx"])
    parser.add_argument("--from-database", action="store_true")
    args = parser.parse_args()
    if args.from_database:
        from_database(args.format)
        return
    if args.format:
        write(args.format, args.rows)
        return
    print(
        "| format | rows | seconds | file MB | peak memory above the start, MB "
        "| the process's peak, MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for fmt in ("csv", "xlsx"):
        subprocess.run(  # noqa: S603 - this script, with our own arguments
            [sys.executable, __file__, "--rows", str(args.rows), "--format", fmt],
            check=True,
        )


if __name__ == "__main__":
    main()
