"""The load check's figures, from the log of every request bench/locustfile.py made.

    .venv/bin/python bench/load_report.py --requests requests.log \
        --saved saved.log --accounts accounts.json --out load.txt [--title T] \
        [--restart-at T0 --ready-at T1 --workers-before PIDS --workers-after PIDS]
        [--web-cpu SECONDS --db-cpu SECONDS]

Prints, per kind of request and overall, the count, errors, requests per second and
the 50th, 95th and 99th percentile and worst response times (exact, from the log),
and checks that every record the portal acknowledged (a redirect after the POST) is
in the database DATABASE_URL names. With --restart-at and --ready-at (when
PostgreSQL was restarted and when it accepted connections again) it also judges
the outage: failures only during it and all 503, none 500, nothing lost, every
request after it answered, the same gunicorn workers. With the CPU seconds the
portal used, it gives the CPU a request costs. Writes the same text to OUT (the
accounts file names the records' note prefix); exits 1 if anything failed.
"""

import argparse
import json
import math
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

from common import ROOT  # noqa: F401 - puts the project on sys.path


class Request(NamedTuple):
    start: float  # seconds since the epoch
    ms: float
    method: str
    name: str
    status: int  # 0: no answer (refused, timed out)
    error: str

    @property
    def end(self) -> float:
        return self.start + self.ms / 1000

    @property
    def failed(self) -> bool:
        return bool(self.error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=Path, required=True)
    parser.add_argument("--saved", type=Path, required=True)
    parser.add_argument("--accounts", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--title", default="Load check")
    parser.add_argument("--restart-at", type=float)
    parser.add_argument("--ready-at", type=float)
    parser.add_argument("--workers-before", default="")
    parser.add_argument("--workers-after", default="")
    parser.add_argument("--web-cpu", type=float, help="CPU seconds of gunicorn")
    parser.add_argument("--db-cpu", type=float, help="CPU seconds of PostgreSQL")
    args = parser.parse_args()

    requests = read_requests(args.requests)
    acknowledged = read_lines(args.saved)
    saved = saved_notes(json.loads(args.accounts.read_text())["note_prefix"])
    lost = acknowledged - saved
    parts = [
        errors(requests, judged_by_outage=args.restart_at is not None),
        records(acknowledged, saved),
    ]
    if args.restart_at is not None:
        parts.append(outage(requests, args.restart_at, args.ready_at, lost=len(lost)))
        parts.append(workers(args.workers_before, args.workers_after))
    if args.web_cpu is not None and requests:
        parts.append(cpu(len(requests), args.web_cpu, args.db_cpu))
    lines, problems = [args.title, "", *table(requests), ""], []
    for part_lines, part_problems in parts:
        lines += part_lines
        problems += part_problems

    lines += ["", *(f"FAILED: {p}" for p in problems)] if problems else ["", "PASSED"]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    raise SystemExit(1 if problems else 0)


Part = tuple[list[str], list[str]]  # lines to print, problems that fail the run


def errors(requests: list[Request], *, judged_by_outage: bool) -> Part:
    """Every failed request, counted by kind; any fails the run, unless the
    database was restarted (outage() judges those)."""
    failed = [r for r in requests if r.failed]
    lines = [f"Errors: {len(failed)}"]
    lines += [f"  {n} × {what}" for what, n in Counter(map(describe, failed)).items()]
    problems = (
        [f"{len(failed)} requests failed"] if failed and not judged_by_outage else []
    )
    if not requests:
        problems.append("no request was made")
    return lines, problems


def records(acknowledged: set[str], saved: set[str]) -> Part:
    """The records the portal said it saved (a redirect after the POST) must all be
    in the database."""
    lost = acknowledged - saved
    lines = [
        f"Records acknowledged (302 after the POST): {len(acknowledged)}; of them "
        f"in the database: {len(acknowledged & saved)}; lost: {len(lost)}; "
        f"saved without an acknowledgement: {len(saved - acknowledged)}"
    ]
    problems = [f"{len(lost)} acknowledged records are not in the database"]
    return lines, problems if lost else []


def cpu(requests: int, web: float, db: float) -> Part:
    """What the mix costs in CPU, which other processes on the machine do not
    change (they change the times above)."""
    per_request = (web + db) / requests
    return [
        f"CPU: gunicorn {web:.1f} s, PostgreSQL {db:.1f} s for {requests} requests: "
        f"{per_request * 1000:.0f} ms a request, so two cores of its own would serve "
        f"about {2 / per_request:.0f} requests a second of this mix"
    ], []


def workers(before: str, after: str) -> Part:
    """The same gunicorn worker processes before and after: none was restarted."""
    if before != after:
        return [], [f"gunicorn's workers changed: {before or '-'} → {after or '-'}"]
    return [f"gunicorn workers, the same processes throughout: {before}"], []


def read_requests(path: Path) -> list[Request]:
    requests = []
    for line in path.read_text().splitlines():
        start, ms, method, name, status, error = line.split("\t")
        requests.append(
            Request(float(start), float(ms), method, name, int(status), error)
        )
    return sorted(requests)


def read_lines(path: Path) -> set[str]:
    return set(path.read_text().splitlines()) if path.exists() else set()


def table(requests: list[Request]) -> list[str]:
    if not requests:
        return ["(no requests)"]
    seconds = max(r.end for r in requests) - requests[0].start
    groups = defaultdict(list)
    for r in requests:
        groups[f"{r.method} {r.name}"].append(r)
    header = (
        f"{'request':<34} {'count':>6} {'errors':>6} {'req/s':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    rows = [row(name, rs, seconds) for name, rs in sorted(groups.items())]
    total = row("all", requests, seconds)
    return [header, *rows, "-" * len(header), total, f"(over {seconds:.0f} s)"]


def row(name: str, requests: list[Request], seconds: float) -> str:
    times = sorted(r.ms for r in requests)
    errors = sum(r.failed for r in requests)
    return (
        f"{name:<34} {len(times):>6} {errors:>6} {len(times) / seconds:>6.1f} "
        f"{percentile(times, 50):>7.0f} {percentile(times, 95):>7.0f} "
        f"{percentile(times, 99):>7.0f} {times[-1]:>7.0f}"
    )


def percentile(ordered: list[float], p: float) -> float:
    """The nearest-rank percentile: the smallest value with p % at or below it."""
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def describe(request: Request) -> str:
    return f"{request.method} {request.name}: {request.error}"


def outage(requests: list[Request], down: float, up: float, *, lost: int) -> Part:
    """A request overlapping [down, up] (PostgreSQL restarting) met the outage: it
    may fail, with 503 only; every other must pass, and none may be 500. Recovered
    in: from the restart until the last failed request had its answer."""
    during = [r for r in requests if r.start <= up and r.end >= down]
    after = [r for r in requests if r.start > up]
    failed = [r for r in during if r.failed]
    statuses = Counter(r.status for r in failed)
    server_errors = sum(r.status == 500 for r in requests)
    failed_after = [r for r in after if r.failed]
    failed_elsewhere = [r for r in requests if r.failed and r not in during]
    recovered = max((r.end for r in failed), default=down) - down
    seen = (
        "all 503"
        if set(statuses) <= {503}
        else ", ".join(f"{n} × {s or 'no answer'}" for s, n in sorted(statuses.items()))
    )
    lines = [
        "",
        f"DB restart under load: {len(requests)} requests, {len(failed)} failed "
        f"during the {up - down:.1f} s outage ({seen}, {server_errors} × 500), "
        f"{lost} lost writes, recovered in {recovered:.1f} s",
        f"  {len(during)} requests met the outage; the slowest failed one took "
        f"{max((r.ms for r in failed), default=0):.0f} ms; "
        f"{len(after)} requests started after it, {len(failed_after)} failed",
    ]
    problems = []
    if server_errors:
        problems.append(f"{server_errors} answers were 500")
    if set(statuses) - {503}:
        problems.append(f"failures during the outage other than 503: {seen}")
    if failed_elsewhere:
        problems.append(f"{len(failed_elsewhere)} requests failed outside the outage")
    if not [r for r in after if not r.failed]:
        problems.append("no request succeeded after the restart")
    return lines, problems


def saved_notes(prefix: str) -> set[str]:
    """The notes of the records the load check saved, as the database has them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    os.environ["PORTAL_ENVIRONMENT"] = "development"
    import django

    django.setup()
    from activities.models import ActivityRecord

    notes = ActivityRecord.objects.filter(note__startswith=f"{prefix} ")
    return set(notes.values_list("note", flat=True))


if __name__ == "__main__":
    main()
