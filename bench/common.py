"""What every benchmark shares: a scratch database, and timing pages."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def time_pages(pages: dict[str, str], *, username: str, runs: int) -> None:
    """Print, per page, the median and worst time over RUNS requests and the number
    of queries (which must not grow with the data; the tests pin them)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from boligsocial.models import User
    from conftest import TwoFactorClient

    # Past the code prompt, as the demo coordinator is after a real login.
    client = TwoFactorClient()
    client.force_login(User.objects.get(username=username))
    print(f"{'page':<28} {'median ms':>10} {'worst ms':>10} {'queries':>8}")
    for name, url in pages.items():
        timings = []
        for _ in range(runs):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{name:<28} {statistics.median(timings):>10.1f} {max(timings):>10.1f} "
            f"{len(queries):>8}"
        )
