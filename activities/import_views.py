"""Import of historical activity records from Excel: upload and preview, then
confirm or cancel. Nothing is saved before the confirmation, and then every
valid row is saved at once (the steps are boligsocial.spreadsheets')."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial import spreadsheets

from . import imports
from .access import require_logger

SESSION_KEY = "record_import"


def _imported(count: int) -> str:
    return ngettext(
        "%(count)s registrering er importeret.",
        "%(count)s registreringer er importeret.",
        count,
    ) % {"count": count}


RECORDS = spreadsheets.SheetImport(
    session_key=SESSION_KEY,
    template_name="activities/record_import.html",
    page_url="activities:record_import",
    confirm_url="activities:record_import_confirm",
    cancel_url="activities:record_import_cancel",
    done_url="activities:record_list",
    read=imports.read_sheet,
    validate=imports.validate_rows,
    preview_columns=imports.PREVIEW_COLUMNS,
    imported=_imported,
)


@login_required
@require_http_methods(["GET", "POST"])
def record_import(request):
    require_logger(request.user)
    return spreadsheets.upload_page(request, RECORDS)


@login_required
@require_POST
def record_import_confirm(request):
    require_logger(request.user)
    return spreadsheets.confirm_import(request, RECORDS)


@login_required
@require_POST
def record_import_cancel(request):
    require_logger(request.user)
    return spreadsheets.cancel_import(request, RECORDS)


@login_required
@require_GET
def record_import_template(request):
    require_logger(request.user)
    return spreadsheets.xlsx_download(
        imports.template_workbook(), "registreringer-skabelon.xlsx"
    )
