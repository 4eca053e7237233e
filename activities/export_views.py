"""The calendar's export: the events it shows under its filter, as CSV or Excel."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from boligsocial.exports import list_download

from . import exports


@login_required
@require_GET
def event_export(request, fmt):
    return list_download(request, fmt, exports.EVENTS)
