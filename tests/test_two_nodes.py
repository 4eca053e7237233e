"""The portal on two machines: two gunicorn processes, each with a working folder
of its own, and two Celery workers, against one PostgreSQL, one Redis and one
object store (moto's S3 server), as behind a load balancer. Nothing either keeps
on its own disk is needed by the other:

- a sheet uploaded and previewed on one node is imported from the other;
- a photo uploaded on one node is served by the other;
- reports built by whichever worker took them download from either node.

The people are signed in once (sessions are in the database) and use both nodes.
"""

import datetime
import io
import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities.models import ActivityRecord
from boligsocial.models import Area, Organisation
from conftest import TwoFactorClient
from reports.models import ReportRun
from safety.models import Finding, FindingCategory, FindingPhoto
from tests.s3 import Bucket, s3_server
from tests.servers import (
    celery_worker,
    gunicorn,
    portal_env,
    process,
    wait_for_line,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# The two nodes' broker and cache: Redis databases of their own, so that no other
# worker of the test run takes their tasks.
BROKER_DB, CACHE_DB = 7, 8
WAIT = 60  # seconds, for a worker to start or a report to be built


class Forms(HTMLParser):
    """The forms of a page: their action and the values of their inputs."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")

    def to(self, action_end: str) -> dict:
        [form] = [f for f in self.forms if f["action"].endswith(action_end)]
        return form


def redis_url(db: int) -> str:
    return re.sub(r"/\d+$", f"/{db}", os.environ["CELERY_BROKER_URL"])


def node_env(folder: Path, bucket: Bucket) -> dict:
    folder.mkdir()
    return portal_env(
        folder,
        **bucket.env,
        MEDIA_ROOT=str(folder / "var" / "media"),  # used by neither: S3_BUCKET
        CELERY_BROKER_URL=redis_url(BROKER_DB),
        CACHE_URL=redis_url(CACHE_DB),
        EMAIL_URL=f"filemail:///{folder / 'mail'}",
        PORTAL_TEST_REPORT_PAUSE="0",
    )


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def cluster(s3_endpoint, tmp_path):
    """Two nodes, each gunicorn and a worker; yields their base URLs, the bucket
    and their working folders."""
    bucket = Bucket.new(s3_endpoint)
    subprocess.run(  # noqa: S603, S607 - a fresh broker for the two nodes
        ["redis-cli", "-u", redis_url(BROKER_DB), "flushdb"], check=True
    )
    with ExitStack() as stack:
        urls, workers = [], []
        for name in ("a", "b"):
            folder = tmp_path / f"node-{name}"
            env = node_env(folder, bucket)
            host, port = stack.enter_context(gunicorn(env, folder))
            urls.append(f"http://{host}:{port}")
            log = folder / "worker.log"
            arguments = celery_worker(f"node-{name}")
            workers.append(
                stack.enter_context(process(arguments, env=env, cwd=folder, log=log))
            )
        for running in workers:
            wait_for_line(running, "ready.")
        yield urls, bucket, [tmp_path / "node-a", tmp_path / "node-b"]


def browser_of(user) -> requests.Session:
    """A browser signed in as `user` (past the second factor where it applies):
    its session cookie is good on every node."""
    client = TwoFactorClient()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies["sessionid"].value)
    return browser


def post(browser, node: str, path: str, data: dict, files=None, page=None):
    """A form sent as a browser sends it: with the CSRF token of a page of that
    node (the page the form is on)."""
    browser.get(node + (page or path))
    token = browser.cookies["csrftoken"]
    return browser.post(
        node + path,
        data={**data, "csrfmiddlewaretoken": token},
        files=files,
        headers={"Referer": node + (page or path)},
    )


def a_sheet() -> bytes:
    day = timezone.localdate() - datetime.timedelta(days=1)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Dato", "Aktivitet", "Område", "Deltagere", "Note"])
    workbook.active.append([day, "Ungerådgivning", "Rising", 5, "Lektiecafé"])
    workbook.active.append([day, "Fritidsjobrådgivning", "Rising", 7, "Jobdag"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def a_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "orange").save(buffer, "JPEG")
    return buffer.getvalue()


def test_two_nodes_share_imports_photos_and_reports(
    cluster, staff, coordinator, departments
):
    (node_a, node_b), bucket, folders = cluster
    staff_browser, coordinator_browser = browser_of(staff), browser_of(coordinator)

    # A sheet previewed on one node is imported from the other.
    records = reverse("activities:record_import")
    preview = post(
        staff_browser,
        node_a,
        records,
        {},
        files={"file": ("aktiviteter.xlsx", a_sheet())},
    )
    assert preview.status_code == 200, preview.text[:500]
    assert any(key.startswith("media/imports/") for key in bucket.keys())
    confirm = Forms(preview.text).to("confirm/")
    # Confirmed on both nodes at the same moment (a double click, two tabs): the
    # database lets one import it.
    tabs = [(browser_of(staff), node_b), (browser_of(staff), node_a)]
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda tab: post(
                    *tab, confirm["action"], confirm["fields"], page=records
                ),
                tabs,
            )
        )
    assert [answer.status_code for answer in answers] == [200, 200]
    notes = sorted(ActivityRecord.objects.values_list("note", flat=True))
    assert notes == ["Jobdag", "Lektiecafé"]
    assert not any(key.startswith("media/imports/") for key in bucket.keys())

    # A photo uploaded on one node is served by the other.
    finding = Finding.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude",
        place="Rising Allé 12",
        responsible=Organisation.objects.get(name="Fyns Politi"),
    )
    photo_bytes = a_photo()
    added = post(
        staff_browser,
        node_a,
        reverse("safety:finding_photo_add", args=[finding.pk]),
        {},
        files={"photo": ("IMG_0001.jpg", photo_bytes, "image/jpeg")},
        page=finding.get_absolute_url(),
    )
    assert added.status_code == 200
    photo = FindingPhoto.objects.get()
    served = staff_browser.get(node_b + photo.get_absolute_url())
    assert served.status_code == 200
    assert served.content == bucket.read(f"media/{photo.image.name}")
    assert served.content[:2] == b"\xff\xd8"

    # Reports built by whichever worker took them download from either node.
    runs = reverse("reports:run_list")
    for year, node in ((2024, node_a), (2025, node_b)):
        asked = post(
            coordinator_browser,
            node,
            runs,
            {"kind": ReportRun.Kind.MUNICIPALITY, "period": "year", "year": year},
        )
        assert asked.status_code == 200
    deadline = time.monotonic() + WAIT
    while ReportRun.objects.exclude(status=ReportRun.Status.READY).exists():
        failed = ReportRun.objects.filter(status=ReportRun.Status.FAILED)
        assert not failed.exists(), [run.error for run in failed]
        assert time.monotonic() < deadline, list(ReportRun.objects.values())
        time.sleep(0.5)
    for run in ReportRun.objects.all():
        for node in (node_a, node_b):
            pdf = coordinator_browser.get(
                node + reverse("reports:run_download", args=[run.pk])
            )
            assert pdf.status_code == 200
            assert pdf.content.startswith(b"%PDF")
            assert pdf.content == bucket.read(f"media/{run.pdf.name}")
    # Neither node kept a file of the portal's on its own disk.
    for folder in folders:
        assert [p for p in (folder / "var" / "media").rglob("*") if p.is_file()] == []
