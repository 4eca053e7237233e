"""A list's filter says "Alle" for no filter, never Django's "---------"."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LISTS = [
    "activities:record_list",
    "safety:finding_worklist",
    "safety:walk_list",
    "safety:signup_list",
    "safety:incident_list",
    "person_list",
]


@pytest.mark.parametrize("name", LISTS)
def test_a_filter_offers_all_in_words(client, coordinator, name):
    client.force_login(coordinator)

    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert "---------" not in html
