"""Photos of findings: checked to be images, re-encoded without their metadata.

A phone's photo carries where it was taken (EXIF GPS), the phone and often the
time; a finding's photo may also show residents. So nothing of the upload is kept
but its pixels (and colour profile): it is decoded, turned upright, shrunk and
written anew as JPEG under a random name, with a thumbnail beside it. The files
are served only through the access-checked views in photo_views.py.
"""

import contextlib
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps

from .models import Finding, FindingPhoto

MAX_BYTES = 10 * 1024 * 1024
# Far above any phone camera (50 MP sensors save 12 MP by default), far below
# what a small file can claim to hold and make us decode (a decompression bomb).
MAX_PIXELS = 40_000_000
# The only decoders of Pillow's we let near an upload (JPEG includes the MPO
# variant some phones write).
FORMATS = ("JPEG", "PNG", "WEBP")
LONG_SIDE = 2000
THUMBNAIL_LONG_SIDE = 400
QUALITY = 85

NOT_AN_IMAGE = _("Filen er ikke et billede (JPEG, PNG eller WebP).")
TOO_LARGE = _("Billedet er større end 10 MB.")
TOO_MANY_PIXELS = _("Billedet har for mange pixels (højst 40 megapixel).")


def validate_photo(upload) -> None:
    """Raise a ValidationError with a message for the person uploading unless the
    upload is a JPEG, PNG or WebP of at most 10 MB and 40 megapixels that decodes
    completely."""
    _decoded(upload).close()


class PhotoForm(forms.Form):
    """One photo; on a phone the browser offers the camera."""

    photo = forms.FileField(
        label=_("Tilføj et billede"),
        validators=[validate_photo],
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={"required": _("Vælg et billede.")},
    )


def add_photo(*, finding: Finding, upload, by) -> FindingPhoto:
    """Check the upload, store it re-encoded without metadata with a thumbnail,
    and return the new photo. Raises ValidationError (nothing stored) when the
    upload is refused."""
    photo_bytes, thumbnail_bytes, width, height = encoded_photo(upload)
    photo = FindingPhoto(finding=finding, uploaded_by=by, width=width, height=height)
    photo.image.save("photo.jpg", ContentFile(photo_bytes), save=False)
    photo.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail_bytes), save=False)
    try:
        photo.save()
    except Exception:
        # No row, no files: the two just written would be reachable by nobody.
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        raise
    return photo


def encoded_photo(upload) -> tuple[bytes, bytes, int, int]:
    """The upload re-encoded: the photo's JPEG bytes, its thumbnail's, and the
    photo's width and height. Raises ValidationError when it is refused."""
    with _upright_rgb(_decoded(upload)) as image:
        photo_bytes, width, height = _encode(image, LONG_SIDE)
        thumbnail_bytes, _width, _height = _encode(image, THUMBNAIL_LONG_SIDE)
    return photo_bytes, thumbnail_bytes, width, height


def _decoded(upload) -> Image.Image:
    """The upload's pixels (its first frame), or a ValidationError saying why not."""
    if upload.size > MAX_BYTES:
        raise ValidationError(TOO_LARGE, code="too_large")
    # Pillow reads from a copy: closing a PNG's image closes the file it came
    # from, and the form's check and add_photo each read the upload.
    upload.seek(0)
    data = upload.read()
    try:
        with _truncated_refused():
            # verify() checks the file's structure but leaves the image unusable;
            # the second open decodes it all, which catches a truncated file.
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                _check_pixels(image)
                image.verify()
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                image.load()
                return image
    except Image.DecompressionBombError as error:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except ValidationError:
        raise
    except Exception as error:
        # Pillow reports a broken or foreign file with many kinds of errors
        # (OSError, SyntaxError, struct.error, ValueError ...): all mean the same.
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error


@contextlib.contextmanager
def _truncated_refused():
    """WeasyPrint, imported with the PDF views, tells Pillow to load truncated
    images, for the whole process; an upload cut short must still be refused.
    The flag is global: this relies on gunicorn's sync workers (one request at a
    time per process), so no PDF is drawn while a photo is checked."""
    saved = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _check_pixels(image: Image.Image) -> None:
    # Read from the header, before anything is decoded.
    if image.width * image.height > MAX_PIXELS:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Turn the pixels as the camera's orientation tag says, and flatten any
    transparency onto white (JPEG has none)."""
    image = ImageOps.exif_transpose(image)
    # Only the colour profile survives (a phone's Display P3: no location in it),
    # and only over the RGB pixels it describes. EXIF (GPS), XMP and comments stay
    # behind.
    icc_profile = image.info.get("icc_profile") if image.mode == "RGB" else None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    image = image.convert("RGB")
    image.info = {"icc_profile": icc_profile} if icc_profile else {}
    return image


def _encode(image: Image.Image, long_side: int) -> tuple[bytes, int, int]:
    """JPEG bytes of the image shrunk to fit long_side, with no metadata."""
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(
        buffer,
        "JPEG",
        quality=QUALITY,
        optimize=True,
        icc_profile=image.info.get("icc_profile"),
    )
    return buffer.getvalue(), copy.width, copy.height
