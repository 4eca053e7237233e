"""No report asked for is lost: not with Redis stopped while a coordinator asks,
not with the worker process killed in the middle of a build.

Each test counts the runs it asked for and the runs built (ready, with their one
PDF); the figures go to report-faults.txt in the artefacts folder and to the end of
pytest's report (tests/conftest.py)."""

import os
import signal
import time
from contextlib import contextmanager

import pytest
from django.urls import reverse

from reports.models import ReportRun
from reports.services import sweep_report_runs
from tests.servers import celery_worker, portal_env, process
from tests.worker import (
    FAULT_FIGURES,
    TIMEOUT,
    FaultFigures,
    fault_summary,
    finished,
    is_built,
    request_municipality_report,
    wait_for,
    wait_for_mail,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What a person may wait for the page when the broker is down.
PAGE_SECONDS = 3


@pytest.fixture(autouse=True)
def fault_figures(request, artefacts):
    """Counts, when the test ends, the runs it asked for and how many were built."""
    started = time.monotonic()
    yield
    runs = list(ReportRun.objects.all())
    figures = FaultFigures(
        test=request.node.name,
        requested=len(runs),
        built=sum(is_built(run) for run in runs),
        seconds=time.monotonic() - started,
    )
    FAULT_FIGURES.append(figures)
    (artefacts / "report-faults.txt").write_text("\n".join(fault_summary()) + "\n")
    assert figures.lost == 0, f"report runs lost: {runs}"


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# --- Redis stopped ------------------------------------------------------------------
# (The stopped_redis fixture is in tests/conftest.py: other fault tests use it too.)


def test_a_report_asked_for_with_redis_stopped_is_kept_and_built_when_it_is_back(
    coordinator_client, stopped_redis, settings
):
    assert coordinator_client.get(reverse("reports:run_list")).status_code == 200

    started = time.monotonic()
    response = request_municipality_report(coordinator_client)
    waited = time.monotonic() - started

    run = ReportRun.objects.get()
    assert waited < PAGE_SECONDS
    assert response.status_code == 302
    assert response.url == run.get_absolute_url()
    assert (run.status, run.attempts) == (ReportRun.Status.QUEUED, 0)

    # Redis is back; beat's sweeper queues what was left (the worker reconnects
    # by itself).
    stopped_redis()
    settings.REPORT_REQUEUE_AFTER = 0
    queued_at = run.queued_at

    assert sweep_report_runs() == 1

    run.refresh_from_db()
    assert run.queued_at > queued_at  # the broker took it this time
    assert finished(run).status == ReportRun.Status.READY
    assert run.attempts == 1
    assert is_built(run)
    assert len(wait_for_mail(run)) == 1


# --- The worker process killed -----------------------------------------------------


def pool_process_running(app, task_id: str) -> int:
    """The pid of the worker's pool process running the task, as the worker says."""
    active = app.control.inspect(timeout=2.0, limit=1).active() or {}
    pids = [
        task["worker_pid"]
        for tasks in active.values()
        for task in tasks
        if task["id"] == task_id
    ]
    assert len(pids) == 1, f"task {task_id} not active once: {active}"
    return pids[0]


def pool_processes(app) -> list[int]:
    stats = app.control.inspect(timeout=2.0, limit=1).stats() or {}
    return [pid for worker in stats.values() for pid in worker["pool"]["processes"]]


def test_a_build_whose_worker_process_is_killed_is_built_again(
    celery_worker, coordinator_client
):
    request_municipality_report(coordinator_client)
    run = wait_for(ReportRun.objects.get(), ReportRun.Status.RUNNING)
    # The worker waits a second inside the build: it is killed there.
    pid = pool_process_running(celery_worker, run.task_id)
    killed_task = run.task_id

    os.kill(pid, signal.SIGKILL)

    assert finished(run, timeout=TIMEOUT).status == ReportRun.Status.READY
    assert run.attempts == 2
    assert run.task_id == killed_task  # the same message, delivered again
    assert is_built(run)
    assert len(wait_for_mail(run)) == 1
    # The worker replaced the killed process and still serves.
    processes = pool_processes(celery_worker)
    assert pid not in processes
    assert len(processes) == 2


# --- The whole worker killed -------------------------------------------------------


@contextmanager
def second_worker(tmp_path, *, pause: int):
    """Another Celery worker on the same broker and database (as on another
    machine), whose builds take `pause` seconds; what the test does not kill is
    killed afterwards."""
    env = portal_env(
        tmp_path,
        PORTAL_TEST_REPORT_PAUSE=str(pause),
        EMAIL_URL=f"filemail:///{tmp_path}",
    )
    log = tmp_path / "worker.log"
    with process(
        celery_worker("second"), env=env, cwd=tmp_path, log=log, stop=signal.SIGKILL
    ) as worker:
        yield worker


def answering(app) -> set[str]:
    return {name for reply in app.control.ping(timeout=1.0) for name in reply}


def test_a_build_whose_whole_worker_dies_is_built_by_another_within_a_minute(
    celery_worker, coordinator_client, tmp_path
):
    first = answering(celery_worker)
    with second_worker(tmp_path, pause=60) as doomed:
        deadline = time.monotonic() + TIMEOUT
        while not answering(celery_worker) - first:
            assert doomed.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the second worker did not start"
        # Only the second worker takes the build.
        celery_worker.control.cancel_consumer("celery", destination=list(first))
        try:
            request_municipality_report(coordinator_client)
            run = wait_for(ReportRun.objects.get(), ReportRun.Status.RUNNING)
            # The build renews its lease while it goes on.
            wait_until_beat = time.monotonic() + TIMEOUT
            while run.heartbeat_at <= run.started_at:
                assert time.monotonic() < wait_until_beat, "no heartbeat"
                time.sleep(0.2)
                run.refresh_from_db()

            # The whole worker dies (an OOM kill, a host gone): main process and pool.
            os.killpg(doomed.pid, signal.SIGKILL)
            doomed.wait()
            killed = time.monotonic()
        finally:
            celery_worker.control.add_consumer("celery", destination=list(first))

    # Beat's sweeper (every 30 s in production; here as often as the test likes)
    # finds the lease ended and queues the run for the worker that is alive.
    while run.status not in (ReportRun.Status.READY, ReportRun.Status.FAILED):
        assert time.monotonic() - killed < 60, f"run {run.pk} still {run.status}"
        sweep_report_runs()
        time.sleep(1)
        run.refresh_from_db()
    assert run.status == ReportRun.Status.READY
    assert run.attempts == 2
    assert is_built(run)
    assert len(wait_for_mail(run)) == 1
