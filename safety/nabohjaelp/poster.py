"""The Nabohjælp poster: one A4 page per area with a QR code to its sign-up page."""

import segno
from django.utils import translation

from boligsocial.models import Area
from boligsocial.navigation import resident_contact
from boligsocial.pdf import render_pdf


def poster_pdf(
    *, area: Area, url: str, report_url: str = "", language: str = "da"
) -> bytes:
    """A one-page A4 PDF inviting the area's residents to sign up at url, in the
    language (any of the residents' pages'), whatever language the staff member
    who prints it reads the portal in. The url opens the page in it too. The
    footer gives the area's "Meld et problem" page (`report_url`)."""
    context = {
        "area": area,
        "url": url,
        "report_url": report_url,
        "qr_code": qr_code_data_uri(url),
        "contact": resident_contact(),
    }
    with translation.override(language):
        return render_pdf("safety/poster.html", context)


def qr_code_data_uri(url: str) -> str:
    """The url as a QR code in an SVG data: URI, for an <img> of any size."""
    # Error correction M at least (segno raises it where that costs no extra
    # modules) still reads on a creased or smudged print. The border of four
    # light modules is the quiet zone the standard asks for.
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_data_uri(border=4, dark="#000", light="#fff", omitsize=True)
