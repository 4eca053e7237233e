"""The files in an S3-compatible object store (S3_BUCKET), on moto's S3 server:
a finding's photo goes into the private bucket with its thumbnail, is served
only through the finding's door, and is deleted by the retention sweep once its
row is gone; a sheet waits for its import in the bucket and goes with it. The
backup and restore of such files is the restore drill's (tests/test_backup_restore).
"""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from boligsocial import spreadsheets
from boligsocial.models import Area, Organisation, Role
from boligsocial.retention import ORPHAN_GRACE
from boligsocial.tasks import housekeeping
from conftest import make_user
from safety.models import Finding, FindingCategory, FindingPhoto
from tests.s3 import Bucket, s3_server

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint, settings) -> Bucket:
    """A new private bucket, the portal's default storage."""
    made = Bucket.new(s3_endpoint)
    settings.STORAGES = {**settings.STORAGES, "default": made.storage_setting}
    return made


@pytest.fixture
def finding() -> Finding:
    return Finding.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude i opgangen",
        place="Rising Allé 12",
        responsible=Organisation.objects.get(name="Fyns Politi"),
    )


def phone_photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), "teal").save(buffer, "JPEG")
    return SimpleUploadedFile("IMG_0042.jpg", buffer.getvalue(), "image/jpeg")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_photo_lives_in_the_private_bucket_and_is_served_only_through_its_door(
    bucket, client, staff, partner, finding
):
    client.force_login(staff)

    response = client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]), {"photo": phone_photo()}
    )

    assert response.status_code in (200, 302)
    photo = FindingPhoto.objects.get()
    image, thumbnail = f"media/{photo.image.name}", f"media/{photo.thumbnail.name}"
    assert bucket.keys() == sorted([image, thumbnail])
    with Image.open(io.BytesIO(bucket.read(thumbnail))) as small:
        assert max(small.size) == 400
    # Nobody but the bucket's owner is granted anything on it.
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=image)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]

    served = client.get(photo.get_absolute_url())
    thumb = client.get(
        reverse("safety:finding_photo_thumb", args=[finding.pk, photo.pk])
    )
    assert (served.status_code, thumb.status_code) == (200, 200)
    assert body(served) == bucket.read(image)
    assert body(thumb) == bucket.read(thumbnail)
    # The police partner the finding is routed to sees it; a partner of another
    # organisation, and someone not logged in, do not.
    client.force_login(partner)
    assert client.get(photo.get_absolute_url()).status_code == 200
    other = make_user(
        "kommune",
        Role.PARTNER,
        organisation=Organisation.objects.exclude(name="Fyns Politi")
        .filter(kind=Organisation.Kind.MUNICIPALITY)
        .first()
        .name,
        areas=["rising"],
    )
    client.force_login(other)
    assert client.get(photo.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(photo.get_absolute_url()).status_code == 302


def test_a_deleted_findings_photos_leave_the_bucket_a_day_later(
    bucket, client, staff, finding
):
    client.force_login(staff)
    client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]), {"photo": phone_photo()}
    )
    kept = Finding.objects.create(
        area=finding.area,
        category=finding.category,
        description="Grafitti",
        place="Rising Allé 14",
        responsible=finding.responsible,
    )
    client.post(
        reverse("safety:finding_photo_add", args=[kept.pk]), {"photo": phone_photo()}
    )
    kept_keys = {
        f"media/{name}"
        for name in FindingPhoto.objects.filter(finding=kept).values_list(
            "image", "thumbnail"
        )[0]
    }
    Finding.objects.filter(pk=finding.pk).delete()
    assert len(bucket.keys()) == 4

    # Within the grace a file may be one whose row is about to be saved: kept.
    assert housekeeping()["orphaned_files"] == 0
    with time_machine.travel(
        timezone.now() + ORPHAN_GRACE + datetime.timedelta(minutes=1)
    ):
        assert housekeeping()["orphaned_files"] == 2

    assert set(bucket.keys()) == kept_keys


def test_a_sheet_waits_for_its_import_in_the_bucket_and_goes_with_it(bucket):
    sheet = spreadsheets.Sheet(
        lines=[(1, ("Dato", "Deltagere")), (2, (datetime.date(2026, 3, 2), 12))],
        formulas=set(),
    )

    token = spreadsheets.store_upload(sheet)

    assert bucket.keys() == [f"media/imports/{token}.json"]
    assert spreadsheets.peek_upload(token) == sheet
    spreadsheets.discard_upload(token)
    assert bucket.keys() == []
    assert spreadsheets.peek_upload(token) is None


def test_a_photo_whose_object_is_gone_is_not_found_not_an_error(
    bucket, client, staff, finding
):
    client.force_login(staff)
    client.post(
        reverse("safety:finding_photo_add", args=[finding.pk]), {"photo": phone_photo()}
    )
    photo = FindingPhoto.objects.get()
    bucket.client.delete_object(Bucket=bucket.name, Key=f"media/{photo.image.name}")

    assert client.get(photo.get_absolute_url()).status_code == 404
