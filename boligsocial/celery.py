import logging
import os
from pathlib import Path

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")

app = Celery("boligsocial")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)


def enqueue(task_name: str, *args) -> bool:
    """Queue a task, by its name, from a request, once its transaction has
    committed; with the broker down, log it and let the page answer (what was
    saved stays saved).

    One try, no waiting: kombu otherwise retries the connection for seconds on
    end (measured: about 6 s) while the person waits; and a broker that accepts
    the connection but never answers (a dropped network) would hold the request
    for ever (measured: still waiting after 100 s), so each answer is waited for
    REDIS_TIMEOUT at most. Tasks queued this way ignore their results, or Celery
    would wait on the result store too.

    By name, so that a service need not import the tasks module that imports it;
    an unknown name fails here, at once (KeyError), not in a worker.
    """
    if task_name not in app.tasks:
        # Every app's tasks module, as a worker imports them when it starts:
        # once per process, not on every request that queues a task.
        app.loader.import_default_modules()
    task = app.tasks[task_name]
    timeout = settings.REDIS_TIMEOUT
    options = {
        "max_retries": 0,
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
    }
    try:
        with app.connection_for_write(transport_options=options) as connection:
            task.apply_async(args, retry=False, connection=connection)
    except Exception:  # noqa: BLE001 - any broker failure
        log.warning("%s%r not queued.", task.name, args, exc_info=True)
        return False
    return True


@app.on_after_configure.connect
def make_filesystem_broker_folders(sender, **kwargs) -> None:
    """The file-system broker (the development default) needs its folders."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = sender.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
