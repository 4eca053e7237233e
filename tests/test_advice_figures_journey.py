"""On a phone, Fyns Politi's partner (granted Rising only) opens the advice figures:
Rising's small counts show as "<5", Vollsmose is nowhere, and no household is
named."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from advice.models import Case
from advice.tests.conftest import add_outcome, make_case, make_household

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NAMES = ["Fatima Hansen", "Jens Jensen", "Aisha Ali"] + [
    f"Karen Vollsmose {n}" for n in range(7)
]


def test_a_partner_sees_only_suppressed_figures_for_their_area(
    page, live_server, login, partner, departments
):
    first_day = datetime.date(timezone.localdate().year, 1, 1)
    rising_east, rising_west, vollsmose = departments
    for n, name in enumerate(NAMES):
        department = [rising_east, rising_west, rising_east][n] if n < 3 else vollsmose
        household = make_household(department, name=name, number=str(n + 1))
        case = make_case(household, opened_on=first_day)
        if n == 0:
            add_outcome(case, "payment_plan", amount=Decimal("4500"), on=first_day)
            Case.objects.filter(pk=case.pk).update(
                status=Case.Status.CLOSED, closed_on=first_day
            )
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 375, "height": 812})

    login(partner)
    page.goto(live_server.url + reverse("advice:advice_figures"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Økonomisk rådgivning i tal"
    )
    expect(page.get_by_test_id("suppression-note")).to_be_visible()

    cases = page.get_by_test_id("table-advice")
    expect(cases.locator("tbody tr")).to_have_count(1)
    rising = cases.locator("tbody tr").first
    expect(rising.get_by_role("rowheader")).to_have_text("Rising")
    counts = rising.locator("td").all_inner_texts()
    # Opened 3, closed 1, open 2, payment plans 1: all "<5"; none avoided, no
    # repeat household: 0; no gain, and a debt settled in 1 case: "<5 sager".
    assert counts == ["<5", "<5", "<5", "0", "<5", "0", "0", "<5 sager"]

    body = page.locator("body").inner_text()
    assert "Vollsmose" not in body
    assert not [name for name in NAMES if name in page.content()]
    assert [text for text in console if "Content Security Policy" in text] == []
