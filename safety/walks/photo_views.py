"""Findings' photos: added from the finding's page, served only through its door.

MEDIA_ROOT has no URL: a photo may show residents, so every request for one goes
through get_finding_for_user like the finding itself.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .access import get_finding_for_user
from .forms import StatusForm
from .photos import PhotoForm, add_photo
from .views import render_finding_detail


@login_required
@require_POST
def finding_photo_add(request, pk):
    """Keepers, and the responsible partner (an "after" photo), add a photo."""
    finding = get_finding_for_user(request.user, pk, write=True)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        # The form sits on the finding's page: the page comes back with the reason
        # under the photo field.
        status_form = StatusForm(finding=finding, user=request.user)
        return render_finding_detail(
            request, finding, status_form, 400, photo_errors=form.errors["photo"]
        )
    add_photo(finding=finding, upload=form.cleaned_data["photo"], by=request.user)
    messages.success(request, _("Billedet er tilføjet."))
    return redirect(finding)


@login_required
@require_GET
def finding_photo(request, pk, photo_pk):
    return _serve(request, pk, photo_pk, thumbnail=False)


@login_required
@require_GET
def finding_photo_thumb(request, pk, photo_pk):
    return _serve(request, pk, photo_pk, thumbnail=True)


def _serve(request, pk: int, photo_pk: int, *, thumbnail: bool) -> FileResponse:
    finding = get_finding_for_user(request.user, pk)
    photo = get_object_or_404(finding.photos, pk=photo_pk)
    field = photo.thumbnail if thumbnail else photo.image
    suffix = "-thumb" if thumbnail else ""
    return jpeg_response(field, f"fund-{finding.pk}-billede-{photo.pk}{suffix}.jpg")


def jpeg_response(field, filename: str) -> FileResponse:
    """A stored photo (a JPEG the portal wrote itself), once a door has let the
    person through; not found when its file is gone."""
    if not field:
        raise Http404
    try:
        file = field.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(file, content_type="image/jpeg", filename=filename)
    # No Cache-Control here: NoStoreMiddleware marks every response to a logged-in
    # person no-store, and a photo may show residents just as a page may.
    response["X-Content-Type-Options"] = "nosniff"
    return response
