"""What every filtered list page shares: the page of rows asked for, page links
that keep the filter, and, when htmx asks, an answer of only the rows."""

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def page_of(request, rows, per_page: int) -> tuple[Page, str]:
    """The page the request asks for, and its query string without the page
    number, for the page links to carry the filter along."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def render_htmx(
    request, template: str, context: dict, *, partial: str = "rows"
) -> HttpResponse:
    """The whole page, or only its inline partial when htmx asks; caches are told
    that the answer depends on which."""
    name = f"{template}#{partial}" if request.htmx else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
