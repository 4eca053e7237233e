"""Import of an existing Nabohjælp sign-up list from Excel (being written)."""

from django.http import Http404


def signup_import(request):
    raise Http404


signup_import_confirm = signup_import_cancel = signup_import_template = signup_import
