"""Import of an existing Nabohjælp sign-up list from Excel: upload and preview,
then confirm or cancel. Nothing is saved before the confirmation, and then every
valid row is saved at once (the steps are boligsocial.spreadsheets')."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial import spreadsheets

from . import imports
from .access import require_signup_keeper

SESSION_KEY = "signup_import"


def _imported(count: int) -> str:
    return ngettext(
        "%(count)s tilmelding er importeret.",
        "%(count)s tilmeldinger er importeret.",
        count,
    ) % {"count": count}


SIGNUPS = spreadsheets.SheetImport(
    session_key=SESSION_KEY,
    template_name="safety/signup_import.html",
    page_url="safety:signup_import",
    confirm_url="safety:signup_import_confirm",
    cancel_url="safety:signup_import_cancel",
    done_url="safety:signup_list",
    read=imports.read_sheet,
    validate=imports.validate_rows,
    preview_columns=imports.PREVIEW_COLUMNS,
    imported=_imported,
)


@login_required
@require_http_methods(["GET", "POST"])
def signup_import(request):
    require_signup_keeper(request.user)
    return spreadsheets.upload_page(request, SIGNUPS)


@login_required
@require_POST
def signup_import_confirm(request):
    require_signup_keeper(request.user)
    return spreadsheets.confirm_import(request, SIGNUPS)


@login_required
@require_POST
def signup_import_cancel(request):
    require_signup_keeper(request.user)
    return spreadsheets.cancel_import(request, SIGNUPS)


@login_required
@require_GET
def signup_import_template(request):
    require_signup_keeper(request.user)
    return spreadsheets.xlsx_download(
        imports.template_workbook(), "nabohjaelp-tilmeldinger-skabelon.xlsx"
    )
