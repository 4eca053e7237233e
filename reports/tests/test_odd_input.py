"""Input the form fuzzing (tests/test_fuzz_forms.py) found to give a server error:
a period at the end of the calendar, where a day more or less does not exist.
Now the date is refused next to its field."""

import pytest
from django.urls import reverse

from reports.models import ReportRun

DASHBOARD = reverse("reports:dashboard")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("2026-01-01", "9999-12-31", "end"), ("0001-01-01", "0001-01-31", "start")],
)
def test_a_period_at_the_end_of_the_calendar_is_refused_next_to_the_field(
    client, staff, start, end, field
):
    client.force_login(staff)
    query = {"period": "custom", "start": start, "end": end}
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    assert "Datoen skal ligge mellem" in str(response.context["form"].errors[field])
    assert f'value="{start}"' in response.content.decode()  # the input is kept


def test_a_report_for_a_period_at_the_end_of_the_calendar_is_not_asked_for(
    client, coordinator
):
    client.force_login(coordinator)
    data = {"kind": "municipality", "period": "custom", "start": "2026-01-01"}
    response = client.post(reverse("reports:run_list"), {**data, "end": "9999-12-31"})
    assert response.status_code == 200
    assert "end" in response.context["form"].errors
    assert not ReportRun.objects.exists()
