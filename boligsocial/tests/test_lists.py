"""A list's pages count no further than ListPaginator.CAP rows: "page 1 of more
than …" past it, in one short count, whatever the table holds."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, ActivityRecord
from boligsocial.lists import ListPaginator
from boligsocial.models import Area

LIST = reverse("activities:record_list")


@pytest.fixture
def records(staff):
    jobs = Activity.objects.get(name="Fritidsjobrådgivning")
    rising = Area.objects.get(slug="rising")
    ActivityRecord.objects.bulk_create(
        ActivityRecord(
            activity=jobs,
            area=rising,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
            participants=3,
            created_by=staff,
        )
        for n in range(60)
    )


def test_past_the_cap_the_pages_say_more_than(client, staff, records, monkeypatch):
    monkeypatch.setattr(ListPaginator, "CAP", 50)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    html = response.content.decode()
    assert "Side 1 af over 2" in html
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert any("LIMIT 51" in sql for sql in counts), counts
    assert "over 50 registreringer" in html
    # The pages go on past the cap for as long as there are rows.
    second = client.get(LIST, {"page": 2})
    assert second.context["page"].has_next()
    last = client.get(LIST, {"page": 3}).context["page"]
    assert len(last) == 10 and not last.has_next()
    # One far past the rows is the last page there is.
    assert client.get(LIST, {"page": 99}).context["page"].number == 3


def test_under_the_cap_the_pages_are_counted_as_before(client, staff, records):
    client.force_login(staff)
    html = client.get(LIST).content.decode()
    assert "Side 1 af 3" in html


def test_a_list_of_python_rows_is_capped_too():
    paginator = ListPaginator(list(range(30)), 10)
    paginator.CAP = 20
    assert paginator.count == 21 and paginator.capped
    assert paginator.pages_at_least == 2


def record_keys():
    """The records' keys as a list's query, and (read apart from it) all of them."""
    keys = ActivityRecord.objects.order_by("pk").values_list("pk", flat=True)
    return keys, list(keys.all())


def test_read_ahead_counts_and_pages_within_the_cap_from_one_query(
    records, django_assert_num_queries
):
    keys, every = record_keys()

    with django_assert_num_queries(1):
        paginator = ListPaginator(keys, 10, cap=25, read_ahead=True)
        first, second = paginator.page(1), paginator.page(2)
    assert paginator.capped and (list(first), list(second)) == (
        every[:10],
        every[10:20],
    )
    assert second.has_next()
    # Past the rows read ahead, a page is read as it is asked for.
    with django_assert_num_queries(1):
        assert list(paginator.page(3)) == every[20:30]


def test_read_ahead_under_the_cap_serves_every_page_from_one_query(
    records, django_assert_num_queries
):
    keys, every = record_keys()

    with django_assert_num_queries(1):
        paginator = ListPaginator(keys, 25, cap=100, read_ahead=True)
        pages = [list(paginator.page(n)) for n in (1, 2, 3)]
    assert not paginator.capped and paginator.num_pages == 3
    assert pages == [every[:25], every[25:50], every[50:]]


def test_read_ahead_keeps_a_last_pages_orphans_with_it(records):
    keys, _every = record_keys()
    paginator = ListPaginator(keys[:23], 10, orphans=3, cap=100, read_ahead=True)

    assert paginator.num_pages == 2
    assert len(paginator.page(2)) == 13
