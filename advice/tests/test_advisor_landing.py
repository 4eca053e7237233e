"""The advisor lands on their day: open cases, court dates, today's drop-in hours."""

import datetime

from django.urls import reverse

from advice.models import Case, DropIn
from advice.tests.conftest import make_case


def test_the_advisor_sees_their_open_cases_and_todays_drop_in_hours(
    client, advisor, other_advisor, case, household, frozen_today
):
    make_case(
        household,
        advisors=[advisor],
        eviction_risk=Case.EvictionRisk.BAILIFF,
        bailiff_date=datetime.date(2026, 6, 1),
    )
    make_case(household, advisors=[other_advisor])  # not theirs
    rising = household.department.area
    # 4 May 2026 is a Monday.
    DropIn.objects.create(
        name="Beboerhuset",
        area=rising,
        weekday=0,
        starts_at=datetime.time(13),
        ends_at=datetime.time(15),
    )
    DropIn.objects.create(
        name="Kulturhuset",
        area=rising,
        weekday=3,
        starts_at=datetime.time(10),
        ends_at=datetime.time(12),
    )
    client.force_login(advisor)
    page = client.get(reverse("home")).content.decode()
    assert '<p class="display-6 mb-0" data-testid="open-cases">2</p>' in page
    assert "1 i fogedretten" in page
    assert "Beboerhuset, 13.00–15.00" in page
    assert "Kulturhuset" not in page
