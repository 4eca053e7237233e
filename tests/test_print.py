"""On paper a list is its content: no menus, buttons or page links, every column
(the print stylesheet, in Chromium's print media)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_record_list_prints_as_its_table_alone(page, live_server, login, staff):
    login(staff)
    page.goto(live_server.url + reverse("activities:record_list"))
    expect(page.get_by_test_id("nav")).to_be_visible()

    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_hidden()
    expect(page.get_by_role("link", name="Ny registrering")).to_be_hidden()
    expect(page.get_by_test_id("record-table")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
