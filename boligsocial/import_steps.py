"""The one import's steps, for every sheet the portal reads: upload, place the
columns if asked, the rows checked, the preview, then confirm or cancel.

Each uploaded sheet is an ImportJob of the person who uploaded it (no one else
sees it): its file waits under MEDIA_ROOT/imports, named by the job's random
token, and the job keeps how its columns are read and, once checked, the
preview. A sheet of up to IMPORT_BACKGROUND_ROWS rows is checked and imported
while the person waits, as before; a bigger one by the Celery worker, a thousand
rows at a time (spreadsheets.check_rows), while the job's page shows how far it
got. The person may leave and come back (the page, "Mit arbejde" and the bell
lead there). Confirming checks every row again against what is stored now and
saves them all in one transaction, or none: if what would be imported changed
since the preview, the person sees the rows again instead.
"""

import datetime
import hashlib
import logging
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from . import leases, spreadsheets
from .celery import enqueue
from .models import ColumnMapping, ImportedSheet, ImportJob, Notification
from .notices import notify
from .sheet_values import DAY_FIRST, MONTH_FIRST
from .spreadsheets import (
    EXTRA,
    IGNORE,
    Columns,
    ImportForm,
    Reading,
    RowResult,
    Sheet,
    SheetImport,
    check_rows,
    column_errors,
    discard_upload,
    duplicate_rows,
    import_named,
    import_rows,
    peek_upload,
    read_columns,
    sheet_rows,
    store_upload,
    valid_rows,
)
from .text import clean as clean_text

log = logging.getLogger(__name__)

Status = ImportJob.Status
# The preview shows this many rows a page; a sheet checked in the request fits one.
PREVIEW_ROWS = 1000
TASKS = {
    Status.CHECKING: "boligsocial.tasks.check_import",
    Status.IMPORTING: "boligsocial.tasks.run_import",
}


class Gone(Exception):
    """The job or its file is no more: cancelled, replaced by another upload, or
    swept."""


# --- The columns page's form ----------------------------------------------------------


class ColumnsForm(forms.Form):
    """The columns page: for each column of the sheet, the field it holds (or
    ignore it); for a required field no column holds, one value for every row;
    for a date column whose dates read either way, which way they are written.
    `reading` is the sheet read as it stands (matched or remembered); the
    choices are checked by reading the sheet again with them."""

    def __init__(self, *args, sheet: Sheet, reading: Reading, columns: Columns, **kw):
        super().__init__(*args, **kw)
        self.sheet, self.reading, self.columns = sheet, reading, columns
        choices = [(IGNORE, _("Brug ikke kolonnen"))]
        choices += [(name, columns.label(name)) for name in columns.headers]
        if columns.extra_names:
            extras = [(EXTRA + name, name) for name in columns.extra_names]
            choices.append((_("Indikatorer"), extras))
        held = {index: name for name, index in reading.fields.items()}
        held |= {index: EXTRA + name for name, index in reading.extras.items()}
        for index, header in enumerate(reading.headers):
            if header:
                self.fields[f"column_{index}"] = forms.ChoiceField(
                    label=header,
                    choices=choices,
                    initial=held.get(index, IGNORE),
                    required=False,
                    # The person's own text: escaped (a help text is HTML).
                    help_text=escape(_samples(reading, index)),
                )
        for name in columns.required:
            if not columns.is_given(name, reading.fields, {}):
                self.fields[f"fill_{name}"] = _fill_field(columns.label(name))
        for name in columns.dates:
            # Asked when the dates read either way, or the column is yet to be
            # placed (its dates may).
            if name in reading.ambiguous or name not in reading.fields:
                self.fields[f"order_{name}"] = _order_field(columns.label(name))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        reading = read_columns(
            self.sheet,
            self.columns,
            chosen=self.choices(),
            fills=self.fills(),
            orders=self.orders(),
        )
        for index in reading.twice:
            choice = self.choices()[str(index)]
            other = reading.fields.get(choice, reading.extras.get(choice[len(EXTRA) :]))
            self.add_error(
                f"column_{index}",
                _("Kolonnen %(other)s er allerede valgt til det.")
                % {"other": self.reading.headers[other] if other is not None else ""},
            )
        for name in reading.missing:
            where = f"fill_{name}" if f"fill_{name}" in self.fields else None
            self.add_error(
                where,
                _("Vælg kolonnen med %(field)s, eller skriv en værdi for alle rækker.")
                % {"field": self.columns.label(name)},
            )
        for name in reading.ambiguous:
            self.add_error(
                f"order_{name}" if f"order_{name}" in self.fields else None,
                _("Datoerne kan læses begge veje: vælg, hvordan de er skrevet."),
            )
        return cleaned

    def choices(self) -> dict[str, str]:
        """Column index (as text) → what it holds: the field, EXTRA + name, or
        IGNORE. By index: two columns may have the same header."""
        return {
            str(index): self.cleaned_data.get(f"column_{index}") or IGNORE
            for index, header in enumerate(self.reading.headers)
            if header
        }

    def fills(self) -> dict[str, str]:
        return {
            name.removeprefix("fill_"): clean_text(value.strip())
            for name, value in self.cleaned_data.items()
            if name.startswith("fill_") and value and value.strip()
        }

    def orders(self) -> dict[str, str]:
        return {
            name.removeprefix("order_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("order_") and value
        }

    def rows(self):
        """(header, bound field) per column, for the page."""
        return [
            (header, self[f"column_{index}"])
            for index, header in enumerate(self.reading.headers)
            if header
        ]

    def other_fields(self):
        return [self[name] for name in self.fields if not name.startswith("column_")]


def _samples(reading: Reading, index: int) -> str:
    samples = reading.samples(index)
    if not samples:
        return _("Kolonnen er tom.")
    return _("Fx: %(samples)s") % {"samples": "; ".join(samples)}


def _fill_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=_("%(field)s i alle rækker") % {"field": label},
        required=False,
        max_length=200,
        help_text=escape(
            _(
                "Ingen kolonne hedder %(field)s. Vælg kolonnen ovenfor, eller skriv "
                "én værdi for alle rækker."
            )
            % {"field": label}
        ),
    )


def _order_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Hvordan er datoerne i %(field)s skrevet?") % {"field": label},
        choices=[
            (DAY_FIRST, _("Dag først: 04/05/2025 er 4. maj 2025")),
            (MONTH_FIRST, _("Måned først: 04/05/2025 er 5. april 2025")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )


# --- The pages ------------------------------------------------------------------------


def upload_page(request, spec: SheetImport) -> HttpResponse:
    """GET: the upload form, and the person's sheets on their way in. POST: the
    columns, if the person must place some, else the rows checked (a big sheet
    by the worker, its page following it); nothing saved."""
    if request.method != "POST":
        form = ImportForm(max_rows=spec.max_rows)
        return _render(request, spec, {"form": form, "jobs": _jobs(request, spec)})
    form = ImportForm(request.POST, request.FILES, max_rows=spec.max_rows)
    if not form.is_valid():
        return _render(request, spec, {"form": form, "jobs": _jobs(request, spec)})
    columns = spec.columns()
    reading = read_columns(form.sheet, columns)
    if len(reading.body) > form.max_rows:
        form.add_error("file", spreadsheets.too_many_rows(form.max_rows))
        return _render(request, spec, {"form": form, "jobs": _jobs(request, spec)})
    _discard_waiting(request, spec)
    remembered = ColumnMapping.objects.filter(
        sheet=spec.url_name, headers=reading.key
    ).first()
    choices = remembered.columns if remembered else None
    if choices:
        reading = read_columns(form.sheet, columns, chosen=choices)
    job = ImportJob.objects.create(
        requested_by=request.user,
        sheet=spec.url_name,
        token=store_upload(form.sheet),
        name=form.cleaned_data["file"].name[:255],
        digest=hashlib.sha256(form.content).hexdigest(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        choices=choices,
        remembered=bool(remembered),
        total=len(reading.body),
    )
    if reading.needs_choice:
        return _render_columns(request, spec, job, form.sheet, reading, columns)
    return _start_check(request, spec, job, form.sheet)


def job_page(request, spec: SheetImport, pk: int) -> HttpResponse:
    """A sheet on its way in, wherever it is: its columns to place, its progress
    (polled while the worker has it; a finished job reloads the page), its
    preview (by pages for a big sheet), or how it ended."""
    jobs = ImportJob.objects.visible_to(request.user).filter(pk=pk, sheet=spec.url_name)
    if request.htmx:
        # A poll: the progress only, not the rows kept for the preview.
        jobs = jobs.defer("results", "notes", "valid", "duplicates", "include")
    job = jobs.first()
    if job is None:
        if request.htmx:
            # Cancelled or replaced meanwhile: the poller goes to the import page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse(spec.page_url)
            return response
        raise Http404
    if request.htmx:
        if job.is_active:
            return render(request, "_partials/import_progress.html", {"job": job})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if job.status == Status.COLUMNS:
        try:
            sheet = _stored_sheet(job)
        except Gone:
            return _gone(request, spec, job)
        columns = spec.columns()
        reading = read_columns(sheet, columns, chosen=job.choices)
        return _render_columns(request, spec, job, sheet, reading, columns)
    if job.status == Status.CHECKED:
        return _show_rows(request, spec, job)
    return _render(request, spec, {"job": job})


def columns_page(request, spec: SheetImport) -> HttpResponse:
    """The person's reading of the columns, remembered for sheets with the same
    headers; then the rows as read. Posted without choices (»Ret kolonnerne« on
    the preview), it shows the columns as they are read now."""
    job = _posted_job(request, spec, Status.COLUMNS, Status.CHECKED)
    if job is None:
        return _nothing_to_confirm(request, spec)
    try:
        sheet = _stored_sheet(job)
    except Gone:
        return _gone(request, spec, job)
    columns = spec.columns()
    shown = read_columns(sheet, columns, chosen=job.choices)
    if not any(key.startswith("column_") for key in request.POST):
        return _render_columns(request, spec, job, sheet, shown, columns)
    form = ColumnsForm(request.POST, sheet=sheet, reading=shown, columns=columns)
    if not form.is_valid():
        return _render_columns(request, spec, job, sheet, shown, columns, form)
    ColumnMapping.objects.update_or_create(
        sheet=spec.url_name,
        headers=shown.key,
        defaults={
            "columns": form.choices(),
            "changed_by": request.user,
            "changed_at": timezone.now(),
        },
    )
    moved = job.move(
        job.status,
        status=Status.COLUMNS,
        choices=form.choices(),
        fills=form.fills(),
        orders=form.orders(),
        remembered=False,
    )
    if not moved:
        return _nothing_to_confirm(request, spec)
    return _start_check(request, spec, job, sheet)


def confirm_import(request, spec: SheetImport) -> HttpResponse:
    """Import the checked sheet's valid rows, and the duplicates ticked, if
    they are still those the person saw: at once, or by the worker for a big
    sheet. Of two confirmations sent at once (a double click) one imports."""
    job = _posted_job(request, spec, Status.CHECKED)
    if job is None:
        return _nothing_to_confirm(request, spec)
    duplicates = set(job.duplicates)
    include = {
        int(number)
        for number in request.POST.getlist("include")
        if number.isdecimal() and int(number) in duplicates
    }
    if request.POST.get("include_all"):
        include = duplicates
    background = job.total > settings.IMPORT_BACKGROUND_ROWS
    now = timezone.now()
    taken = job.move(
        Status.CHECKED,
        status=Status.IMPORTING,
        include=sorted(include),
        done=0,
        error="",
        started_at=None if background else now,
        queued_at=now if background else None,
    )
    if not taken:
        return _nothing_to_confirm(request, spec)
    if background:
        transaction.on_commit(lambda: enqueue(TASKS[Status.IMPORTING], job.pk))
        messages.info(
            request,
            _(
                "Rækkerne importeres nu i baggrunden. Du kan forlade siden; du får "
                "besked under klokken, når de er importeret."
            ),
        )
        return redirect(_job_url(spec, job))
    outcome = _inline(job, Status.IMPORTING, lambda: import_job(job, spec))
    if outcome == "gone":
        return _nothing_to_confirm(request, spec)
    if outcome == "changed":
        messages.warning(request, job.error)
        return _show_rows(request, spec, job)
    if outcome == "failed":
        messages.error(request, job.error)
        return redirect(spec.page_url)
    messages.success(request, spec.imported(job.imported))
    return redirect(spec.done_url)


def cancel_import(request, spec: SheetImport) -> HttpResponse:
    """Forget the sheet (and its file); nothing was saved. Not once its rows are
    being imported: that is all or nothing already."""
    token = request.POST.get("token", "")
    for job in _mine(request, spec).filter(token=token):
        _discard(job)
    messages.info(request, _("Importen er annulleret. Intet er gemt."))
    return redirect(spec.page_url)


# --- Checking and importing: in the request, or in the worker -------------------------


def check(job: ImportJob, spec: SheetImport, sheet: Sheet | None = None) -> str:
    """Read and check the job's rows; it ends checked, with its preview, or
    back at its columns (a remembered reading that no longer fits), or failed
    with why. Gone if the job is dropped meanwhile."""
    columns = spec.columns()
    try:
        sheet = sheet or _stored_sheet(job)
        reading = _reading(sheet, columns, job)
        if reading.needs_choice:
            job.move(Status.CHECKING, status=Status.COLUMNS, started_at=None)
            return "columns"
        rows, skipped = sheet_rows(sheet, reading, columns)
    except ValidationError as error:
        _fail(job, Status.CHECKING, " ".join(error.messages))
        return "failed"
    job.total = len(rows)
    results = check_rows(spec, rows, job.requested_by, columns, progress=_progress(job))
    notes = (
        [
            _("Række %(rows)s over overskrifterne er sprunget over.")
            % {"rows": ", ".join(str(n) for n in reading.above)}
        ]
        if reading.above
        else []
    )
    notes += [
        _("Række %(row)s: %(why)s") % {"row": number, "why": why}
        for number, why in skipped
    ]
    _preview(job, Status.CHECKING, results, notes=[str(note) for note in notes])
    return "checked"


def import_job(job: ImportJob, spec: SheetImport, *, worker: bool = False) -> str:
    """Check the job's rows again and, if they are those of its preview, save
    them in one transaction ("imported"); else the job shows its rows again
    ("changed"), or says why it cannot ("failed")."""
    columns = spec.columns()
    try:
        sheet = _stored_sheet(job)
        reading = _reading(sheet, columns, job)
        if reading.needs_choice:
            raise ValidationError(column_errors(reading, columns))
        rows, _skipped = sheet_rows(sheet, reading, columns)
    except ValidationError as error:
        # What the sheet refers to changed under it (an indicator renamed, say).
        _fail(job, Status.IMPORTING, " ".join(error.messages))
        return "failed"
    user = job.requested_by
    results = check_rows(spec, rows, user, columns, keep=True, progress=_progress(job))
    if valid_rows(results) != job.valid or duplicate_rows(results) != job.duplicates:
        # Something changed since the preview (a year was approved, a sign-up
        # made, say): the person decides again on what would now be imported.
        _preview(
            job,
            Status.IMPORTING,
            results,
            error=_("Rækkerne er ændret siden forhåndsvisningen. Se dem igen."),
        )
        return "changed"
    with transaction.atomic():
        # Still this person's to import: not swept meanwhile.
        if not ImportJob.objects.select_for_update().filter(
            pk=job.pk, status=Status.IMPORTING
        ):
            raise Gone
        count = import_rows(results, set(job.include), save=spec.save)
        ImportedSheet.objects.create(
            sheet=spec.url_name,
            digest=job.digest,
            name=job.name,
            rows=count,
            imported_by=user,
            imported_at=timezone.now(),
        )
        job.move(
            Status.IMPORTING,
            status=Status.IMPORTED,
            imported=count,
            done=len(rows),
            results=[],
            notes=[],
            finished_at=timezone.now(),
        )
    discard_upload(job.token)
    # Kept under the bell too: what was imported, when, and where to see it.
    # Told once the rows are stored, never of rows a failed commit left out.
    notify(
        Notification.Kind.IMPORT_FINISHED,
        about=None,
        users=[user],
        text=f"{job.name}: {spec.imported(count)}",
        url=resolve_url(spec.done_url),
        queue=not worker,
    )
    return "imported"


def work(job_id: int, status: str) -> str:
    """The worker's part: check or import the job, once (it is taken in one
    UPDATE), for its person if they may still; what came of it."""
    job = ImportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != status or not job.claim(status):
        return "skipped"
    spec = import_named(job.sheet)
    with translation.override(job.language):
        try:
            if spec is None or not job.requested_by.is_active:
                raise PermissionDenied
            spec.require(job.requested_by)
        except PermissionDenied:
            _fail(job, status, _("Du har ikke længere adgang til importen."))
            return "refused"
        if status == Status.CHECKING:
            outcome = _inline(job, status, lambda: check(job, spec))
        else:
            outcome = _inline(job, status, lambda: import_job(job, spec, worker=True))
        # The person may have left the page: the bell leads back to it (an
        # imported sheet's own notice is import_job's).
        texts = {
            "checked": _("Rækkerne er kontrolleret og venter på din bekræftelse."),
            "changed": _("Rækkerne er ændret siden forhåndsvisningen. Se dem igen."),
            "columns": _("Vælg, hvad kolonnerne indeholder."),
            "failed": job.error,
        }
        if outcome in texts:
            notify(
                Notification.Kind.IMPORT_CHECKED,
                about=None,
                users=[job.requested_by],
                text=f"{job.name}: {texts[outcome]}",
                url=_job_url(spec, job),
                queue=False,
            )
    return outcome


def sweep_import_jobs() -> dict:
    """The beat's housekeeping: queue again the jobs whose message never reached
    a worker, give up on those whose worker died (their lease ran out; nothing of
    an import was saved: it is one transaction), and delete the jobs older than
    the longest session with their files (a sheet may name residents)."""
    now = timezone.now()
    waited = now - datetime.timedelta(seconds=settings.REPORT_REQUEUE_AFTER)
    requeued = 0
    for job in ImportJob.objects.filter(
        status__in=list(TASKS), started_at__isnull=True, queued_at__lt=waited
    ):
        ImportJob.objects.filter(pk=job.pk).update(queued_at=now)
        requeued += enqueue(TASKS[job.status], job.pk)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Importen blev afbrudt. Intet er gemt. Prøv igen.")
    given_up = (
        ImportJob.objects.filter(status__in=list(TASKS), started_at__isnull=False)
        .filter(leases.ended(now))
        .update(status=Status.FAILED, error=reason, finished_at=now)
    )
    deleted = 0
    for job in ImportJob.objects.expired(now):
        deleted += _discard(job, busy_too=True)
    return {"requeued": requeued, "given_up": given_up, "deleted": deleted}


# --- Helpers --------------------------------------------------------------------------


def _start_check(request, spec, job, sheet) -> HttpResponse:
    """Check the rows now and show them; a big sheet by the worker, the person
    taken to its page."""
    now = timezone.now()
    background = job.total > settings.IMPORT_BACKGROUND_ROWS
    moved = job.move(
        job.status,
        status=Status.CHECKING,
        done=0,
        error="",
        started_at=None if background else now,
        queued_at=now if background else None,
    )
    if not moved:
        # Another request moved it on (a double click): its page says where.
        return redirect(_job_url(spec, job))
    if background:
        transaction.on_commit(lambda: enqueue(TASKS[Status.CHECKING], job.pk))
        return redirect(_job_url(spec, job))
    outcome = _inline(job, Status.CHECKING, lambda: check(job, spec, sheet))
    if outcome == "gone":
        return _nothing_to_confirm(request, spec)
    if outcome == "failed":
        # Rows above the header (a title) and the limit: rare, after the upload.
        messages.error(request, job.error)
        _discard(job)
        return redirect(spec.page_url)
    if outcome == "columns":
        return job_page(request, spec, job.pk)
    return _show_rows(request, spec, job)


def _show_rows(request, spec, job) -> HttpResponse:
    """The preview of a checked job: a page of its rows (or only those with
    errors or duplicates), the counts, and confirm or cancel."""
    rows = job.results
    problems = request.GET.get("vis") == "problemer"
    if problems:
        rows = [row for row in rows if row["errors"] or row["duplicate"]]
    page = Paginator(rows, PREVIEW_ROWS).get_page(request.GET.get("side"))
    results = [RowResult.from_json(row) for row in page.object_list]
    shown_duplicates = {r.number for r in results if r.is_valid and r.duplicate}
    before = (
        ImportedSheet.objects.filter(sheet=spec.url_name, digest=job.digest)
        .select_related("imported_by")
        .order_by("-imported_at")
        .first()
    )
    context = {
        "job": job,
        "preview": True,
        "results": results,
        "page": page,
        "problems": problems,
        "job_url": _job_url(spec, job),
        "columns": spec.preview_columns,
        "name": job.name,
        "token": job.token,
        "total": len(job.results),
        # A duplicate is a valid row too.
        "valid": len(job.valid) - len(job.duplicates),
        "invalid": len(job.results) - len(job.valid),
        "duplicates": len(job.duplicates),
        # Ticked one by one when the page lists every duplicate; else all or none.
        "tick_each": shown_duplicates == set(job.duplicates),
        "notes": job.notes,
        "before": before,
        "remembered": job.remembered,
        "columns_url": reverse(spec.columns_url),
        "confirm_url": reverse(spec.confirm_url),
        "cancel_url": reverse(spec.cancel_url),
    }
    return _render(request, spec, context)


def _render_columns(
    request, spec, job, sheet, reading, columns, form=None
) -> HttpResponse:
    """The columns page; 400 when the person's choices were refused."""
    context = {
        "job": job,
        "columns_form": form
        or ColumnsForm(sheet=sheet, reading=reading, columns=columns),
        "name": job.name,
        "token": job.token,
        "header_number": reading.header_number,
        "columns_url": reverse(spec.columns_url),
        "cancel_url": reverse(spec.cancel_url),
    }
    return _render(request, spec, context, status=400 if form else 200)


def _render(request, spec, context, status=200) -> HttpResponse:
    context.setdefault("done_url", reverse(spec.done_url))
    context.setdefault("upload_url", reverse(spec.page_url))
    context.setdefault("cancel_url", reverse(spec.cancel_url))
    return render(request, spec.template_name, context, status=status)


def _preview(job, status, results, *, notes=None, error="") -> None:
    """The job's preview, from its rows' verdicts; Gone if it was dropped."""
    fields = {
        "results": [result.as_json() for result in results],
        "valid": valid_rows(results),
        "duplicates": duplicate_rows(results),
        "done": len(results),
        "total": len(results),
        "include": [],
        "error": str(error),
        "started_at": None,
        "queued_at": None,
        "finished_at": timezone.now(),
    }
    if notes is not None:
        fields["notes"] = notes
    if not job.move(status, status=Status.CHECKED, **fields):
        raise Gone


def _progress(job):
    def told(done: int) -> None:
        if not job.progress(done):
            raise Gone

    return told


def _inline(job, status: str, work_on) -> str:
    """What came of checking or importing the job (`work_on`), in the request or
    the worker alike, under a lease (boligsocial.leases): "gone" when the job was
    dropped meanwhile or its sheet is no more; any failure ends the job failed,
    with nothing saved (an import is one transaction), rather than leave it at its
    step."""
    try:
        with leases.kept(partial(job.beat, status), name=f"import {job.pk}"):
            return work_on()
    except Gone:
        _fail(job, status, _("Regnearket findes ikke længere. Upload det igen."))
        return "gone"
    except Exception:
        log.exception("Import %s failed.", job.pk)
        _fail(
            job, status, _("Importen kunne ikke gennemføres. Intet er gemt. Prøv igen.")
        )
        return "failed"


def _fail(job, at: str, reason: str) -> None:
    """The job at step `at` failed, for `reason`; its sheet, which no later step
    will read, is deleted at once (it may name residents)."""
    if job.move(at, status=Status.FAILED, error=reason, finished_at=timezone.now()):
        discard_upload(job.token)


def _reading(sheet: Sheet, columns: Columns, job: ImportJob) -> Reading:
    return read_columns(
        sheet, columns, chosen=job.choices, fills=job.fills, orders=job.orders
    )


def _stored_sheet(job: ImportJob) -> Sheet:
    sheet = peek_upload(job.token)
    if sheet is None:
        raise Gone
    return sheet


def _mine(request, spec):
    return ImportJob.objects.visible_to(request.user).filter(sheet=spec.url_name)


def _jobs(request, spec) -> list[ImportJob]:
    """The person's sheets of this import on their way in, for the upload page."""
    jobs = list(
        _mine(request, spec)
        .waiting()
        .only("pk", "name", "status", "requested_at", "done", "total")
    )
    for job in jobs:
        job.url = _job_url(spec, job)
    return jobs


def _posted_job(request, spec, *statuses) -> ImportJob | None:
    """The person's job the form names by its token, if it is at one of these
    steps."""
    token = request.POST.get("token", "")
    job = _mine(request, spec).filter(token=token).select_related("requested_by")
    job = job.first()
    return job if job is not None and job.status in statuses else None


def _discard_waiting(request, spec) -> None:
    """A new upload replaces the person's earlier sheet of the same import that
    is not being imported."""
    for job in _mine(request, spec).exclude(
        status__in=[Status.IMPORTING, Status.IMPORTED]
    ):
        _discard(job)


def _discard(job: ImportJob, *, busy_too: bool = False) -> int:
    """Delete the job and its sheet; not while its rows are being imported
    (all or nothing already), unless `busy_too` (a job long dead)."""
    jobs = ImportJob.objects.filter(pk=job.pk)
    if not busy_too:
        jobs = jobs.exclude(status=Status.IMPORTING)
    deleted, _rows = jobs.delete()
    if deleted:
        discard_upload(job.token)
    return deleted


def _job_url(spec, job) -> str:
    return reverse(spec.job_url, args=[job.pk])


def _nothing_to_confirm(request, spec) -> HttpResponse:
    messages.error(request, _("Der er ingen import at bekræfte. Upload filen."))
    return redirect(spec.page_url)


def _gone(request, spec, job) -> HttpResponse:
    _discard(job)
    return _nothing_to_confirm(request, spec)
