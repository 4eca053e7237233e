"""A request's body is capped: anyone may post to the residents' pages, and a body
larger than the largest upload and a margin (REQUEST_BODY_LIMIT) gets the 413 page
before any of it is read, kept in memory or written to a temporary file."""

import os
import re
import select
import socket
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from boligsocial.spreadsheets import MAX_BYTES as LARGEST_SHEET
from safety.models import ResidentReport, SignUp
from safety.walks.photos import MAX_BYTES as LARGEST_PHOTO
from tests.servers import gunicorn

FIFTY_MB = 50 * 1024 * 1024
TOO_LARGE = "Det sendte er for stort"


def test_the_limit_is_the_largest_upload_and_a_margin_of_one_mb():
    assert max(LARGEST_PHOTO, LARGEST_SHEET) == settings.LARGEST_UPLOAD
    assert settings.REQUEST_BODY_LIMIT == settings.LARGEST_UPLOAD + 1024 * 1024


@pytest.mark.django_db
def test_an_anonymous_sign_up_declaring_50_mb_gets_the_413_page_and_nothing_is_saved(
    departments,
):
    resident = Client()
    page = reverse("nabohjaelp:signup", args=["rising"])

    response = resident.post(
        page, {"name": "Amira Hansen", "consent": "on"}, CONTENT_LENGTH=str(FIFTY_MB)
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert TOO_LARGE in html
    assert "højst 10 MB" in html
    assert "no-store" in response["Cache-Control"]
    # The page carries the portal's headers like any other.
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert not SignUp.objects.exists()


@pytest.mark.django_db
def test_the_413_page_reads_in_english_for_someone_who_chose_english(staff):
    client = Client()
    client.force_login(staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.post(
        reverse("activities:record_list"), CONTENT_LENGTH=str(FIFTY_MB)
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert "What was sent is too large" in html
    assert "at most 10 MB" in html
    # In the person's own frame: their start page, not the login.
    assert 'data-testid="nav"' in html
    assert "To your start page" in html


def test_a_get_with_no_body_is_untouched(client):
    assert client.get(reverse("login")).status_code == 200


# --- Under gunicorn, as production runs it --------------------------------------------


def send_until_answered(address, head: bytes, body_size: int) -> tuple[bytes, int]:
    """Sends the request's head, then its body in 64 kB pieces until the server
    answers (or the body is all sent); returns the answer and the bytes of body sent."""
    piece = b"x" * 65536
    sent = 0
    with socket.create_connection(address, timeout=30) as connection:
        connection.sendall(head)
        while sent < body_size:
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break
            try:
                connection.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        connection.settimeout(10)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return answer, sent


@pytest.fixture
def portal(tmp_path):
    """gunicorn with the development settings."""
    env = {
        **os.environ,
        "PORTAL_ENVIRONMENT": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    with gunicorn(env, tmp_path) as address:
        yield address


@pytest.mark.parametrize("framing", ["declared", "chunked"])
def test_50_mb_posted_anonymously_is_refused_before_it_is_read(portal, framing):
    address = portal
    boundary = "portal-test"
    if framing == "declared":
        length = f"Content-Length: {FIFTY_MB}\r\n"
    else:
        length = "Transfer-Encoding: chunked\r\n"
    head = (
        f"POST /meld/rising/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n{length}\r\n"
    ).encode()
    if framing == "chunked":
        # One chunk of 50 MB: its size line first, the bytes after it.
        head += f"{FIFTY_MB:x}\r\n".encode()
    started = time.monotonic()

    answer, sent = send_until_answered(address, head, FIFTY_MB)

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert TOO_LARGE.encode() in answer
    # Answered long before the 50 MB were through: a declared body at once, a
    # chunked one a little past the limit (what sat in the sockets' buffers aside);
    # nothing was read into memory or a temporary file beyond that.
    assert sent < settings.REQUEST_BODY_LIMIT + 8 * 1024 * 1024
    assert time.monotonic() - started < 20


@pytest.mark.django_db
def test_no_resident_report_is_saved_from_a_body_over_the_limit(departments):
    resident = Client()
    response = resident.post(
        reverse("meld:report", args=["rising"]),
        {"description": "Knust rude"},
        CONTENT_LENGTH=str(FIFTY_MB),
    )
    assert response.status_code == 413
    assert not ResidentReport.objects.exists()


@pytest.mark.django_db
def test_a_resident_reading_arabic_is_told_in_arabic(departments):
    resident = Client()
    response = resident.post(
        reverse("meld:report", args=["rising"]) + "?lang=ar",
        CONTENT_LENGTH=str(FIFTY_MB),
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "ما أرسلته كبير جدًا" in html


def test_the_proxy_examples_in_the_readme_refuse_what_the_portal_would():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    megabytes = settings.REQUEST_BODY_LIMIT // (1024 * 1024)
    caddy = re.search(r"request_body \{\s*max_size (\d+)MiB\s*\}", readme)
    nginx = re.search(r"client_max_body_size (\d+)m;", readme)
    assert caddy and int(caddy.group(1)) == megabytes
    assert nginx and int(nginx.group(1)) == megabytes
