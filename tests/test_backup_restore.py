"""The restore drill: a backup of a portal with data and files, restored into a
new, empty database (on the same server) by `manage.py restore` as an operator
runs it, with what was erased after the backup erased again.

On PostgreSQL (bin/test) the backup is `pg_dump -Fc` and the second database is
made on the test server; locally on SQLite the backup is a copy of the in-memory
test database and the second one is a file. The figures go to backup.txt in the
artefacts folder.
"""

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from PIL import Image
from storages.backends.s3 import S3Storage

from advice.models import Case
from advice.tests.conftest import make_case, make_household
from boligsocial import journal, storage
from boligsocial.backups import DUMPS, MANIFEST
from boligsocial.models import Area, Organisation
from reports.models import ReportRun
from safety.conftest import make_signup
from safety.models import Contact, Finding, FindingCategory, SignUp
from safety.walks.photos import add_photo
from tests.database import database_url, on_server
from tests.s3 import Bucket, s3_server

# Nowhere else in the database: found in the dump only if the dump is plain text.
CANARY = "Kanariefugl Sangsen-7f3a9c"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


class Files:
    """Where the portal keeps its files and its deletion journal in the drill, and
    where the restore puts the files: on disk (MEDIA_ROOT, and a new folder), or
    in an object store (a bucket on moto's S3 server, and a new prefix in it, as
    an operator restores there; the journal is the bucket's, shared by both)."""

    def __init__(self, kind: str, settings, tmp_path: Path, endpoint: str | None):
        self.kind = kind
        settings.MEDIA_ROOT = tmp_path / "media"
        if kind == "s3":
            self.bucket = Bucket.new(endpoint)
            settings.STORAGES = {
                **settings.STORAGES,
                "default": self.bucket.storage_setting,
                "journal": self.bucket.setting(prefix="journal"),
            }
        else:
            self.restored_root = tmp_path / "restored-media"

    @property
    def restore_env(self) -> dict:
        if self.kind == "s3":
            return {**self.bucket.env, "S3_PREFIX": "restored-media"}
        return {"MEDIA_ROOT": str(self.restored_root)}

    def restored_storage(self):
        if self.kind == "s3":
            return S3Storage(**self.bucket.setting(prefix="restored-media")["OPTIONS"])
        return FileSystemStorage(location=self.restored_root)


@pytest.fixture(params=["disk", "s3"])
def files(request, settings, tmp_path) -> Files:
    endpoint = request.getfixturevalue("s3_endpoint") if request.param == "s3" else None
    return Files(request.param, settings, tmp_path, endpoint)


@pytest.fixture
def portal(files, departments, advisor) -> dict:
    """A household (named CANARY) with a case, another household, a sign-up, a
    contact, a finding with a photo and a report run with its PDF."""
    erased = make_household(departments[0], name=CANARY, street="Rising Allé")
    case = make_case(erased, advisors=[advisor], note="Gæld til Sangsen")
    make_case(make_household(departments[1], name="Karl Beholdsen"))
    signup = make_signup(departments[0], name="Signe Udmeldsen")
    contact = Contact.objects.create(
        organisation=Organisation.objects.get(name="Fyns Politi"),
        name="Konrad Kontaktsen",
        role="Områdebetjent",
        phone="+4520000000",
    )
    finding = Finding.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude",
        place="Opgang 3",
        responsible=Organisation.objects.get(name="Fyns Politi"),
    )
    add_photo(finding=finding, upload=jpeg(), by=advisor)
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.MUNICIPALITY,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        request_key="drill",
    )
    default_storage.save(run.pdf_name, ContentFile(b"%PDF-1.7 drill"))
    run.mark_ready(pages=1, figures={"tables": {}})
    return {"case": case, "household": erased, "signup": signup, "contact": contact}


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), "image/jpeg")


# --- The second database ------------------------------------------------------------


class Target:
    """An empty database beside the test database, reached by URL (for the
    restore) and by a plain connection (for the test's own look at it)."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        self.name = f"restore_drill_{uuid.uuid4().hex[:8]}"
        self.path = tmp_path / f"{self.name}.sqlite3"
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.name}"')

    @property
    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.path}"
        return database_url(self.name)

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        return on_server(self.name, sql, params)

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    empty = Target(tmp_path)
    yield empty
    empty.drop()


def restore(
    folder: Path, target: Target, tmp_path: Path, files: Files
) -> subprocess.CompletedProcess:
    """`manage.py restore` as an operator runs it, against the second database
    and the second file storage."""
    env = {
        **os.environ,
        **files.restore_env,
        "DATABASE_URL": target.url,
        "PORTAL_JOURNAL_DIR": storages["journal"].location,
        "PORTAL_VAR_DIR": str(tmp_path / "restored-var"),
        "PORTAL_ENVIRONMENT": "development",
    }
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "restore", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def resurrected(target: Target) -> int:
    """Journal lines whose row holds its person again in the restored database,
    looked up with plain SQL."""
    left = {
        journal.ANONYMISE: "anonymised_at IS NULL",
        journal.WITHDRAW: "status <> 'withdrawn'",
        journal.DELETE: "1 = 1",
    }
    count = 0
    for entry in journal.entries():
        table = apps.get_model(entry["model"])._meta.db_table
        sql = (
            f'SELECT COUNT(*) FROM "{table}" WHERE id = %s AND {left[entry["action"]]}'  # noqa: S608
        )
        count += target.query(sql, (entry["pk"],))[0][0]
    return count


def plaintext_dump(dump: Path) -> bytes:
    """The dump as its rows read, without any key: pg_restore writes a custom
    format dump out as SQL; an SQLite copy is its own plain text."""
    if connection.vendor == "sqlite":
        return dump.read_bytes()
    return subprocess.run(  # noqa: S603 - our own command
        [shutil.which("pg_restore"), "--file=-", str(dump)],
        capture_output=True,
        check=True,
    ).stdout


# --- The drill ----------------------------------------------------------------------


def test_a_restored_backup_equals_the_original_and_brings_back_no_erased_person(
    client, portal, advisor, files, target, tmp_path, artefacts
):
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    manifest = json.loads((folder / MANIFEST).read_text())
    dump = folder / DUMPS[connection.vendor]
    # After the backup: the household erased on request, the sign-up withdrawn,
    # the contact deleted.
    client.force_login(advisor)
    erase = reverse("advice:household_erase", args=[portal["case"].pk])
    assert (
        client.post(erase, {"requested": "on", "reason": "Bad om det"}).status_code
        == 302
    )
    portal["signup"].withdraw()
    portal["contact"].erase()
    assert Case.objects.get(pk=portal["case"].pk).anonymised_at is not None

    started = time.monotonic()
    done = restore(folder, target, tmp_path, files)
    seconds = time.monotonic() - started

    assert done.returncode == 0, done.stderr
    n = len(manifest["tables"])
    counts = {
        table: target.query(f'SELECT COUNT(*) FROM "{table}"')[0][0]  # noqa: S608
        for table in manifest["tables"]
    }
    changed = {
        table: counts[table] - entry["rows"]
        for table, entry in manifest["tables"].items()
        if counts[table] != entry["rows"]
    }
    gone = resurrected(target)
    size = dump.stat().st_size / 1e6
    raw, readable = dump.read_bytes(), plaintext_dump(dump)
    with (artefacts / "backup.txt").open("a") as figures:
        figures.write(
            f"files {files.kind}: restore of {size:.2f} MB dump in {seconds:.1f} s; "
            f"row counts and checksums equal for all {n} tables; resurrected "
            f"deletions: {gone}\nengine: {connection.vendor}; media files: "
            f"{len(manifest['media']['files'])}; encrypted: no (canary in the "
            f"dump's bytes: {CANARY.encode() in raw}; in the dump read back without "
            f"a key: {CANARY.encode() in readable}); keep backups on an encrypted "
            "volume\n"
        )
    assert f"row counts and checksums equal for all {n} tables" in done.stdout
    assert "resurrected deletions: 0" in done.stdout
    assert gone == 0
    # The restore's own check came before the journal: only its erasures differ.
    assert changed == {"safety_contact": -1}
    assert set(manifest["tables"]) == set(connection.introspection.table_names())
    assert manifest["encrypted"] is False
    # Not encrypted, whatever the bytes look like: read back, the canary is there.
    assert CANARY.encode() in readable
    assert (CANARY.encode() in raw) == (connection.vendor == "sqlite")
    assert storage.checksums(files.restored_storage()) == storage.checksums(
        default_storage
    )
    assert len(manifest["media"]["files"]) == 3  # photo, thumbnail, PDF
    (name,) = target.query(
        "SELECT name FROM advice_household WHERE id = %s", (portal["household"].pk,)
    )[0]
    assert name == ""
    assert target.query(
        "SELECT status FROM safety_signup WHERE id = %s", (portal["signup"].pk,)
    ) == [(SignUp.Status.WITHDRAWN,)]

    # A restore into a database that is not empty is refused, and so is a backup
    # whose files do not match their manifest.
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(folder), stdout=io.StringIO())
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    with dump.open("rb") as original:
        (damaged / dump.name).write_bytes(original.read()[:-10])
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), stdout=io.StringIO())


def test_a_backup_goes_into_a_new_folder_only(tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "something.txt").write_text("not ours")

    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder), stdout=io.StringIO())
