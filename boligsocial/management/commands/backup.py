"""manage.py backup <folder>: the database, the files (MEDIA_ROOT or the bucket)
and a manifest of checksums, into a new folder (see boligsocial.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from boligsocial.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump -Fc, or SQLite's online backup) and "
        "the files (MEDIA_ROOT or S3_BUCKET) into a new folder, with a manifest of "
        "row counts and checksums. "
        "Not encrypted: keep the folder on an encrypted volume."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A new or empty folder.")

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = make_backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Backup in {folder}: {len(manifest['tables'])} tables, {rows} rows "
            f"({manifest['database']['bytes'] / 1e6:.2f} MB dump), "
            f"{len(manifest['media']['files'])} media files."
        )
