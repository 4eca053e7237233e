"""What every filtered list page shares: the page of rows asked for, page links
that keep the filter, and, when htmx asks, an answer of only the rows."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import F, Func, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _


class ListPaginator(Paginator):
    """Django's Paginator, counting no further than CAP rows. Counting ten years
    of records to say "page 1 of 80,000" reads every one of them; past CAP the
    pages say "of more than" and the total "more than 10,000", and the pages go
    on for as long as there are rows: each page past the cap reads one row more
    than it shows, to know whether another follows."""

    CAP = 10_000

    def __init__(
        self, *args, cap: int | None = None, read_ahead: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.CAP = cap
        # The list's first CAP + 1 rows, read at once: for a list of keys that are
        # cheap to read and dear to tell apart, one query gives the count and
        # every page within it.
        self.head = list(self.object_list[: self.CAP + 1]) if read_ahead else None

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if self.head is not None:
            return len(self.head)
        if hasattr(rows, "query"):
            # SELECT COUNT(*) FROM (the list's query LIMIT CAP + 1), in no
            # particular order: it only has to know whether there are more.
            return rows.order_by()[: self.CAP + 1].count()
        return min(len(rows), self.CAP + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.CAP

    @property
    def shown_count(self) -> int:
        """The total to show: the cap, after "over", when capped."""
        return min(self.count, self.CAP)

    @property
    def pages_at_least(self) -> int:
        return self.CAP // self.per_page

    def validate_number(self, number) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("Siden er ikke et helt tal.")) from error
        if number < 1:
            raise EmptyPage(_("Siden findes ikke."))
        return number

    def get_page(self, number) -> Page:
        """As Django's, and past the cap a page beyond the rows is the last page
        counted."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.capped:
            if self.head is None:
                return super().page(number)
            top = bottom + self.per_page  # as Django's, orphans and all
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self.head[bottom:top], number, self)
        if self.head is not None and bottom + self.per_page < len(self.head):
            rows = self.head[bottom : bottom + self.per_page + 1]
        else:
            rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(_("Siden findes ikke."))
        return CappedPage(
            rows[: self.per_page], number, self, more=len(rows) > self.per_page
        )


class CappedPage(Page):
    """A page of a list past ListPaginator.CAP: it knows only whether another
    page follows."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


def page_of(
    request, rows, per_page: int, *, cap: int | None = None, read_ahead: bool = False
) -> tuple[Page, str]:
    """The page the request asks for, and its query string without the page
    number, for the page links to carry the filter along. A list whose rows cost
    more to tell apart counts no further than its own `cap`, and may read that
    many at once (`read_ahead`)."""
    paginator = ListPaginator(rows, per_page, cap=cap, read_ahead=read_ahead)
    page = paginator.get_page(request.GET.get("page"))
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
