"""The report tasks: thin, each loads by id and calls the service.

A build is acknowledged only when it has finished (acks_late) and is given back to
the broker when its worker process dies (reject_on_worker_lost), so a killed
build is built again; the build itself is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_report(self, run_id: int) -> str:
    return services.build_report_run(run_id, task_id=self.request.id or "")


@shared_task(ignore_result=True)
def sweep_report_runs() -> int:
    return services.sweep_report_runs()


@shared_task(ignore_result=True)
def request_scheduled_reports() -> int:
    return services.request_scheduled_reports()
