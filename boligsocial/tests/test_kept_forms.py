"""A form sent after the session ended waits for the login, and is sent again from
the resume page as it was typed (boligsocial/kept_forms.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.models import Activity, ActivityRecord
from boligsocial.kept_forms import KEY
from conftest import PASSWORD, TEST_TOTP_KEY, TwoFactorClient, authenticator_code

pytestmark = pytest.mark.django_db

RESUME = reverse("resume_form")
LOGIN_THEN_RESUME = f"{reverse('login')}?next={RESUME}"


@pytest.fixture
def record_form():
    activity = Activity.objects.get(name="Fritidsjobrådgivning")
    return {
        "activity": activity.pk,
        "area": activity.areas.first().pk,
        "date": timezone.localdate().isoformat(),
        "participants": "8",
        "note": "Jobcafé\r\nmed to linjer",
    }


def expired(client, user, then):
    """A client whose session ended 31 idle minutes after `then`."""
    with time_machine.travel(then, tick=False):
        client.force_login(user)
        assert client.get(reverse("activities:record_create")).status_code == 200
    return time_machine.travel(then + timedelta(minutes=31), tick=False)


def log_in(client, user, next_url=RESUME):
    """The real login, and the code from the authenticator app where one is asked."""
    response = client.post(
        f"{reverse('login')}?next={next_url}",
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )
    if user.needs_two_factor:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "app", "key": TEST_TOTP_KEY}
        )
        prompt = client.get(response.url).url
        assert prompt.startswith(reverse("two_factor_verify"))
        response = client.post(prompt, {"code": authenticator_code(device)})
    return response


def test_a_record_sent_after_the_session_ended_is_saved_from_the_resume_page(
    client, staff, record_form
):
    with expired(client, staff, timezone.now()):
        response = client.post(reverse("activities:record_create"), record_form)
        assert response.status_code == 302
        assert response.url == LOGIN_THEN_RESUME
        page = client.get(response.url)
        assert "det, du skrev, venter på dig" in page.text
        assert log_in(client, staff).url == RESUME
        resume = client.get(RESUME)
        assert resume.status_code == 200
        assert 'action="/plan/records/new/"' in resume.text
        assert 'name="participants" value="8"' in resume.text
        assert ActivityRecord.objects.count() == 0

        sent = client.post(
            reverse("activities:record_create"),
            {**record_form, "note": "Jobcafé\r\nmed to linjer"},
        )
        assert sent.status_code == 302
    record = ActivityRecord.objects.get()
    assert (record.participants, record.created_by) == (8, staff)


def test_the_resume_page_gives_the_form_once(client, staff, record_form):
    with expired(client, staff, timezone.now()):
        client.post(reverse("activities:record_create"), record_form)
        log_in(client, staff)
        assert client.get(RESUME).status_code == 200
        again = client.get(RESUME)
    assert again.status_code == 302
    assert again.url == reverse("home")


def test_a_form_kept_longer_than_an_idle_session_is_not_offered(
    client, staff, record_form
):
    start = timezone.now()
    with expired(client, staff, start):
        client.post(reverse("activities:record_create"), record_form)
    with time_machine.travel(start + timedelta(minutes=31 + 29), tick=False):
        log_in(client, staff)
    with time_machine.travel(start + timedelta(minutes=31 + 31), tick=False):
        assert client.get(RESUME).url == reverse("home")


def test_an_htmx_save_after_the_session_ended_goes_to_the_login_as_a_whole_page(
    client, staff, record_form
):
    with expired(client, staff, timezone.now()):
        response = client.post(
            reverse("activities:record_create"),
            record_form,
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert response["HX-Redirect"] == LOGIN_THEN_RESUME
    assert response.content == b""


def test_an_area_chosen_after_the_session_ended_keeps_the_typed_values(
    client, staff, record_form
):
    page = reverse("activities:record_create")
    with expired(client, staff, timezone.now()):
        response = client.get(
            page,
            record_form,
            headers={
                "HX-Request": "true",
                "HX-Current-URL": f"http://testserver{page}",
            },
        )
        assert response["HX-Redirect"] == LOGIN_THEN_RESUME
        log_in(client, staff)
        resume = client.get(RESUME)
    assert 'method="get"' in resume.text
    assert 'name="participants" value="8"' in resume.text
    assert "Åbn formularen igen" in resume.text


def test_a_poll_after_the_session_ended_leads_back_to_its_page(client, staff):
    home = reverse("home")
    with expired(client, staff, timezone.now()):
        response = client.get(
            reverse("my_work_count"),
            headers={
                "HX-Request": "true",
                "HX-Current-URL": f"http://testserver{home}",
            },
        )
    assert response["HX-Redirect"] == f"{reverse('login')}?next={home}"


def test_a_poll_from_another_site_leads_to_the_plain_login(client, staff):
    with expired(client, staff, timezone.now()):
        response = client.get(
            reverse("my_work_count"),
            headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"},
        )
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert "evil" not in response["HX-Redirect"]


def test_a_photo_cannot_be_kept_and_the_resume_page_says_so(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safety.models import Walk

    walk = Walk.objects.create(
        area=staff.areas.first()
        or Walk._meta.get_field("area").related_model.objects.first(),
        starts_at=timezone.now(),
        created_by=staff,
    )
    with expired(client, staff, timezone.now()):
        client.post(
            reverse("safety:finding_create", args=[walk.pk]),
            {
                "description": "Knust rude",
                "photo": SimpleUploadedFile("rude.jpg", b"x", "image/jpeg"),
            },
        )
        log_in(client, staff)
        resume = client.get(RESUME)
    assert 'data-testid="resume-files"' in resume.text
    assert 'name="description" value="Knust rude"' in resume.text


def test_nothing_typed_means_nothing_kept(client, staff):
    with expired(client, staff, timezone.now()):
        response = client.post(reverse("activities:record_create"), {})
    assert (
        response.url == f"{reverse('login')}?next={reverse('activities:record_create')}"
    )


def test_a_form_too_big_for_a_session_is_not_kept(client, staff, record_form):
    with expired(client, staff, timezone.now()):
        response = client.post(
            reverse("activities:record_create"), {**record_form, "note": "x" * 70_000}
        )
    assert (
        response.url == f"{reverse('login')}?next={reverse('activities:record_create')}"
    )


def test_the_resume_page_is_for_those_logged_in_and_takes_no_post(client, staff):
    assert client.get(RESUME).url.startswith(reverse("login"))
    client.force_login(staff)
    assert client.post(RESUME).status_code == 405
    assert client.get(RESUME).url == reverse("home")


def test_a_form_sent_by_someone_never_logged_in_here_is_not_kept(client):
    """Nobody's form: the browser names no one who logged in on it."""
    client.get(reverse("login"))
    response = client.post(reverse("activities:record_create"), {"participants": "3"})
    assert (
        response.url == f"{reverse('login')}?next={reverse('activities:record_create')}"
    )


def test_the_next_person_to_log_in_on_the_computer_never_sees_it(
    client, staff, coordinator, record_form
):
    with expired(client, staff, timezone.now()):
        client.post(reverse("activities:record_create"), record_form)
        log_in(client, coordinator)
        resume = client.get(RESUME)
        assert resume.url == reverse("home")
        assert "Jobcafé" not in client.get(reverse("home")).text
        # And it is gone from the session.
        assert KEY not in client.session


def test_no_password_or_code_is_kept(client, staff):
    with expired(client, staff, timezone.now()):
        client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Nyt-kodeord-2027",
                "new_password2": "Nyt-kodeord-2027",
                "code": "123456",
                "note": "kept",
            },
        )
        kept = client.session["portal_kept_form"]
    assert [name for name, _values in kept["fields"]] == ["note"]


def test_a_form_answered_by_the_working_days_end_is_not_kept(
    client, staff, record_form
):
    """That logout answers before the CSRF check: such a form is not kept."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
        client.get(reverse("activities:record_create"))
    for minutes in range(20, 10 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            client.get(reverse("home"))
    with time_machine.travel(start + timedelta(hours=10, minutes=1), tick=False):
        response = client.post(reverse("activities:record_create"), record_form)
    assert response.url.startswith(reverse("login"))
    assert "portal_kept_form" not in client.session


def test_a_form_from_another_site_is_refused_before_it_is_kept(staff, record_form):
    strict = TwoFactorClient(enforce_csrf_checks=True)
    with expired(strict, staff, timezone.now()):
        response = strict.post(reverse("activities:record_create"), record_form)
    assert response.status_code == 403
    assert not any(KEY in session.get_decoded() for session in Session.objects.all())


def test_in_production_the_owner_cookie_is_locked_to_the_host(client, staff, settings):
    settings.SESSION_COOKIE_SECURE = True
    client.force_login(staff)
    response = client.get(reverse("home"), secure=True)
    cookie = response.cookies["__Host-portal_owner"]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
    assert not cookie["domain"]
    assert cookie.value.split(":")[0] == str(staff.pk)


def test_the_resume_page_costs_the_same_queries_for_a_small_and_a_big_form(
    client, staff, record_form, django_assert_num_queries
):
    counts = []
    for note in ("kort", "lang " * 2000):
        with expired(client, staff, timezone.now()):
            client.post(
                reverse("activities:record_create"), {**record_form, "note": note}
            )
            log_in(client, staff)
            with django_assert_num_queries(6) as captured:
                assert client.get(RESUME).status_code == 200
            counts.append(len(captured))
        client.logout()
    assert counts == [6, 6]
