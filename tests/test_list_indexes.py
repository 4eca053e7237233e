"""Every list page reads its page of rows in the order of an index, at any size.

The page is opened as a person who sees it, and each query that reads a page of
rows (ORDER BY … LIMIT) is planned again by PostgreSQL with sorting and whole-table
scans made as dear as they can be (`enable_sort`, `enable_seqscan` off): if no
index gives the rows in the page's order, the plan still sorts, and the test
names the page and the query. A small table hides a missing index; ten years of
rows do not (bench/activity_pages.py measures it).
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boligsocial.models import Role
from tests.world import build_world

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="plans are PostgreSQL's"
)

# (the list's address, who opens it, its query string)
LISTS = [
    ("activities:record_list", Role.STAFF, {}),
    ("safety:signup_list", Role.STAFF, {}),
    ("safety:walk_list", Role.STAFF, {}),
    ("safety:finding_worklist", Role.STAFF, {}),
    ("safety:report_list", Role.SAFETY_ADVISOR, {"vis": "all"}),
    ("safety:report_list", Role.SAFETY_ADVISOR, {}),
    ("safety:incident_list", Role.SAFETY_ADVISOR, {}),
    ("safety:meeting_list", Role.SAFETY_ADVISOR, {}),
    ("safety:task_list", Role.SAFETY_ADVISOR, {}),
    ("advice:case_list", Role.ADVISOR, {}),
    ("advice:access_log", Role.COORDINATOR, {}),
    ("reports:run_list", Role.COORDINATOR, {}),
    ("person_list", Role.COORDINATOR, {}),
    ("notification_list", Role.STAFF, {}),
]
PAGE_QUERY = re.compile(r"\bORDER BY\b.*\bLIMIT\b", re.S)


@pytest.fixture
def world(db):
    return build_world()


def sorts(sql: str) -> list[str]:
    """The Sort nodes of the query's plan when sorting is the last resort."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
        cursor.execute("RESET enable_sort")
        cursor.execute("RESET enable_seqscan")
    found = []

    def walk(node: dict) -> None:
        if node["Node Type"] in ("Sort", "Incremental Sort"):
            found.append(", ".join(node.get("Sort Key", [])))
        for child in node.get("Plans", []):
            walk(child)

    walk((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
    return found


@pytest.mark.parametrize(
    ("name", "role", "query"),
    LISTS,
    ids=lambda value: value if isinstance(value, str) and ":" in value else "",
)
def test_a_lists_page_of_rows_comes_from_an_index_in_its_order(
    client, world, name, role, query
):
    client.force_login(world.people[role])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), query)
    assert response.status_code == 200
    pages = [q["sql"] for q in queries.captured_queries if PAGE_QUERY.search(q["sql"])]
    assert pages, f"{name}: no page of rows was read"
    sorted_ = [keys for sql in pages if (keys := sorts(sql))]
    assert sorted_ == [], f"{name} sorts its page by {sorted_}"
