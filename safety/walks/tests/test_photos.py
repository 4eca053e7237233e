"""Photos of findings: checked, stored without location, served only through the
finding's door."""

import io
import struct
import zlib

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image, ImageCms, ImageFile

from boligsocial.models import Area, Organisation, Role
from conftest import make_user
from safety.models import Finding, FindingCategory, FindingPhoto
from safety.walks.photos import PhotoForm, add_photo, validate_photo

ORIENTATION = 0x0112
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def weasyprint_loaded(monkeypatch):
    """As in the running portal: WeasyPrint, imported with the PDF views, tells
    Pillow to load truncated images (whether this test imported it yet or not)."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)


@pytest.fixture
def other_partner(db):
    """A partner of SSP Odense, also granted Rising: not responsible for these."""
    return make_user("ssp", Role.PARTNER, organisation="SSP Odense", areas=["rising"])


@pytest.fixture
def finding(db) -> Finding:
    return make_finding()


def make_finding(*, place: str = "Rising Allé 12") -> Finding:
    return Finding.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude i opgangen.",
        place=place,
        responsible=Organisation.objects.get(name="Fyns Politi"),
    )


def image_bytes(fmt: str = "JPEG", size=(300, 200), mode="RGB", **options) -> bytes:
    """Left half red, right half blue: shows which way the pixels were turned."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, fmt, **options)
    return buffer.getvalue()


def phone_photo() -> bytes:
    """A landscape JPEG as a phone writes it: held upright (orientation 6: turn
    90° clockwise to show), with where it was taken in EXIF, XMP and a comment."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = {1: "N", 2: (55.0, 24.0, 12.0), 3: "E", 4: (10.0, 23.0, 5.0)}
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPSLatitude 55,24.2N</x:xmpmeta>'
    data = image_bytes(exif=exif, xmp=xmp, comment=b"Rising Alle 12")
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    # Signature (8), IHDR length and type (8), then width and height; the
    # chunk's CRC covers its type and data.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def upload(data: bytes, name: str = "IMG_2041.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(field) -> io.BytesIO:
    """The stored file's bytes, read and the file closed again."""
    with field.open("rb") as file:
        return io.BytesIO(file.read())


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


# --- Checking and storing -------------------------------------------------------


def test_a_phone_photo_is_stored_upright_without_location_or_other_metadata(
    finding, staff
):
    photo = add_photo(finding=finding, upload=upload(phone_photo()), by=staff)

    assert (photo.finding, photo.uploaded_by) == (finding, staff)
    assert (photo.width, photo.height) == (200, 300)
    for field in (photo.image, photo.thumbnail):
        data = opened(field).getvalue()
        assert b"Exif" not in data
        assert b"GPS" not in data
        assert b"Rising" not in data
    with Image.open(opened(photo.image)) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (200, 300)
        assert not stored.getexif()
        assert not {"exif", "xmp", "comment"} & set(stored.info)
        # Turned clockwise: the red left half is now on top.
        red, green, blue = stored.getpixel((100, 20))
        assert red > 200 and blue < 60
        red, green, blue = stored.getpixel((100, 280))
        assert blue > 200 and red < 60


def test_the_colour_profile_of_an_rgb_photo_is_kept(finding, staff):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = image_bytes(icc_profile=srgb)

    photo = add_photo(finding=finding, upload=upload(data), by=staff)

    with Image.open(opened(photo.image)) as stored:
        assert stored.info["icc_profile"] == srgb


def test_the_files_have_random_names_in_the_findings_folder(finding, staff):
    photo = add_photo(finding=finding, upload=upload(phone_photo()), by=staff)

    for field in (photo.image, photo.thumbnail):
        folder, name = field.name.rsplit("/", 1)
        assert folder == f"findings/{finding.pk}"
        assert name.endswith(".jpg") and len(name) == len("0" * 32 + ".jpg")
        assert "IMG_2041" not in field.name
    assert photo.image.name != photo.thumbnail.name


def test_a_large_photo_is_shrunk_and_gets_a_small_thumbnail(finding, staff):
    data = image_bytes(size=(4000, 3000), quality=70)
    photo = add_photo(finding=finding, upload=upload(data), by=staff)

    assert (photo.width, photo.height) == (2000, 1500)
    with Image.open(opened(photo.thumbnail)) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (400, 300)
        assert not thumbnail.getexif()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (image_bytes("PNG"), "skilt.png"),
        (image_bytes("PNG", mode="RGBA"), "gennemsigtig.png"),
        (image_bytes("PNG", mode="P"), "palet.png"),
        (image_bytes("WEBP"), "lampe.webp"),
    ],
    ids=["png", "png-with-alpha", "png-with-palette", "webp"],
)
def test_png_and_webp_are_accepted_and_stored_as_jpeg(finding, staff, data, name):
    photo = add_photo(finding=finding, upload=upload(data, name), by=staff)

    with Image.open(opened(photo.image)) as stored:
        assert stored.format == "JPEG"
        assert stored.mode == "RGB"
        assert stored.size == (300, 200)


BAD_UPLOADS = {
    "text-named-jpg": (b"Ikke et billede, bare tekst.\n" * 20, "Filen er ikke"),
    "truncated-jpeg": (image_bytes(size=(800, 600))[:3000], "Filen er ikke"),
    "gif": (image_bytes("GIF"), "Filen er ikke"),
    "eleven-mb": (b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024), "større end"),
    "48-megapixels": (png_claiming(8000, 6000), "for mange pixels"),
    "decompression-bomb": (png_claiming(20000, 20000), "for mange pixels"),
}


@pytest.mark.parametrize(
    ("data", "message"), BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys()
)
def test_a_refused_upload_stores_nothing(finding, staff, media_root, data, message):
    with pytest.raises(ValidationError) as refused:
        add_photo(finding=finding, upload=upload(data), by=staff)

    assert message in refused.value.messages[0]
    assert not FindingPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_checking_a_truncated_upload_leaves_weasyprints_setting_alone():
    with pytest.raises(ValidationError):
        validate_photo(upload(BAD_UPLOADS["truncated-jpeg"][0]))

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_the_validator_says_what_is_wrong_in_danish():
    with pytest.raises(ValidationError) as refused:
        validate_photo(upload(b"hej", "foto.jpg"))

    assert refused.value.messages == [
        "Filen er ikke et billede (JPEG, PNG eller WebP)."
    ]
    validate_photo(upload(image_bytes()))


def test_the_photo_field_offers_a_phones_camera():
    html = str(PhotoForm()["photo"])

    assert 'accept="image/*"' in html
    assert 'capture="environment"' in html


# --- Adding from the finding's page -------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.SAFETY_ADVISOR, Role.COORDINATOR])
def test_keepers_add_a_photo_and_return_to_the_finding(client, personas, finding, role):
    client.force_login(personas[role])

    response = client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]),
        {"photo": upload(phone_photo())},
    )

    assert response.status_code == 302
    assert response["Location"] == finding.get_absolute_url()
    assert finding.photos.get().uploaded_by == personas[role]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Billedet er tilføjet."
    ]


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_png_or_webp_sent_from_the_findings_page_is_stored(
    client, staff, finding, fmt
):
    """The form's check reads the upload, then add_photo reads it again (Pillow
    closed a PNG's upload after the first read)."""
    client.force_login(staff)

    response = client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]),
        {"photo": upload(image_bytes(fmt), f"skilt.{fmt.lower()}")},
    )

    assert response.status_code == 302
    with Image.open(opened(finding.photos.get().image)) as stored:
        assert stored.format == "JPEG"


def test_the_responsible_partner_adds_an_after_photo(client, partner, finding):
    client.force_login(partner)

    response = client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]),
        {"photo": upload(image_bytes())},
    )

    assert response.status_code == 302
    assert finding.photos.get().uploaded_by == partner


def photo_error(response) -> str:
    """The message under the photo field of the finding's page."""
    html = response.text
    start = html.index('id="id_finding_photo_error"')
    return html[html.index(">", start) + 1 : html.index("</div>", start)].strip()


def test_a_refused_upload_comes_back_to_the_finding_with_the_reason_at_the_field(
    client, staff, finding, media_root
):
    client.force_login(staff)

    response = client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]),
        {"photo": upload(b"Ikke et billede", "foto.jpg")},
    )

    assert response.status_code == 400
    assert response.context["finding"] == finding
    assert photo_error(response) == "Filen er ikke et billede (JPEG, PNG eller WebP)."
    assert 'aria-invalid="true"' in response.text
    assert not FindingPhoto.objects.exists()
    assert stored_files(media_root) == []
    # The button says what it does, in Danish.
    assert "Gem billedet</button>" in response.text


def test_sending_no_file_asks_for_one_at_the_field(client, staff, finding):
    client.force_login(staff)

    response = client.post(reverse("safety:finding_photo_add", args=[finding.pk]))

    assert response.status_code == 400
    assert photo_error(response) == "Vælg et billede."
    assert list(get_messages(response.wsgi_request)) == []


@pytest.mark.parametrize("who", ["advisor", "other_partner"])
def test_others_cannot_add_a_photo_or_tell_the_finding_exists(
    client, finding, who, advisor, other_partner
):
    client.force_login({"advisor": advisor, "other_partner": other_partner}[who])

    response = client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]),
        {"photo": upload(image_bytes())},
    )

    assert response.status_code == 404
    assert not FindingPhoto.objects.exists()


def test_adding_a_photo_needs_a_login(client, finding):
    url = reverse("safety:finding_photo_add", args=[finding.pk])

    response = client.post(url, {"photo": upload(image_bytes())})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not FindingPhoto.objects.exists()


def test_adding_a_photo_is_post_only(client, staff, finding):
    client.force_login(staff)

    url = reverse("safety:finding_photo_add", args=[finding.pk])

    assert client.get(url).status_code == 405


# --- Serving ---------------------------------------------------------------------


@pytest.fixture
def photo(finding, staff) -> FindingPhoto:
    return add_photo(finding=finding, upload=upload(phone_photo()), by=staff)


def photo_urls(photo) -> list[str]:
    args = [photo.finding_id, photo.pk]
    return [
        reverse("safety:finding_photo", args=args),
        reverse("safety:finding_photo_thumb", args=args),
    ]


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.SAFETY_ADVISOR, Role.COORDINATOR, Role.PARTNER]
)
def test_keepers_and_the_responsible_partner_see_the_photo(
    client, personas, photo, role
):
    client.force_login(personas[role])

    for url, field in zip(
        photo_urls(photo), [photo.image, photo.thumbnail], strict=True
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content) == opened(field).getvalue()


def test_the_photo_url_is_the_photos_address(photo):
    assert photo.get_absolute_url() == photo_urls(photo)[0]


@pytest.mark.parametrize("who", ["advisor", "other_partner"])
def test_others_get_not_found_for_the_photo(client, photo, who, advisor, other_partner):
    client.force_login({"advisor": advisor, "other_partner": other_partner}[who])

    for url in photo_urls(photo):
        assert client.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, photo):
    for url in photo_urls(photo):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_photo_of_another_finding_is_not_found_through_this_one(client, staff, photo):
    other = make_finding(place="Vestergade 3")
    client.force_login(staff)

    for name in ("safety:finding_photo", "safety:finding_photo_thumb"):
        url = reverse(name, args=[other.pk, photo.pk])
        assert client.get(url).status_code == 404


def test_serving_a_photo_is_get_only(client, staff, photo):
    client.force_login(staff)

    for url in photo_urls(photo):
        assert client.post(url).status_code == 405


def test_a_photo_whose_file_is_gone_is_not_found(client, staff, photo):
    photo.image.storage.delete(photo.image.name)
    client.force_login(staff)

    assert client.get(photo_urls(photo)[0]).status_code == 404


def test_the_files_are_not_reachable_under_media(client, staff, photo, settings):
    client.force_login(staff)

    for field in (photo.image, photo.thumbnail):
        assert client.get(f"/{settings.MEDIA_URL}{field.name}").status_code == 404
        assert client.get(f"/{field.name}").status_code == 404


# --- The finding's page ---------------------------------------------------------------


def test_the_findings_page_shows_thumbnails_linked_to_the_photos(client, staff, photo):
    client.force_login(staff)

    response = client.get(photo.finding.get_absolute_url())

    full, thumb = photo_urls(photo)
    assert f'href="{full}"' in response.text
    assert f'src="{thumb}"' in response.text
    assert 'alt="Billede 1 af fundet Hærværk: Rising Allé 12"' in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_the_upload_form_is_left_out_when_photos_cannot_be_added(photo):
    html = render_to_string(
        "safety/_finding_photos.html",
        {"finding": photo.finding, "photos": [photo], "can_add_photo": False},
    )

    assert photo_urls(photo)[1] in html
    assert "<form" not in html


def test_a_finding_without_photos_says_so(finding):
    html = render_to_string(
        "safety/_finding_photos.html",
        {"finding": finding, "photos": [], "can_add_photo": True},
    )

    assert "Ingen billeder endnu." in html
    assert reverse("safety:finding_photo_add", args=[finding.pk]) in html
