"""Input the form fuzzing (tests/test_fuzz_forms.py) found to give a server error,
and the shared reading of a typed number that the fixes use."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from boligsocial.forms import whole_number
from boligsocial.models import Area


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0", 0),
        ("2026", 2026),
        ("007", 7),
        ("999999999", 999999999),
        ("", None),
        (None, None),
        ("²", None),  # a digit to str.isdigit(), which int() cannot read
        ("١٢", None),
        ("-1", None),
        (" 7", None),
        ("1e3", None),
        ("9" * 5000, None),  # more digits than int() reads
        ("1000000000", None),
    ],
)
def test_a_typed_whole_number_is_ascii_digits_only_and_at_most_nine(typed, number):
    assert whole_number(typed) == number


@pytest.mark.parametrize("next_url", ["0", "home", "admin:index"])
def test_the_code_prompt_sends_a_bare_word_next_address_to_the_front_page(
    client, coordinator, next_url
):
    client.force_login(coordinator)  # the code given already
    response = client.get(reverse("two_factor_verify"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_code_prompt_still_sends_a_path_of_ours_on(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("two_factor_verify"), {"next": "/plan/"})
    assert response["Location"] == "/plan/"


def test_the_admin_cleans_up_expired_login_attempts(client, admin_user):
    expired = AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="",
        http_accept="",
        path_info="/account/login/",
        get_data="",
        post_data="",
        failures_since_start=3,
    )
    AccessAttempt.objects.filter(pk=expired.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "cleanup_expired_attempts",
            "_selected_action": [expired.pk],
            "index": "0",
        },
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("ticked", ["abc", "²", "9" * 30, "9" * 5000])
def test_an_admin_action_on_a_row_id_that_is_none_runs_on_no_row(
    client, admin_user, ticked
):
    """Only a forged form posts such an id: Django's admin filtered by it as it
    was, a server error."""
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:boligsocial_area_changelist"),
        {"action": "delete_selected", "_selected_action": [ticked], "index": "0"},
    )
    assert response.status_code == 302
    assert Area.objects.filter(slug="rising").exists()


def test_an_admin_action_still_runs_on_the_rows_ticked(client, admin_user):
    client.force_login(admin_user)
    rising = Area.objects.get(slug="rising")
    response = client.post(
        reverse("admin:boligsocial_area_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": ["abc", rising.pk],
            "index": "0",
        },
    )
    assert response.status_code == 200  # Django's "are you sure?" page
    assert list(response.context["queryset"]) == [rising]


@pytest.mark.parametrize("row", ["abc", "9" * 30])
def test_a_list_edit_of_a_row_id_that_is_none_is_told_not_answered_with_an_error(
    client, admin_user, row
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:advice_outcomekind_changelist"),
        {
            "_save": "Gem",
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": row,
            "form-0-is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["cl"].formset.errors
