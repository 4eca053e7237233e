"""Every list's export, one mechanism: the rows a list shows the person, under its
current filter, as CSV or Excel.

A list declares its export once (ListExport): who may export it (the list's own
door), the rows as the list shows them to that person under a filter (its
FilterSet over its `visible_to` queryset: never wider than the list), how a row
becomes a line of the sheet (Danish headers, dates as dates), a file name and the
list to go back to. It registers the declaration here; its view is one line,
`list_download(request, fmt, EXPORT)`.

Up to EXPORT_BACKGROUND_ROWS rows are downloaded at once. More are written by the
Celery worker (an ExportJob): the worker builds the same rows again for the same
person, with their access checked again (they may have lost it meanwhile),
writes the file through Django's storage, counts its progress, and tells the
person under the bell. Only they can open the job's page and download its file;
the sweeper deletes both after EXPORT_KEEP.

The base cannot import the apps: each app's `exports` module registers its
lists, and a worker that meets a list it does not know yet imports them all
(`autodiscover_modules`, as the admin finds each app's admin module).
"""

import datetime
import itertools
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from . import leases, spreadsheets
from .celery import enqueue
from .models import ExportJob, Notification, User
from .notices import notify

log = logging.getLogger(__name__)

# The worker reads and writes this many rows at a time, and then notes its progress.
CHUNK = 500


@dataclass(frozen=True)
class ListExport:
    """What one list's export is."""

    name: str  # unique, kept on a background job: "safety.findings"
    title: str  # the list's name, as the job page and the bell say it (lazy)
    filename: str  # the file is named this and the day: "fund-2026-12-04.xlsx"
    back: str  # the list's URL name: an invalid filter goes back there
    # The list's door for the person: PermissionDenied if they may not see it.
    allowed: Callable[[User], None]
    # The list's filter over the rows the person may see (a django-filter
    # FilterSet, or anything with is_valid(), errors and qs), from a query.
    filtered: Callable[[User, QueryDict], object]
    # The rows as a sheet: headers and title Danish, dates as dates. It is given
    # the filtered queryset, or slices of it, and must not reorder it.
    dataset: Callable[[object], tablib.Dataset]


_EXPORTS: dict[str, ListExport] = {}


def register(export: ListExport) -> ListExport:
    if _EXPORTS.get(export.name, export) != export:
        raise ValueError(f"Two exports are named {export.name}.")
    _EXPORTS[export.name] = export
    return export


def export_named(name: str) -> ListExport | None:
    if name not in _EXPORTS:
        autodiscover_modules("exports")
    return _EXPORTS.get(name)


def get_export_job_for_user(user, pk: int) -> ExportJob:
    """The door of background exports: one of the person's own; anyone else's
    is not found, whatever their role."""
    return get_object_or_404(
        ExportJob.objects.visible_to(user).select_related("requested_by"), pk=pk
    )


def stamped(export: ListExport, fmt: str) -> str:
    """The file's name: the list's and today's date."""
    return f"{export.filename}-{timezone.localdate().isoformat()}.{fmt}"


# --- The one entry: a list's export view -------------------------------------------


def list_download(request, fmt: str, export: ListExport) -> HttpResponse:
    """The list's rows under the filter in the query string: a download, or, for
    more than EXPORT_BACKGROUND_ROWS, a background job the person is taken to. An
    invalid filter goes back to the list with it."""
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    export.allowed(request.user)
    filtered = export.filtered(request.user, request.GET)
    if not filtered.is_valid():
        messages.error(request, _("Filteret er ugyldigt; ret det og eksportér igen."))
        query = request.GET.urlencode()
        return redirect(reverse(export.back) + (f"?{query}" if query else ""))
    rows = filtered.qs
    if rows.count() > settings.EXPORT_BACKGROUND_ROWS:
        job = request_export(
            export=export, fmt=fmt, query=request.GET.urlencode(), by=request.user
        )
        messages.info(
            request,
            _(
                "Eksporten er stor og skrives nu i baggrunden. Du får besked, "
                "når den er klar."
            ),
        )
        return redirect(job)
    content, content_type = spreadsheets.export_file(export.dataset(rows), fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stamped(export, fmt)}"'
    return response


# --- Background exports -------------------------------------------------------------


@transaction.atomic
def request_export(*, export: ListExport, fmt: str, query: str, by: User) -> ExportJob:
    """The job, saved, and queued once its transaction commits; a broker that is
    down leaves it queued for the sweeper."""
    # The same export asked for again (a reload) while it is being written: that one.
    waiting = ExportJob.objects.active().filter(
        requested_by=by, export=export.name, fmt=fmt, query=query
    )
    if job := waiting.first():
        return job
    job = ExportJob.objects.create(
        requested_by=by,
        export=export.name,
        fmt=fmt,
        query=query,
        filename=stamped(export, fmt),
    )
    transaction.on_commit(lambda: queue_export(job))
    return job


def queue_export(job: ExportJob) -> bool:
    return enqueue("boligsocial.tasks.build_export", job.pk)


def retry_export(job: ExportJob) -> bool:
    """A failed export is asked for again, as it was."""
    with transaction.atomic():
        requeued = job.requeue()
        if requeued:
            transaction.on_commit(lambda: queue_export(job))
    return requeued


def build_export(job_id: int) -> str:
    """The worker's part: write the job's file, or say why not. Safe to run twice:
    the job is taken in one UPDATE, and its file has one name."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not job.claim():
        return "skipped"
    with translation.override("da"):
        try:
            with leases.kept(job.beat, name=f"export {job.pk}"):
                _write(job)
        except Refused as refusal:
            job.fail(str(refusal))
            return "refused"
        except Exception:
            log.exception("Export %s failed.", job.pk)
            job.fail(_("Eksporten kunne ikke skrives. Prøv igen."))
            return "failed"
        notify(
            Notification.Kind.EXPORT_READY,
            about=None,
            users=[job.requested_by],
            text=job.filename,
            url=job.get_absolute_url(),
            queue=False,
        )
    return "ready"


class Refused(Exception):
    """The job cannot be done as asked: the person's access or the filter."""


def _write(job: ExportJob) -> None:
    export = export_named(job.export)
    user = job.requested_by
    if export is None:
        raise Refused(_("Listen kan ikke længere eksporteres."))
    try:
        if not user.is_active:
            raise PermissionDenied
        export.allowed(user)
    except PermissionDenied:
        raise Refused(_("Du har ikke længere adgang til listen.")) from None
    filtered = export.filtered(user, QueryDict(job.query))
    if not filtered.is_valid():
        raise Refused(_("Filteret er ikke længere gyldigt. Eksportér igen fra listen."))
    rows = stable(filtered.qs)
    total = rows.count()
    job.progress(done=0, total=total)

    def parts():
        """CHUNK rows at a time, the progress noted after each: only one part
        is in memory, however many rows the list has. The rows' keys come in
        the list's order from one query, read as it goes (a server-side cursor
        on PostgreSQL); each part is the rows of its keys, in the same order.
        (Slices by OFFSET would read the whole list again for every part.)"""
        keys = rows.values_list("pk", flat=True).iterator(chunk_size=CHUNK)
        done = 0
        while chunk := list(itertools.islice(keys, CHUNK)):
            yield export.dataset(rows.filter(pk__in=chunk))
            done += len(chunk)
            job.progress(done=done, total=total)
        if not done:
            yield export.dataset(rows.none())

    # Written to a temporary file on the worker's disk, then saved through the
    # storage under one name per job: a second try replaces the first's file.
    with tempfile.TemporaryFile() as written:
        spreadsheets.write_export(parts(), job.fmt, written)
        written.seek(0)
        default_storage.delete(job.file_name)
        name = default_storage.save(job.file_name, File(written))
    job.finish(file_name=name)


def stable(rows):
    """The rows in the list's order, ties broken by key: slices that neither
    skip nor repeat a row."""
    order = list(rows.query.order_by or rows.model._meta.ordering)
    return rows.order_by(*order, "pk") if "pk" not in order else rows


def sweep_export_jobs() -> dict:
    """The beat's housekeeping: queue again jobs whose message never reached a
    worker, give up on those whose worker died (their lease ran out), and delete
    old ones and their files (an export may name residents)."""
    now = timezone.now()
    waited = now - datetime.timedelta(seconds=settings.REPORT_REQUEUE_AFTER)
    requeued = 0
    for job in ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, queued_at__lt=waited
    ):
        ExportJob.objects.filter(pk=job.pk).update(queued_at=now)
        requeued += queue_export(job)
    with translation.override("da"):
        reason = _("Eksporten blev afbrudt. Prøv igen.")
    given_up = (
        ExportJob.objects.filter(status=ExportJob.Status.RUNNING)
        .filter(leases.ended(now))
        .update(status=ExportJob.Status.FAILED, error=reason, finished_at=now)
    )
    for job in ExportJob.objects.expired(now).exclude(file=""):
        default_storage.delete(job.file.name)
    deleted, _rows = ExportJob.objects.expired(now).delete()
    return {"requeued": requeued, "given_up": given_up, "deleted": deleted}


class Unfiltered:
    """A list without a filter, for ListExport.filtered: every row it shows."""

    errors: dict = {}

    def __init__(self, rows):
        self.qs = rows

    def is_valid(self) -> bool:
        return True
