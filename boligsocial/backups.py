"""Backups and the restore drill: `manage.py backup <folder>` and
`manage.py restore <folder>` are thin wrappers around `make_backup` and
`restore_backup`.

A backup is a folder of three files:
- the database: `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3`
  (SQLite's online backup API);
- `media.tar`, every file in the default storage (MEDIA_ROOT on disk, or the
  object store's bucket: boligsocial.storage);
- `manifest.json`: per table its rows and a SHA-256 of them (rows by primary
  key, each value written out the same way on both engines, read through
  Django), per media file its SHA-256, the two files' sizes and SHA-256, and the
  migrations the database had.

The database's copy and the manifest's checksums come from one snapshot: on
PostgreSQL a repeatable-read transaction exports its snapshot to pg_dump; on
SQLite the copy is made inside the read transaction the checksums are read in.
The media files are read after the database, so every file a row names is in
the tar (a file written meanwhile is at worst an orphan, which retention sweeps).

Nothing is encrypted: pg_dump's custom format is compressed (a name does not show
in the file as text), not encrypted, and the SQLite copy is a plain database.
Keep backups on an encrypted volume the portal's users cannot reach.

A restore goes into an empty database only, and an empty storage. It checks
the files against the manifest, restores both, checks every table's rows and
every file against the manifest, applies the deletion journal again (erasures
made since the backup; see boligsocial.journal) and runs the retention rules
once (`run_retention`: the core's, advice's and safety's).
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from . import journal, storage
from .retention import (
    purge_expired_sessions_and_login_records,
    remove_orphaned_files,
)
from .spreadsheets import remove_stale_uploads

MANIFEST = "manifest.json"
MEDIA = "media.tar"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 2000


class BackupError(Exception):
    """Why a backup or a restore was refused or failed, said for the operator."""


# --- Checksums ----------------------------------------------------------------------


def table_checksums() -> dict[str, dict]:
    """Every table Django knows (django_migrations included): its rows, and a
    SHA-256 over them in primary-key order."""
    tables = {}
    for model in _models():
        fields = [f.attname for f in model._meta.concrete_fields]
        digest, rows = hashlib.sha256(), 0
        values = model._base_manager.order_by("pk").values_list(*fields)
        for row in values.iterator(chunk_size=CHUNK):
            digest.update(_row_text(row))
            rows += 1
        tables[model._meta.db_table] = {"rows": rows, "sha256": digest.hexdigest()}
    return tables


def _models() -> list:
    seen, models = set(), []
    for model in [
        *apps.get_models(include_auto_created=True),
        MigrationRecorder(connection).Migration,
    ]:
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        models.append(model)
    return sorted(models, key=lambda m: m._meta.db_table)


def _row_text(row: tuple) -> bytes:
    return (json.dumps(row, default=_value, sort_keys=True) + "\n").encode()


def _value(value):
    """A value json cannot write, written the same way whichever engine read it."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)  # Decimal, UUID, a phone number: their text


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


# --- Backup -------------------------------------------------------------------------


def make_backup(folder: Path) -> dict:
    """Write a backup into `folder` (new or empty); returns its manifest."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for the backup.")
    if connection.in_atomic_block:
        raise BackupError(
            "A backup reads its own snapshot: run it outside a transaction."
        )
    engine = _engine()
    dump = folder / DUMPS[engine]
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    connection.ensure_connection()
    with transaction.atomic():
        if engine == "postgresql":
            tables = _dump_postgresql(dump)
        else:
            tables = table_checksums()
            _copy_sqlite(connection.connection, dump)
        migrations = _migrations()
    media_files = _tar_media(folder / MEDIA)
    manifest = {
        "format": 1,
        "made_at": timezone.now().isoformat(timespec="seconds"),
        "engine": engine,
        "encrypted": False,
        "database": _file_entry(dump),
        "media": {**_file_entry(folder / MEDIA), "files": media_files},
        "tables": tables,
        "migrations": migrations,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _engine() -> str:
    if connection.vendor not in DUMPS:
        raise BackupError(f"No backup for a {connection.vendor} database.")
    return connection.vendor


def _dump_postgresql(dump: Path) -> dict:
    """pg_dump reads the snapshot this transaction exports, so the dump and the
    checksums read here hold the same rows."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
    _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "--file", str(dump)])
    return table_checksums()


def _copy_sqlite(source: sqlite3.Connection, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()


def _tar_media(path: Path) -> dict[str, str]:
    """Every file of the default storage into the tar, hashed as it is added (the
    journal is left out, should it have been put in MEDIA_ROOT)."""
    journal_name = _journal_in_media()
    files, made = {}, time.time()
    with tarfile.open(path, "w") as tar:
        for name in storage.walk(default_storage):
            if journal_name and name.startswith(journal_name):
                continue
            with default_storage.open(name, "rb") as stored:
                content = stored.read()
            info = tarfile.TarInfo(name)
            # The time of the backup: a restore writes every file anew anyway, and
            # an object store would be asked once more per file for its own.
            info.size, info.mode, info.mtime = len(content), 0o640, made
            tar.addfile(info, io.BytesIO(content))
            files[name] = hashlib.sha256(content).hexdigest()
    return files


def _journal_in_media() -> str | None:
    """The deletion journal's folder in the default storage, if it was put there
    (on disk: PORTAL_JOURNAL_DIR inside MEDIA_ROOT)."""
    journal_storage = storages["journal"]
    disk = (default_storage, journal_storage)
    if not all(isinstance(store, FileSystemStorage) for store in disk):
        return None
    try:
        inside = Path(journal_storage.location).relative_to(default_storage.location)
    except ValueError:
        return None
    return inside.as_posix() + "/"


def _restore_media(tar_path: Path) -> None:
    """Each file of the tar into the default storage, under its own name."""
    with tarfile.open(tar_path) as tar:
        for member in tar:
            if not member.isfile():
                continue
            content = tar.extractfile(member).read()
            try:
                storage.save_new(default_storage, member.name, content)
            except FileExistsError as error:
                raise BackupError(f"{member.name} is in the backup twice.") from error


def _file_entry(path: Path) -> dict:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """A PostgreSQL client program, connected as Django is (the password through
    the environment, not the command line)."""
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} was not found: install postgresql-client.")
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    done = subprocess.run(  # noqa: S603 - our own arguments
        [program, *command[1:]], env=env, capture_output=True, text=True, **kwargs
    )
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")
    return done


# --- Restore --------------------------------------------------------------------------


def restore_backup(folder: Path) -> dict:
    """Restore the backup in `folder` into the empty database and MEDIA_ROOT,
    check it, apply the deletion journal again and run retention; returns what
    was done."""
    started = time.monotonic()
    folder = Path(folder)
    manifest = _read_manifest(folder)
    _refuse_unless_empty(manifest)
    dump = folder / manifest["database"]["file"]
    if manifest["engine"] == "postgresql":
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ]
        )
    else:
        _restore_sqlite(dump)
    _check_tables(manifest)
    _restore_media(folder / MEDIA)
    if storage.checksums(default_storage) != manifest["media"]["files"]:
        raise BackupError("The restored media files differ from the manifest.")
    replayed = journal.replay(erasure_steps())
    retention = run_retention()
    return {
        "tables": len(manifest["tables"]),
        "rows": sum(t["rows"] for t in manifest["tables"].values()),
        "files": len(manifest["media"]["files"]),
        "journal": replayed,
        "resurrected": resurrected(),
        "retention": retention,
        "seconds": time.monotonic() - started,
    }


def run_retention() -> dict[str, int]:
    """Every rule that erases by age, once (after a restore); what each erased.
    The orphaned files last: a photo whose file could not go is swept with them."""
    from advice.tasks import anonymise_expired_cases
    from safety.tasks import apply_retention

    remove_stale_uploads()
    return {
        "advice_cases": anonymise_expired_cases(),
        **apply_retention(),
        **purge_expired_sessions_and_login_records(),
        "orphaned_files": remove_orphaned_files(),
    }


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup.") from error
    for part in ("database", "media"):
        entry = manifest[part]
        if _sha256(folder / entry["file"]) != entry["sha256"]:
            raise BackupError(
                f"{entry['file']} does not match its checksum in the manifest: "
                "the backup is damaged."
            )
    return manifest


def _refuse_unless_empty(manifest: dict) -> None:
    if manifest["engine"] != _engine():
        raise BackupError(
            f"The backup is of a {manifest['engine']} database, the settings name "
            f"a {connection.vendor} one."
        )
    code = sorted(
        f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations
    )
    if manifest["migrations"] != code:
        raise BackupError(
            "The backup was made by another version of the portal (its migrations "
            "differ): restore it with that version, then upgrade."
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty "
            f"({len(tables)} tables): a restore goes into an empty database only. "
            "Create a new one and point DATABASE_URL at it."
        )
    if not storage.is_empty(default_storage):
        raise BackupError(
            f"The file storage ({_storage_name()}) is not empty: a restore goes "
            "into an empty one."
        )


def _storage_name() -> str:
    """Where the files are, for the operator: MEDIA_ROOT or the bucket."""
    bucket = getattr(default_storage, "bucket_name", None)
    return f"bucket {bucket}" if bucket else f"MEDIA_ROOT {settings.MEDIA_ROOT}"


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _check_tables(manifest: dict) -> None:
    found = table_checksums()
    wrong = sorted(
        table
        for table in manifest["tables"].keys() | found.keys()
        if manifest["tables"].get(table) != found.get(table)
    )
    if wrong:
        raise BackupError(
            "The restored tables differ from the manifest: " + ", ".join(wrong)
        )


# --- The deletion journal, applied again ------------------------------------------


def erasure_steps() -> dict:
    """(model label, action) → a function of a journal line that erases the row
    again if it is still there (and says whether it was)."""
    from advice.models import Case, Household
    from safety.models import Contact, SignUp

    def anonymise(model):
        def step(entry: dict) -> bool:
            row = model.objects.filter(pk=entry["pk"], anonymised_at__isnull=True)
            row = row.first()
            if row is not None:
                row.anonymise()
            return row is not None

        return step

    def withdraw(entry: dict) -> bool:
        row = SignUp.objects.filter(pk=entry["pk"]).exclude(
            status=SignUp.Status.WITHDRAWN
        )
        row = row.first()
        if row is not None:
            row.withdraw(on=datetime.date.fromisoformat(entry["on"]))
        return row is not None

    def delete(model):
        def step(entry: dict) -> bool:
            deleted, _ = model.objects.filter(pk=entry["pk"]).delete()
            return bool(deleted)

        return step

    return {
        ("advice.case", journal.ANONYMISE): anonymise(Case),
        ("advice.household", journal.ANONYMISE): anonymise(Household),
        ("safety.signup", journal.WITHDRAW): withdraw,
        ("safety.signup", journal.DELETE): delete(SignUp),
        ("safety.contact", journal.DELETE): delete(Contact),
    }


def resurrected() -> int:
    """Journal lines whose row holds its person again (or of a kind unknown)."""
    steps = erasure_steps()
    count = 0
    for entry in journal.entries():
        key = (entry["model"], entry["action"])
        if key not in steps:
            count += 1
            continue
        model = apps.get_model(entry["model"])
        rows = model.objects.filter(pk=entry["pk"])
        if entry["action"] == journal.ANONYMISE:
            rows = rows.filter(anonymised_at__isnull=True)
        elif entry["action"] == journal.WITHDRAW:
            rows = rows.exclude(status="withdrawn")
        count += rows.exists()
    return count
