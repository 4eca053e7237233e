"""No report asked for is lost: not with Redis stopped while a coordinator asks,
not with the worker process killed in the middle of a build.

Each test counts the runs it asked for and the runs built (ready, with their one
PDF); the figures go to report-faults.txt in the artefacts folder and to the end of
pytest's report (tests/conftest.py)."""

import os
import signal
import time

import pytest
from django.urls import reverse

from reports.models import ReportRun
from reports.services import sweep_report_runs
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
