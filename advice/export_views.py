"""The access log's export: its raw rows under the page's filter, for the
coordinators who review it (the page itself may group them)."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from boligsocial.exports import list_download

from . import exports


@login_required
@require_GET
def access_log_export(request, fmt):
    return list_download(request, fmt, exports.ACCESS_LOG)
