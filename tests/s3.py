"""A real S3 API on loopback for the tests: moto's server (from PyPI) in a process
of its own, and the portal's settings and environment pointed at a new, private
bucket in it, as S3_BUCKET and its companions point a production portal at one."""

import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import boto3

from boligsocial.storage import s3_setting
from tests.servers import free_port

REGION = "eu-north-1"
KEY, SECRET = "portal-test-key", "portal-test-secret"


@contextmanager
def s3_server():
    """moto's S3 server on a free port; yields its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "moto's server stopped"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "moto's server did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass
class Bucket:
    endpoint: str
    name: str

    @property
    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )

    @classmethod
    def new(cls, endpoint: str) -> "Bucket":
        bucket = cls(endpoint, f"portal-{uuid.uuid4().hex[:12]}")
        bucket.client.create_bucket(
            Bucket=bucket.name,
            CreateBucketConfiguration={"LocationConstraint": REGION},
        )
        return bucket

    @property
    def env(self) -> dict:
        """The portal's environment variables for this bucket."""
        return {
            "S3_BUCKET": self.name,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": KEY,
            "S3_SECRET_ACCESS_KEY": SECRET,
        }

    def setting(self, *, prefix: str) -> dict:
        """A STORAGES entry for this bucket's prefix, as the settings make one."""
        return s3_setting(
            self.name,
            endpoint=self.endpoint,
            region=REGION,
            key=KEY,
            secret=SECRET,
            prefix=prefix,
        )

    @property
    def storage_setting(self) -> dict:
        """STORAGES["default"] as the settings make it from `env`."""
        return self.setting(prefix="media")

    def keys(self) -> list[str]:
        """Every object's key in the bucket, in order."""
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        for page in pages:
            found += [item["Key"] for item in page.get("Contents", [])]
        return sorted(found)

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
