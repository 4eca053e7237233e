"""A partner's big findings export, written by the real worker through Redis:
queued when the request's transaction commits, written once to storage, and
downloaded by the partner."""

import pytest
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area, ExportJob, Notification, Organisation
from safety.models import Finding, FindingCategory, Walk
from tests.worker import wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_worker_writes_a_background_export_for_its_owner(
    celery_worker, client, partner, staff, settings
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    rising = Area.objects.get(slug="rising")
    walk = Walk.objects.create(
        area=rising, starts_at=timezone.now(), status=Walk.Status.HELD, created_by=staff
    )
    category = FindingCategory.objects.get(name="Hærværk")
    for responsible, places in [
        ("Fyns Politi", ["Opgang 1", "Opgang 2", "Opgang 3"]),
        ("SSP Odense", ["Legepladsen"]),
    ]:
        organisation = Organisation.objects.get(name=responsible)
        for place in places:
            Finding.objects.create(
                walk=walk,
                area=rising,
                category=category,
                description="Knust rude",
                place=place,
                responsible=organisation,
            )
    client.force_login(partner)

    response = client.get(reverse("safety:finding_export", args=["csv"]))

    job = ExportJob.objects.get()
    assert response.url == job.get_absolute_url()
    job = wait_for(job, ExportJob.Status.READY, ExportJob.Status.FAILED)
    assert (job.status, job.done, job.total) == (ExportJob.Status.READY, 3, 3)
    download = client.get(reverse("export_job_download", args=[job.pk]))
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and not any("Legepladsen" in line for line in lines)
    assert Notification.objects.filter(
        user=partner, kind=Notification.Kind.EXPORT_READY
    ).exists()
