"""The one import's pages, for every sheet the portal reads (the activities'
records, Nabohjælp's sign-ups, the organisations): upload, place the columns if
asked, the rows checked (a big sheet by the worker, its page following it), the
preview, then confirm or cancel; and the workbook to fill in. Each app's urls
pass the view its `SheetImport` (spreadsheets.py), whose door the view asks
first: `import_urls` makes them. The steps are import_steps.py."""

from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import import_steps, spreadsheets
from .spreadsheets import SheetImport


@login_required
@require_http_methods(["GET", "POST"])
def sheet_import(request, sheet: SheetImport):
    """GET: the upload form. POST: the columns, or the preview of the rows."""
    sheet.require(request.user)
    return import_steps.upload_page(request, sheet)


@login_required
@require_GET
def sheet_import_job(request, pk: int, sheet: SheetImport):
    """One uploaded sheet of the person's: its columns, progress or preview."""
    sheet.require(request.user)
    return import_steps.job_page(request, sheet, pk)


@login_required
@require_POST
def sheet_import_columns(request, sheet: SheetImport):
    """What the sheet's columns hold, as the person placed them; then the rows."""
    sheet.require(request.user)
    return import_steps.columns_page(request, sheet)


@login_required
@require_POST
def sheet_import_confirm(request, sheet: SheetImport):
    sheet.require(request.user)
    return import_steps.confirm_import(request, sheet)


@login_required
@require_POST
def sheet_import_cancel(request, sheet: SheetImport):
    sheet.require(request.user)
    return import_steps.cancel_import(request, sheet)


@login_required
@require_GET
def sheet_import_template(request, sheet: SheetImport):
    sheet.require(request.user)
    return spreadsheets.xlsx_download(sheet.template(), sheet.template_filename)


def import_urls(route: str, name: str, sheet: SheetImport) -> list[URLPattern]:
    """The import's addresses under `route`, named `name`, `name`_job,
    `name`_columns, `name`_confirm, `name`_cancel and `name`_template."""
    kwargs = {"sheet": sheet}
    return [
        path(route, sheet_import, kwargs, name=name),
        path(f"{route}<int:pk>/", sheet_import_job, kwargs, name=f"{name}_job"),
        path(f"{route}columns/", sheet_import_columns, kwargs, name=f"{name}_columns"),
        path(f"{route}confirm/", sheet_import_confirm, kwargs, name=f"{name}_confirm"),
        path(f"{route}cancel/", sheet_import_cancel, kwargs, name=f"{name}_cancel"),
        path(
            f"{route}template.xlsx",
            sheet_import_template,
            kwargs,
            name=f"{name}_template",
        ),
    ]
