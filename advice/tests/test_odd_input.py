"""Input the form fuzzing (tests/test_fuzz_forms.py) found to give a server error.
Each now gets an answer: "²" is a digit to str.isdigit() that int() cannot read,
and int() refuses a number of 5,000 digits."""

import pytest
from django.urls import reverse

from advice.models import Case

from .conftest import TODAY, add_outcome

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.mark.parametrize("version", ["²", "9" * 5000])
def test_reopening_a_case_from_a_version_that_is_no_number_changes_nothing(
    client, advisor, case, version
):
    add_outcome(case, "eviction_avoided", on=TODAY)
    case.close(version=case.version, closed_on=TODAY)
    client.force_login(advisor)
    response = client.post(
        reverse("advice:case_reopen", args=[case.pk]), {"version": version}
    )
    assert response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


@pytest.mark.parametrize("year", ["²", "9" * 5000])
def test_the_eviction_network_for_a_year_that_is_no_number_shows_this_year(
    client, advisor, year
):
    client.force_login(advisor)
    response = client.get(reverse("advice:network"), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == TODAY.year


def test_advice_figures_for_a_period_at_the_end_of_the_calendar_say_why_not(
    client, advisor
):
    client.force_login(advisor)
    query = {"start": "0001-01-01", "end": "9999-12-31"}
    response = client.get(reverse("advice:advice_figures"), query)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Datoen skal ligge mellem" in str(errors["start"])
    assert "Datoen skal ligge mellem" in str(errors["end"])
