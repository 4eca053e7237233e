"""Import of historical activity records from Excel: upload and preview, then
confirm or cancel. Nothing is saved before the confirmation, and then every
valid row is saved at once.

The sheet waits between the steps as a file named by a token; the uploader's
session holds the token, so nobody else can confirm or cancel it.
"""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import exports, imports
from .access import require_logger

SESSION_KEY = "record_import"


@login_required
@require_http_methods(["GET", "POST"])
def record_import(request):
    require_logger(request.user)
    if request.method == "POST":
        form = imports.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            _forget_pending(request)
            results = imports.validate_rows(form.rows, request.user)
            pending = {
                "token": imports.store_upload(form.content),
                "name": form.cleaned_data["file"].name,
                "user": request.user.pk,
                "valid": _valid_rows(results),
            }
            request.session[SESSION_KEY] = pending
            return _render_preview(request, pending, results)
    else:
        form = imports.ImportForm()
    return render(request, "activities/record_import.html", {"form": form})


@login_required
@require_POST
def record_import_confirm(request):
    require_logger(request.user)
    pending = _pending(request)
    content = imports.take_upload(pending["token"]) if pending else None
    if content is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("Der er ingen import at bekræfte. Upload filen."))
        return redirect("activities:record_import")
    try:
        rows = imports.read_sheet(BytesIO(content))
    except ValidationError as error:
        # The plan changed under the sheet (an indicator renamed, say).
        request.session.pop(SESSION_KEY)
        messages.error(request, " ".join(error.messages))
        return redirect("activities:record_import")
    results = imports.validate_rows(rows, request.user)
    if _valid_rows(results) != pending["valid"]:
        # Something changed since the preview (a year was approved, say): the
        # person decides again on what would now be imported.
        pending.update(token=imports.store_upload(content), valid=_valid_rows(results))
        request.session[SESSION_KEY] = pending
        messages.warning(
            request, _("Rækkerne er ændret siden forhåndsvisningen. Se dem igen.")
        )
        return _render_preview(request, pending, results)
    count = imports.import_rows(results)
    request.session.pop(SESSION_KEY)
    messages.success(
        request,
        ngettext(
            "%(count)s registrering er importeret.",
            "%(count)s registreringer er importeret.",
            count,
        )
        % {"count": count},
    )
    return redirect("activities:record_list")


@login_required
@require_POST
def record_import_cancel(request):
    require_logger(request.user)
    if _pending(request):
        _forget_pending(request)
    messages.info(request, _("Importen er annulleret. Intet er gemt."))
    return redirect("activities:record_import")


@login_required
@require_GET
def record_import_template(request):
    require_logger(request.user)
    response = HttpResponse(
        imports.template_workbook(), content_type=exports.FORMATS["xlsx"]
    )
    response["Content-Disposition"] = (
        'attachment; filename="registreringer-skabelon.xlsx"'
    )
    return response


def _pending(request) -> dict | None:
    """The import waiting in this session, if the form names its token; a token
    the session does not hold is not found."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("user") != request.user.pk:
        return None
    if request.POST.get("token") != pending["token"]:
        raise Http404
    return pending


def _forget_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        imports.discard_upload(pending["token"])


def _valid_rows(results) -> list[int]:
    return [result.number for result in results if result.is_valid]


def _render_preview(request, pending: dict, results):
    valid = len(pending["valid"])
    context = {
        "results": results,
        "name": pending["name"],
        "token": pending["token"],
        "total": len(results),
        "valid": valid,
        "invalid": len(results) - valid,
    }
    return render(request, "activities/record_import.html", context)
