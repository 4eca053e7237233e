"""The access log worth reading: the review page reads the raw rows as entries.
Repeated views by one person of one case are one entry with a count; the page
shown right after a change belongs to the change; the rows themselves stay."""

import datetime

import pytest
from django.urls import reverse

from advice.models import CaseAccess

from .conftest import make_case, make_household
from .test_access_log import logged_at

pytestmark = pytest.mark.usefixtures("frozen_today")

LOG = reverse("advice:access_log")
DAY = datetime.datetime(2026, 5, 1)


def at(clock: str) -> datetime.datetime:
    """1 May 2026 at hh:mm or hh:mm:ss."""
    parts = [int(part) for part in clock.split(":")]
    return DAY.replace(hour=parts[0], minute=parts[1], second=(parts + [0])[2])


def log(user, case, *rows, purpose="casework"):
    for clock, action in rows:
        logged_at(at(clock), user, case, action, purpose=purpose)


def entries(client, **query) -> list[tuple]:
    page = client.get(LOG, query).context["page"]
    return [(e.user.username, e.action, e.views, e.count) for e in page]


# One morning's work on one case: 27 rows.
SESSION = [
    *[(clock, "view") for clock in ("10:02", "10:05", "10:09", "10:15", "10:20")],
    *[(clock, "view") for clock in ("10:25", "10:31")],
    ("10:45", "edit"),
    ("10:45:01", "view"),  # the case page shown after saving
    ("10:50", "meeting"),
    ("10:50:02", "view"),
    ("10:52", "outcome"),
    ("10:52:01", "view"),
    *[(f"11:{minute:02d}", "view") for minute in range(30, 50, 2)],  # ten views
    ("12:00", "edit"),
    ("12:00:01", "view"),
    ("12:01", "edit"),
    ("12:01:01", "view"),
]


def test_a_working_session_of_27_rows_reads_as_seven_entries(
    client, advisor, coordinator, case
):
    log(advisor, case, *SESSION)
    client.force_login(coordinator)
    response = client.get(LOG)
    html = response.content.decode()
    assert CaseAccess.objects.count() == 27
    assert entries(client) == [
        ("advisor", "edit", 1, 2),
        ("advisor", "edit", 1, 2),
        ("advisor", "view", 10, 10),
        ("advisor", "outcome", 1, 2),
        ("advisor", "meeting", 1, 2),
        ("advisor", "edit", 1, 2),
        ("advisor", "view", 7, 7),
    ]
    assert "7 poster" in html
    assert "Så sagen 7 gange" in html
    assert "01.05.2026 10:02–10:31" in html
    assert "Ændrede sagen<br>" in html and "og så den bagefter" in html


def test_the_page_changes_no_row(client, advisor, coordinator, case):
    log(advisor, case, *SESSION)
    before = list(CaseAccess.objects.order_by("pk").values())
    client.force_login(coordinator)
    client.get(LOG)
    assert list(CaseAccess.objects.order_by("pk").values()) == before


def test_two_people_on_one_case_at_the_same_time_stay_apart(
    client, advisor, other_advisor, coordinator, case
):
    for minute in range(0, 8):
        who = advisor if minute % 2 else other_advisor
        logged_at(at(f"09:{minute:02d}"), who, case, "view")
    client.force_login(coordinator)
    assert sorted(entries(client)) == [
        ("advisor", "view", 4, 4),
        ("advisor2", "view", 4, 4),
    ]


def test_a_view_after_more_than_ten_minutes_begins_a_new_entry(
    client, advisor, coordinator, case
):
    log(advisor, case, ("09:00", "view"), ("09:10", "view"), ("09:20:01", "view"))
    client.force_login(coordinator)
    assert entries(client) == [("advisor", "view", 1, 1), ("advisor", "view", 2, 2)]


def test_a_view_long_after_a_change_is_not_the_change_shown(
    client, advisor, coordinator, case
):
    log(advisor, case, ("09:00", "edit"), ("09:00:30", "view"))
    client.force_login(coordinator)
    html = client.get(LOG).content.decode()
    assert entries(client) == [("advisor", "view", 1, 1), ("advisor", "edit", 0, 1)]
    assert "og så den" not in html


def test_a_change_is_never_folded_into_views_before_it(
    client, advisor, coordinator, case
):
    log(advisor, case, ("09:00", "view"), ("09:01", "edit"), ("09:02", "edit"))
    client.force_login(coordinator)
    assert entries(client) == [
        ("advisor", "edit", 0, 1),
        ("advisor", "edit", 0, 1),
        ("advisor", "view", 1, 1),
    ]


def test_views_for_another_purpose_are_an_entry_of_their_own(
    client, advisor, coordinator, case
):
    log(advisor, case, ("09:00", "view"), ("09:01", "view"))
    log(advisor, case, ("09:02", "view"), purpose="erasure")
    client.force_login(coordinator)
    page = client.get(LOG).context["page"]
    assert [(e.purpose, e.views) for e in page] == [("erasure", 1), ("casework", 2)]


def test_views_of_another_case_are_an_entry_of_their_own(
    client, advisor, coordinator, case, departments
):
    second = make_case(
        make_household(departments[1], name="Ole Olsen"), advisors=[advisor]
    )
    log(advisor, case, ("09:00", "view"), ("09:02", "view"))
    log(advisor, second, ("09:01", "view"))
    client.force_login(coordinator)
    page = client.get(LOG).context["page"]
    assert [(e.case_number, e.views) for e in page] == [(second.pk, 1), (case.pk, 2)]


def test_an_entry_over_midnight_shows_both_days(client, advisor, coordinator, case):
    logged_at(datetime.datetime(2026, 5, 1, 23, 55), advisor, case, "view")
    logged_at(datetime.datetime(2026, 5, 2, 0, 3), advisor, case, "view")
    client.force_login(coordinator)
    html = client.get(LOG).content.decode()
    assert "01.05.2026 23:55–02.05.2026 00:03" in html


def test_a_date_filter_cuts_an_entry_at_its_edge(client, advisor, coordinator, case):
    logged_at(datetime.datetime(2026, 5, 1, 23, 55), advisor, case, "view")
    logged_at(datetime.datetime(2026, 5, 2, 0, 3), advisor, case, "view")
    logged_at(datetime.datetime(2026, 5, 2, 0, 9), advisor, case, "view")
    client.force_login(coordinator)
    assert entries(client, at_from="2026-05-02") == [("advisor", "view", 2, 2)]
    assert entries(client, at_to="2026-05-01") == [("advisor", "view", 1, 1)]


def test_the_pages_count_entries_not_rows(client, advisor, coordinator, case):
    start = datetime.datetime(2026, 5, 2, 8, 0)
    for n in range(60):  # 60 entries of two views each, 120 rows
        first = start + datetime.timedelta(minutes=15 * n)
        logged_at(first, advisor, case, "view")
        logged_at(first + datetime.timedelta(minutes=1), advisor, case, "view")
    client.force_login(coordinator)
    first_page = client.get(LOG).context["page"]
    second_page = client.get(LOG, {"page": 2}).context["page"]
    assert first_page.paginator.count == 60
    assert [e.views for e in first_page] == [2] * 50
    assert [e.views for e in second_page] == [2] * 10
    assert second_page[-1].at == datetime.datetime(
        2026, 5, 2, 6, 0, tzinfo=datetime.UTC
    )


@pytest.mark.parametrize("sessions", [1, 40])
def test_the_page_costs_the_same_queries_for_few_and_many_entries(
    client,
    advisor,
    other_advisor,
    coordinator,
    case,
    django_assert_num_queries,
    sessions,
):
    start = datetime.datetime(2026, 5, 2, 8, 0)
    for n in range(sessions):
        first = start + datetime.timedelta(minutes=15 * n)
        who = advisor if n % 2 else other_advisor
        logged_at(first, who, case, "edit")
        logged_at(first + datetime.timedelta(seconds=1), who, case, "view")
        logged_at(first + datetime.timedelta(minutes=3), who, case, "view")
    client.force_login(coordinator)
    # session, user, device; the first 250 entries' keys (the count and the
    # page), those rows with their users, the rows that begin or end them; the
    # users for the filter; 3 for the session.
    with django_assert_num_queries(10):
        response = client.get(LOG)
    assert len(response.context["page"]) == sessions
