"""manage.py restore <folder>: a backup into an empty database and an empty file
storage (MEDIA_ROOT or the bucket), checked against its manifest, with the deletion
journal applied again and the retention rules run once (see boligsocial.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from boligsocial.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database and an "
        "empty file storage (MEDIA_ROOT or S3_BUCKET), check every table and file "
        "against its manifest, apply "
        "the deletion journal again and run retention."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="The backup's folder.")

    def handle(self, *args, folder: Path, **options):
        try:
            done = restore_backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        lines = done["journal"]
        self.stdout.write(
            f"Restored {done['rows']} rows and {done['files']} media files in "
            f"{done['seconds']:.1f} s; row counts and checksums equal for all "
            f"{done['tables']} tables.\n"
            f"Deletion journal: {lines['lines']} lines, {lines['applied']} erasures "
            f"applied again; resurrected deletions: {done['resurrected']}.\n"
            f"Retention: {done['retention']}."
        )
        if done["resurrected"] or lines["unknown"]:
            raise CommandError(
                f"{done['resurrected']} erased rows hold their person again "
                f"({lines['unknown']} journal lines of an unknown kind): erase them "
                "before the portal is opened."
            )
