"""The Nabohjælp poster: one A4 page per area whose QR code leads to its sign-up page.

The PDF is read back with poppler (pdfinfo, pdftotext, pdftoppm) and the QR code
with zxing-cpp, the way a resident's phone would read the printed page.
"""

import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import translation
from PIL import Image

from boligsocial.models import Area
from boligsocial.pdf import offline_url_fetcher
from safety.nabohjaelp.poster import poster_pdf

URL = "https://portal.example.org/nabohjaelp/rising/"
A4_IN_POINTS = (595.28, 841.89)


@pytest.fixture
def rising(db) -> Area:
    return Area.objects.get(slug="rising")


def saved(pdf: bytes, folder: Path) -> Path:
    path = folder / "poster.pdf"
    path.write_bytes(pdf)
    return path


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> tuple[int, tuple[float, float]]:
    """The number of pages and the first page's size in points."""
    info = dict(line.split(":", 1) for line in run("pdfinfo", str(path)).splitlines())
    width, _, height = info["Page size"].split()[:3]
    return int(info["Pages"]), (float(width), float(height))


def pdf_text(path: Path) -> str:
    """The page's text with each run of spaces and line breaks as one space."""
    return " ".join(run("pdftotext", str(path), "-").split())


def qr_codes(path: Path) -> list:
    """The QR codes zxing-cpp finds on page 1 printed at 150 dpi."""
    prefix = path.with_suffix("")
    run("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(prefix))
    with Image.open(f"{prefix}-1.png") as page:
        return [
            code
            for code in zxingcpp.read_barcodes(page)
            if code.format == zxingcpp.BarcodeFormat.QRCode
        ]


# --- The PDF itself ------------------------------------------------------------------


def test_the_poster_is_one_a4_page(rising, tmp_path):
    pages, size = pdf_pages(saved(poster_pdf(area=rising, url=URL), tmp_path))

    assert pages == 1
    assert size == pytest.approx(A4_IN_POINTS, abs=0.01)


def test_the_poster_names_the_area_the_address_and_the_sender(rising, tmp_path):
    text = pdf_text(saved(poster_pdf(area=rising, url=URL), tmp_path))

    assert "Bliv en del af Nabohjælp" in text
    assert "Rising" in text
    assert URL in text
    assert "BoligSocialt Hus" in text
    assert "frivilligt" in text
    assert "trække din tilmelding tilbage" in text


def test_the_posters_qr_code_reads_back_as_the_exact_sign_up_address(rising, tmp_path):
    codes = qr_codes(saved(poster_pdf(area=rising, url=URL), tmp_path))

    assert [code.text for code in codes] == [URL]
    assert codes[0].ec_level in {"M", "Q", "H"}


def test_every_areas_poster_fits_on_one_page(db, tmp_path):
    # The longest names wrap the heading over more lines and a longer domain makes
    # a denser QR code; neither may push the footer onto a second page.
    areas = list(Area.objects.all())
    assert len(areas) >= 8  # the areas from the migrations
    for area in areas:
        url = f"https://portal.boligsocialthus.dk/nabohjaelp/{area.slug}/"
        path = saved(poster_pdf(area=area, url=url), tmp_path)
        assert pdf_pages(path)[0] == 1, area.name


def test_the_poster_is_danish_whatever_language_the_portal_is_shown_in(
    rising, tmp_path
):
    with translation.override("en"):
        pdf = poster_pdf(area=rising, url=URL)

    assert "Bliv en del af Nabohjælp i Rising" in pdf_text(saved(pdf, tmp_path))


def test_pdfs_read_data_uris_but_never_the_network_or_the_servers_files():
    fetcher = offline_url_fetcher()

    response = fetcher.fetch("data:text/plain,Nabohj%C3%A6lp")
    assert response.read() == "Nabohjælp".encode()
    response.close()
    for url in ("https://example.org/logo.png", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)


# --- Through the view ----------------------------------------------------------------


def poster_url(slug: str = "rising") -> str:
    return reverse("safety:signup_poster", args=[slug])


@pytest.mark.parametrize("persona", ["staff", "safety_advisor", "coordinator"])
def test_sign_up_keepers_print_the_poster_of_an_area(
    client, personas, persona, tmp_path
):
    client.force_login(personas[persona])

    response = client.get(poster_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="nabohjaelp-rising.pdf"'
    path = saved(response.content, tmp_path)
    assert pdf_pages(path)[0] == 1
    signup_page = "http://testserver" + reverse("nabohjaelp:signup", args=["rising"])
    assert [code.text for code in qr_codes(path)] == [signup_page]
    assert signup_page in pdf_text(path)


@pytest.mark.parametrize("persona", ["advisor", "partner"])
def test_advisors_and_partners_may_not_print_the_poster(client, personas, persona):
    client.force_login(personas[persona])

    assert client.get(poster_url()).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(poster_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unknown_area_has_no_poster(client, staff):
    client.force_login(staff)

    assert client.get(poster_url("atlantis")).status_code == 404


def test_the_poster_cannot_be_posted(client, staff):
    client.force_login(staff)

    assert client.post(poster_url()).status_code == 405


@pytest.mark.parametrize("language", ["ar", "so", "tr"])
def test_a_poster_in_a_residents_language_is_one_page_whose_code_opens_it(
    client, coordinator, rising, tmp_path, language
):
    client.force_login(coordinator)
    response = client.get(poster_url(), {"lang": language})
    path = saved(response.content, tmp_path)
    address = f"http://testserver/nabohjaelp/rising/?lang={language}"
    assert pdf_pages(path)[0] == 1
    assert [code.text for code in qr_codes(path)] == [address]
    text = pdf_text(path)
    assert address in text
    written = {
        "ar": re.compile("[\u0600-\u06ff]{4}"),
        "so": re.compile("Ilaali guryaha deriskaaga"),
        "tr": re.compile("Komşularınız tatildeyken"),
    }
    assert written[language].search(text)
    assert "Hold øje med naboernes hjem" not in text
    assert "kontakt@boligsocialt-hus.example" in text
