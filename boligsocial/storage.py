"""The portal's files through Django's storage API only, so that the same code
keeps them on local disk (development, one machine: MEDIA_ROOT) or in an
S3-compatible object store (several machines: S3_BUCKET; django-storages).

Object stores have no folders: a name's "folders" are part of its key. So files
are walked by listing (`walk`), and only a store on disk has empty folders left
to tidy (`remove_empty_folders`).
"""

import datetime
import hashlib
import os
import posixpath
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name under `folder`, at any depth, in name order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # on disk, a folder nothing was written to yet
        return
    names = [posixpath.join(folder, name) for name in files]
    for inner in folders:
        names.extend(walk(storage, posixpath.join(folder, inner)))
    yield from sorted(names)


def save_new(
    storage: Storage, name: str, content: bytes, *, private=False, durable=False
) -> None:
    """Write a file under exactly `name`, which must be new. On disk, `private`:
    readable by the portal's own user only (a sheet that names residents; an
    object store's bucket is private as a whole); `durable`: on the disk itself
    before returning, not only in the system's cache (an object store has it
    stored once it answers)."""
    saved = storage.save(name, ContentFile(content))
    if saved != name:
        storage.delete(saved)
        raise FileExistsError(name)
    if isinstance(storage, FileSystemStorage):
        path = storage.path(name)
        if private:
            os.chmod(path, 0o600)
        if durable:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def modified(storage: Storage, name: str) -> datetime.datetime | None:
    """When the file was last written; None when it is gone meanwhile (another
    process deleted it between the listing and this question)."""
    try:
        return storage.get_modified_time(name)
    except FileNotFoundError:
        return None
    except Exception as error:  # an object store's "not found" is its own error
        if getattr(error, "response", {}).get("Error", {}).get("Code") in (
            "404",
            "NoSuchKey",
        ):
            return None
        raise


def is_empty(storage: Storage) -> bool:
    return next(walk(storage), None) is None


def sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(storage: Storage) -> dict[str, str]:
    """Every file's name and its SHA-256."""
    return {name: sha256(storage, name) for name in walk(storage)}


def remove_empty_folders(
    storage: Storage, folder: str, *, before: float, emptied: set[str]
) -> None:
    """On disk, the folders under `folder` that hold nothing and were either
    emptied just now (`emptied`: their names) or last changed before `before` (a
    timestamp; a folder an upload has just made is left to it), deepest first. An
    object store has no folders to remove."""
    if not isinstance(storage, FileSystemStorage):
        return
    try:
        inner, _files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in inner:
        path = posixpath.join(folder, name)
        remove_empty_folders(storage, path, before=before, emptied=emptied)
        local = storage.path(path)
        try:
            if path in emptied or os.path.getmtime(local) < before:
                os.rmdir(local)
                emptied.add(folder)
        except OSError:
            pass  # not empty, or gone meanwhile


def s3_setting(
    bucket: str,
    *,
    endpoint: str | None,
    region: str | None,
    key: str | None,
    secret: str | None,
    prefix: str,
) -> dict:
    """STORAGES["default"] for an S3-compatible bucket (the settings, with
    S3_BUCKET set; the tests, with their own)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "region_name": region or None,
            "access_key": key or None,
            "secret_key": secret or None,
            # The files of one portal, under one prefix of the bucket.
            "location": prefix,
            # Never replace a file by saving another under its name: the same rule
            # as on disk (a concurrent build's PDF is noticed, not lost).
            "file_overwrite": False,
            # Private: no ACL granting anyone else; any URL it made would be signed
            # and short-lived (the portal streams files and makes none).
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
