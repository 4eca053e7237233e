"""A report run is taken for building once, built again only when it failed, and
the sweeper queues again only the runs left behind."""

import base64
import datetime
import json

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from boligsocial.periods import Period
from reports.models import ReportRun
from reports.services import sweep_report_runs
from safety.conftest import celery_broker, free_port

NOW = timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 0))
SECOND = datetime.timedelta(seconds=1)
Status = ReportRun.Status
BUILD = "reports.tasks.build_report"


def make_run(key: str = "the-request", **fields) -> ReportRun:
    period = Period.year(2025)
    return ReportRun.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        start=period.start,
        end=period.end,
        request_key=key,
        **fields,
    )


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LEASE_SECONDS)


def requeue_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REPORT_REQUEUE_AFTER)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- claim ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_queued_run_is_claimed_by_the_first_task(clock):
    run = make_run()

    assert run.claim(task_id="task-1") is True

    assert (run.status, run.task_id, run.attempts) == (Status.RUNNING, "task-1", 1)
    assert (run.started_at, run.error) == (NOW, "")


@pytest.mark.django_db
def test_a_second_task_is_refused_a_run_that_is_building(clock):
    run = make_run()
    run.claim(task_id="task-1")
    clock.shift(lease() - SECOND)

    assert run.claim(task_id="task-2") is False

    assert (run.status, run.task_id, run.attempts) == (Status.RUNNING, "task-1", 1)
    assert run.started_at == NOW


@pytest.mark.django_db
def test_a_slow_build_that_keeps_beating_is_never_taken_by_another_task(clock):
    run = make_run()
    run.claim(task_id="task-1")
    for _ in range(10):  # ten leases long, renewed within each
        clock.shift(lease() - SECOND)
        assert run.beat(task_id="task-1") is True

    assert run.claim(task_id="task-2") is False
    assert not ReportRun.objects.left_behind(timezone.now()).exists()
    assert run.requeue() is False
    assert run.is_stuck is False
    assert (run.status, run.task_id, run.attempts) == (Status.RUNNING, "task-1", 1)


@pytest.mark.django_db
def test_a_beat_of_a_task_whose_run_was_taken_over_renews_nothing(clock):
    run = make_run()
    run.claim(task_id="task-1")
    clock.shift(lease() + SECOND)
    run.claim(task_id="task-2")
    taken_at = run.heartbeat_at
    clock.shift(SECOND)

    assert run.beat(task_id="task-1") is False

    run.refresh_from_db()
    assert (run.task_id, run.heartbeat_at) == ("task-2", taken_at)


@pytest.mark.django_db
def test_the_same_task_delivered_again_claims_its_run_again(clock):
    # Its worker died and the broker gave the message back.
    run = make_run()
    run.claim(task_id="task-1")
    clock.shift(10 * SECOND)

    assert run.claim(task_id="task-1") is True

    assert (run.status, run.task_id, run.attempts) == (Status.RUNNING, "task-1", 2)
    assert run.started_at == NOW + 10 * SECOND


@pytest.mark.django_db
def test_a_run_whose_lease_ran_out_is_claimed_by_another_task(clock):
    run = make_run()
    run.claim(task_id="task-1")
    clock.shift(lease() + SECOND)
    assert run.is_stuck is True

    assert run.claim(task_id="task-2") is True

    assert (run.status, run.task_id, run.attempts) == (Status.RUNNING, "task-2", 2)
    assert run.started_at == run.heartbeat_at == NOW + lease() + SECOND
    assert run.is_stuck is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.READY, "pdf": "reports/report-1.pdf"},
        {"status": Status.FAILED, "error": "OSError: disk full"},
    ],
    ids=["ready", "failed"],
)
def test_a_finished_run_is_not_claimed(clock, fields):
    run = make_run(**fields)

    assert run.claim(task_id="task-1") is False

    assert (run.status, run.attempts, run.task_id) == (fields["status"], 0, "")


# --- requeue -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_run_is_queued_again(clock):
    run = make_run(queued_at=NOW - 60 * SECOND)
    run.claim(task_id="task-1")
    run.mark_failed("OSError: disk full")
    clock.shift(60 * SECOND)

    assert run.requeue() is True

    assert (run.status, run.error, run.finished_at) == (Status.QUEUED, "", None)
    assert run.queued_at == NOW + 60 * SECOND
    assert run.attempts == 1  # counted when it is claimed again


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.QUEUED},
        {"status": Status.RUNNING, "task_id": "task-1", "started_at": NOW},
        {"status": Status.READY, "pdf": "reports/report-1.pdf"},
    ],
    ids=["queued", "running", "ready"],
)
def test_only_a_failed_or_stuck_run_is_queued_again(clock, fields):
    run = make_run(queued_at=NOW - 60 * SECOND, **fields)

    assert run.requeue() is False

    assert run.status == fields["status"]
    assert run.queued_at == NOW - 60 * SECOND


@pytest.mark.django_db
def test_a_run_whose_build_lost_its_worker_is_queued_again(clock):
    run = make_run(queued_at=NOW - 60 * SECOND)
    run.claim(task_id="task-1")
    clock.shift(lease() + SECOND)

    assert run.requeue() is True

    assert (run.status, run.queued_at) == (Status.QUEUED, NOW + lease() + SECOND)


# --- sweep ---------------------------------------------------------------------------


@pytest.fixture
def queued_builds(monkeypatch, tmp_path):
    """A real broker no worker reads: kombu's file-system transport in a scratch
    folder. Returns a function giving the runs whose build was queued so far."""
    folder = tmp_path / "broker"
    folder.mkdir()
    (tmp_path / "control").mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
    }

    def run_ids() -> list[int]:
        messages = [json.loads(path.read_bytes()) for path in folder.glob("*.msg")]
        assert {m["headers"]["task"] for m in messages} <= {BUILD}
        # The body is [args, kwargs, options]; a build's args are [run id].
        return sorted(json.loads(base64.b64decode(m["body"]))[0][0] for m in messages)

    with celery_broker(monkeypatch, "filesystem://", options):
        yield run_ids


@pytest.mark.django_db
def test_the_sweeper_queues_again_only_the_runs_left_behind(clock, queued_builds):
    waited = make_run("waited", queued_at=NOW - requeue_after() - SECOND)
    stuck = make_run(
        "stuck",
        status=Status.RUNNING,
        task_id="lost",
        attempts=1,
        started_at=NOW - lease() * 3,
        heartbeat_at=NOW - lease() - SECOND,
    )
    just_queued = make_run("just-queued", queued_at=NOW - requeue_after() + SECOND)
    slow = make_run(
        "slow",
        status=Status.RUNNING,
        task_id="busy",
        attempts=1,
        queued_at=NOW - lease() * 10,
        started_at=NOW - lease() * 10,
        heartbeat_at=NOW - lease() + SECOND,
    )
    make_run("ready", status=Status.READY, pdf="r.pdf", queued_at=NOW - lease() * 2)
    make_run("failed", status=Status.FAILED, queued_at=NOW - lease() * 2)

    assert sweep_report_runs() == 2

    assert queued_builds() == sorted([waited.pk, stuck.pk])
    # Given to the broker: it waits as long again before the next try.
    waited.refresh_from_db()
    assert waited.queued_at == NOW
    just_queued_at, slow_queued_at = just_queued.queued_at, slow.queued_at
    just_queued.refresh_from_db()
    slow.refresh_from_db()
    assert just_queued.queued_at == just_queued_at
    assert (slow.status, slow.queued_at) == (Status.RUNNING, slow_queued_at)
    # The run whose worker died waits for a worker that is alive.
    stuck.refresh_from_db()
    assert (stuck.status, stuck.queued_at, stuck.stalls) == (Status.QUEUED, NOW, 1)


@pytest.mark.django_db
def test_a_run_whose_builds_stopped_three_times_fails_instead(clock, queued_builds):
    # Two builds stopped before; and now the third.
    stuck = make_run(
        status=Status.RUNNING,
        task_id="lost",
        attempts=5,
        stalls=settings.REPORT_MAX_STALLS - 1,
        started_at=NOW - lease() - SECOND,
    )

    assert sweep_report_runs() == 1

    assert queued_builds() == []
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED
    assert stuck.error == "Bygningen stoppede 3 gange uden at blive færdig."
    assert stuck.requeue() is True  # "Prøv igen" still builds it


@pytest.fixture
def broker_down(monkeypatch):
    """A Redis broker on a port where nothing listens."""
    with celery_broker(monkeypatch, f"redis://127.0.0.1:{free_port()}/0", {}):
        yield


@pytest.mark.django_db
def test_a_run_the_broker_did_not_take_waits_for_the_next_sweep(clock, broker_down):
    waited = make_run("waited", queued_at=NOW - requeue_after() - SECOND)

    assert sweep_report_runs() == 1

    waited.refresh_from_db()
    assert (waited.status, waited.queued_at) == (
        Status.QUEUED,
        NOW - requeue_after() - SECOND,
    )


@pytest.mark.django_db
def test_a_build_whose_run_was_taken_over_cannot_finish_it(clock):
    run = make_run()
    run.claim(task_id="slow")
    clock.shift(lease() + SECOND)  # its worker was cut off from the database
    taken = ReportRun.objects.get(pk=run.pk)
    taken.claim(task_id="fresh")

    assert run.is_building("slow") is False
    assert taken.is_building("fresh") is True
    assert run.mark_ready(pages=1, figures={}, task_id="slow") is False
    assert run.mark_failed("OSError", task_id="slow") is False

    run.refresh_from_db()
    assert (run.status, run.task_id, run.error) == (Status.RUNNING, "fresh", "")
    assert taken.mark_ready(pages=2, figures={}, task_id="fresh") is True
    assert (taken.status, taken.pages) == (Status.READY, 2)
