"""Input the form fuzzing (tests/test_fuzz_forms.py) found to give a server error,
and stored text the XSS sweep (tests/test_xss.py) found shown unescaped.

Each now gets an answer: the message by the field, the input kept, nothing saved.
"²" is a digit to str.isdigit() that int() cannot read; 5,000 nines are digits
int() refuses to read at all."""

import pytest
from django.urls import reverse

from activities.models import ActivityRecord

from .conftest import TODAY
from .test_records import record_data

CREATE = reverse("activities:record_create")


@pytest.mark.parametrize(
    ("field", "value"),
    [("activity", "²"), ("activity", "9" * 5000), ("area", "²"), ("area", "9" * 5000)],
)
def test_a_record_naming_an_id_that_is_no_number_is_refused_by_the_field(
    client, staff, jobs, rising, field, value
):
    client.force_login(staff)
    response = client.post(CREATE, {**record_data(jobs, rising), field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'value="12"' in response.content.decode()  # the input is kept
    assert not ActivityRecord.objects.exists()


def test_a_record_with_an_indicator_field_that_is_no_number_is_refused(
    client, staff, jobs, rising
):
    client.force_login(staff)
    response = client.post(CREATE, record_data(jobs, rising, **{"indicator_²": "3"}))
    assert response.status_code == 200
    assert "hører ikke til aktiviteten" in str(response.context["form"].errors)
    assert not ActivityRecord.objects.exists()


@pytest.mark.parametrize("year", ["²", "9" * 5000])
def test_an_activity_page_for_a_year_that_is_no_number_shows_this_year(
    client, staff, jobs, year
):
    client.force_login(staff)
    url = reverse("activities:activity_detail", args=[jobs.pk])
    response = client.get(url, {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == TODAY.year


def test_an_indicators_unit_is_shown_as_text_on_the_record_form(client, staff, jobs):
    """A help text is shown as HTML; the unit is typed in the admin."""
    indicator = jobs.indicators.first()
    indicator.unit = "<script>alert(1)</script>"
    indicator.save(update_fields=["unit"])
    client.force_login(staff)
    response = client.get(CREATE, {"activity": jobs.pk})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_calendar_from_the_end_of_the_calendar_shows_from_today(client, staff):
    client.force_login(staff)
    response = client.get(reverse("activities:calendar"), {"start": "9999-12-31"})
    assert response.status_code == 200
    assert response.context["start"] == TODAY
    assert "Datoen skal ligge mellem" in str(response.context["form"].errors)
