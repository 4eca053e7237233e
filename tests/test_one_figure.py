"""One function per figure: each app's figures page and the dashboard show the same
numbers for the same period and areas, read from the pages as a person sees them,
on the demo data (every area, this year and last)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from boligsocial.models import Area, User
from reports.tests.conftest import table_rows

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")

# (the app's page, its table, the dashboard's table with the same rows)
SAME_TABLES = [
    ("safety:nabohjaelp", "signups", "signups"),
    ("safety:safety_figures", "walks", "walks"),
    ("safety:safety_figures", "findings", "findings"),
    ("safety:beredskab_figures", "incidents", "incidents"),
    ("safety:beredskab_figures", "incident_months", "incident_months"),
    ("advice:advice_figures", "advice", "advice"),
]


def years() -> list[int]:
    this_year = timezone.localdate().year
    return [this_year, this_year - 1]


def dashboard(client, user, year: int) -> str:
    areas = Area.objects.visible_to(user).values_list("slug", flat=True)
    query = {"period": "year", "year": str(year), "areas": list(areas)}
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    return response.content.decode()


def app_page(client, name: str, year: int) -> str:
    query = {"year": str(year)}
    if name == "safety:beredskab_figures":
        query = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("year_index", [0, 1], ids=["this year", "last year"])
@pytest.mark.parametrize("username", ["koordinator", "partner-politi"])
def test_a_figures_page_and_the_dashboard_show_the_same_numbers(
    demo_world, client, username, year_index
):
    year = years()[year_index]
    user = User.objects.get(username=username)
    client.force_login(user)
    on_dashboard = dashboard(client, user, year)
    compared = 0
    for name, slug, dashboard_slug in SAME_TABLES:
        response = client.get(reverse(name))
        if response.status_code == 403:  # not this reader's page
            continue
        rows = table_rows(app_page(client, name, year), slug)
        assert rows, f"{name} shows no table {slug}"
        assert rows == table_rows(on_dashboard, dashboard_slug), (name, slug)
        compared += 1
    assert compared >= 4


def test_the_comparison_would_see_a_difference(demo_world, client):
    """The check above can fail: last year's walks are not this year's."""
    coordinator = User.objects.get(username="koordinator")
    client.force_login(coordinator)
    this_year, last_year = years()
    walks = table_rows(app_page(client, "safety:safety_figures", this_year), "walks")
    assert walks != table_rows(dashboard(client, coordinator, last_year), "walks")
