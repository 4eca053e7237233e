"""Templates rendered to PDF with WeasyPrint: the Nabohjælp posters and the status
reports for Landsbyggefonden and Odense Kommune, by the same functions.

Plain functions with no request and no Celery in them, so views, tasks and tests
call them alike.
"""

from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered as a PDF. Everything it shows is inline: CSS in a
    <style>, images as data: URIs, fonts from the system."""
    return render_document(template_name, context)[0]


def offline_url_fetcher() -> URLFetcher:
    """A fetcher that reads data: URIs and nothing else.

    Rendering runs in web and worker processes that can reach internal hosts and
    the server's files; a template, or text a user typed into one, that names an
    http: or file: address gets nothing (WeasyPrint logs a warning and leaves the
    resource out), and no render ever waits on the network.
    """
    return URLFetcher(allowed_protocols={"data"})


def render_document(template_name: str, context: dict) -> tuple[bytes, int]:
    """The template as a PDF, and its number of pages."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, url_fetcher=offline_url_fetcher()).render()
    return document.write_pdf(), len(document.pages)
