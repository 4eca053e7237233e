"""Templates rendered to PDF with WeasyPrint: the Nabohjælp posters now, the status
reports later.

Plain functions with no request and no Celery in them, so views, tasks and tests
call them alike.
"""

from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered as a PDF. Everything it shows is inline: CSS in a
    <style>, images as data: URIs, fonts from the system."""
    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=offline_url_fetcher()).write_pdf()


def offline_url_fetcher() -> URLFetcher:
    """A fetcher that reads data: URIs and nothing else.

    Rendering runs in web and worker processes that can reach internal hosts and
    the server's files; a template, or text a user typed into one, that names an
    http: or file: address gets nothing (WeasyPrint logs a warning and leaves the
    resource out), and no render ever waits on the network.
    """
    return URLFetcher(allowed_protocols={"data"})
