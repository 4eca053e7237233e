"""A background export's page: its progress (polled until it is done), the
download, and asking again for one that failed. Only the person who asked."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import exports, spreadsheets
from .lists import render_htmx


@login_required
@require_GET
def export_job(request, pk):
    job = exports.get_export_job_for_user(request.user, pk)
    export = exports.export_named(job.export)
    context = {"job": job, "export": export, "keep_days": settings.EXPORT_KEEP.days}
    return render_htmx(
        request, "boligsocial/export_job.html", context, partial="status"
    )


@login_required
@require_GET
def export_job_download(request, pk):
    job = exports.get_export_job_for_user(request.user, pk)
    if job.status != job.Status.READY or not default_storage.exists(job.file.name):
        raise Http404
    # The person may have lost the list since the file was written.
    export = exports.export_named(job.export)
    if export is None:
        raise Http404
    export.allowed(request.user)
    return FileResponse(
        default_storage.open(job.file.name, "rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=spreadsheets.FORMATS[job.fmt],
    )


@login_required
@require_POST
def export_job_retry(request, pk):
    job = exports.get_export_job_for_user(request.user, pk)
    if exports.retry_export(job):
        messages.success(request, _("Eksporten skrives igen."))
    else:
        messages.info(request, _("Kun en eksport, der fejlede, kan bestilles igen."))
    return redirect(job)
