"""What every filtered list page shares: the page of rows asked for, page links
that keep the filter, and, when htmx asks, an answer of only the rows."""

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, Func, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property


class ListPaginator(Paginator):
    """Django's Paginator, counting no further than CAP rows. Counting ten years
    of records to say "page 1 of 80,000" reads every one of them; past CAP the
    pages say "of more than" instead, and a filter narrows the list."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            # SELECT COUNT(*) FROM (the list's query LIMIT CAP + 1): the rows
            # come from the list's index, and stop there.
            return rows[: self.CAP + 1].count()
        return min(len(rows), self.CAP + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.CAP

    @property
    def pages_at_least(self) -> int:
        return self.CAP // self.per_page


def page_of(request, rows, per_page: int) -> tuple[Page, str]:
    """The page the request asks for, and its query string without the page
    number, for the page links to carry the filter along."""
    page = ListPaginator(rows, per_page).get_page(request.GET.get("page"))
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


def how_many(rows: models.QuerySet) -> Subquery:
    """How many of `rows` (a subquery on OuterRef("pk")) there are: a COUNT
    without GROUP BY, which gives one row, 0 when there are none. A list's count
    of related rows this way is asked for the rows of its page only, and leaves
    the list's order to its index (tests/test_list_indexes.py)."""
    count = Func(F("pk"), function="COUNT", output_field=models.IntegerField())
    return Subquery(rows.order_by().annotate(n=count).values("n"))
