"""People in the portal: a coordinator invites, changes, deactivates and reactivates
people; the invited person chooses a password and sets up two-factor through their
own link; every change is recorded and shown on the person's page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from boligsocial.models import Area, Invitation, Organisation, PersonChange, Role, User
from conftest import PASSWORD, TEST_TOTP_KEY, authenticator_code, make_user

LIST = reverse("person_list")
INVITE = reverse("person_invite")
NEW_PASSWORD = "lyse-nætter-i-vollsmose-2026"  # noqa: S105


def can_log_in(username: str, password: str) -> bool:
    """Through the login form, as a person does (django-axes needs the request)."""
    from conftest import TwoFactorClient

    response = TwoFactorClient().post(
        reverse("login"), {"username": username, "password": password}
    )
    return response.status_code == 302


def detail(person) -> str:
    return reverse("person_detail", args=[person.pk])


def edit(person) -> str:
    return reverse("person_edit", args=[person.pk])


def invitation_path(mail) -> str:
    link = re.search(r"http://testserver(/account/invitation/\S+/)", mail.body)
    assert link, mail.body
    return link.group(1)


def an_invitation(**changes) -> dict:
    """The invite form as a coordinator fills it in for a police officer."""
    return {
        "first_name": "Mette",
        "last_name": "Politibetjent",
        "email": "Mette.P@politi.example.dk",
        "role": Role.PARTNER,
        "organisation": Organisation.objects.get(name="Fyns Politi").pk,
        "areas": [Area.objects.get(slug="rising").pk],
        **changes,
    }


def edit_data(person, **changes) -> dict:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "organisation": person.organisation_id or "",
        "areas": [a.pk for a in person.areas.all()],
        "version": person.version,
        **changes,
    }


@pytest.fixture
def invite(client, coordinator, mailoutbox, django_capture_on_commit_callbacks):
    """The coordinator invites someone; returns the new person and the link."""

    def invite(**changes):
        client.force_login(coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(INVITE, an_invitation(**changes))
        assert response.status_code == 302, response.context["form"].errors
        person = User.objects.get(email=an_invitation(**changes)["email"].lower())
        client.logout()
        return person, invitation_path(mailoutbox[-1])

    return invite


# --- The list -------------------------------------------------------------------------


def test_the_coordinator_sees_everyone_with_role_organisation_areas_login_and_2fa(
    client, coordinator, staff, partner
):
    TOTPDevice.objects.create(user=staff, name="default", key=TEST_TOTP_KEY)
    client.force_login(coordinator)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    rows = {p.username: p for p in response.context["page"]}
    assert {"staff", "partner", "coordinator"} <= set(rows)
    assert rows["partner"].has_app is False
    assert "Fyns Politi" in html and "Rising" in html
    assert "Ikke krævet" in html  # the partner needs no second factor
    assert "Sat op" in html  # the coordinator, logged in past the code


def test_the_list_filters_by_text_role_and_state(client, coordinator, staff, partner):
    client.force_login(coordinator)
    found = client.get(LIST, {"q": "partn"}).context["page"]
    assert [p.username for p in found] == ["partner"]
    found = client.get(LIST, {"role": Role.STAFF}).context["page"]
    assert [p.username for p in found] == ["staff"]
    staff.is_active = False
    staff.save()
    found = client.get(LIST, {"state": "inactive"}).context["page"]
    assert [p.username for p in found] == ["staff"]


def test_the_list_costs_the_same_queries_for_3_or_30_people(
    client, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    for n in range(3):
        make_user(f"p{n}", Role.PARTNER, organisation="Fyns Politi", areas=["rising"])
    client.get(LIST)
    # session, person (+ device, savepoint), organisations of the filter, count,
    # page, areas; the menu's count comes later by htmx
    with django_assert_num_queries(10):
        client.get(LIST)
    for n in range(3, 30):
        make_user(f"p{n}", Role.PARTNER, organisation="Fyns Politi", areas=["rising"])
    with django_assert_num_queries(10):
        client.get(LIST)


def test_the_person_page_costs_a_fixed_number_of_queries(
    client, coordinator, staff, django_assert_num_queries
):
    client.force_login(coordinator)
    client.get(detail(staff))
    with django_assert_num_queries(10):
        client.get(detail(staff))


@pytest.mark.parametrize("who", ["staff", "partner", "advisor", "safety_advisor"])
def test_no_one_but_coordinators_and_the_admin_reaches_the_people_pages(
    client, request, who, coordinator
):
    client.force_login(request.getfixturevalue(who))
    for url in (LIST, INVITE, detail(coordinator), edit(coordinator)):
        assert client.get(url).status_code == 403
    assert client.post(INVITE, an_invitation()).status_code == 403
    assert not User.objects.filter(email="mette.p@politi.example.dk").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, db, staff):
    for url in (LIST, INVITE, detail(staff)):
        assert client.get(url).url.startswith(reverse("login"))


def test_the_pages_refuse_other_methods(client, coordinator, staff):
    client.force_login(coordinator)
    assert client.post(LIST).status_code == 405
    assert client.post(detail(staff)).status_code == 405
    for name in ("person_reactivate", "person_invitation_resend"):
        assert client.get(reverse(name, args=[staff.pk])).status_code == 405
    assert client.get(reverse("two_factor_new_link")).status_code == 405


def test_the_menu_offers_people_to_coordinators_only(client, coordinator, staff):
    client.force_login(coordinator)
    assert LIST in client.get(reverse("home")).content.decode()
    client.force_login(staff)
    assert LIST not in client.get(reverse("home")).content.decode()


# --- Inviting -------------------------------------------------------------------------


def test_an_invited_partner_chooses_a_password_and_lands_on_their_work(
    client, invite, coordinator
):
    person, path = invite()
    assert not person.is_active and not person.has_usable_password()
    assert person.username == "mette.p@politi.example.dk"
    assert [a.slug for a in person.areas.all()] == ["rising"]
    # Nobody can log in as the person before they used the link.
    assert not can_log_in(person.username, "")

    page = client.get(path)
    assert "mette.p@politi.example.dk" in page.content.decode()
    response = client.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.url == reverse("home")
    person.refresh_from_db()
    assert person.is_active
    assert client.get(reverse("home")).status_code == 200

    actions = list(person.changes.values_list("action", flat=True))
    assert actions == [PersonChange.Action.JOINED, PersonChange.Action.INVITED]
    invited = person.changes.get(action=PersonChange.Action.INVITED)
    assert invited.by == coordinator
    assert invited.changes["organisation"] == ["", "Fyns Politi"]


def test_an_invited_staff_member_sets_up_two_factor_through_the_same_link(
    client, invite
):
    bsh = Organisation.objects.get(name="BoligSocialt Hus")
    person, path = invite(role=Role.STAFF, organisation=bsh.pk)
    response = client.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    setup = reverse("two_factor_setup")
    assert response.url == setup
    assert client.get(reverse("home")).url.startswith(setup)
    client.get(setup)
    device = TOTPDevice.objects.get(user=person)
    done = client.post(setup, {"code": authenticator_code(device)})
    assert done.url.startswith(reverse("two_factor_backup_codes"))
    assert client.get(reverse("home")).status_code == 200


def test_an_invited_person_who_only_logs_in_with_the_password_cannot_set_up_an_app(
    client, invite
):
    """Someone who learned the new password (over a shoulder) but not the e-mail
    gets no further than the page asking for the link."""
    bsh = Organisation.objects.get(name="BoligSocialt Hus")
    person, path = invite(role=Role.STAFF, organisation=bsh.pk)
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    other = type(client)()
    other.post(
        reverse("login"), {"username": person.username, "password": NEW_PASSWORD}
    )
    assert other.get(reverse("two_factor_setup")).status_code == 403
    assert not TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def test_a_weak_password_is_refused_next_to_the_field_and_the_link_still_works(
    client, invite
):
    person, path = invite()
    response = client.post(path, {"new_password1": "mette", "new_password2": "mette"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert Invitation.objects.waiting().filter(person=person).exists()
    person.refresh_from_db()
    assert not person.is_active


def test_a_link_works_once(client, invite):
    person, path = invite()
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    client.post(path, data)
    client.logout()
    again = client.post(path, data)
    assert again.status_code == 410
    assert "allerede brugt" in again.content.decode()


def test_a_link_expires_after_72_hours(client, invite):
    person, path = invite()
    with time_machine.travel(timezone.now() + timedelta(hours=72, seconds=1)):
        response = client.get(path)
    assert response.status_code == 410
    assert "udløbet" in response.content.decode()


def test_an_unknown_link_is_not_found(client, db):
    assert client.get(reverse("invitation_accept", args=["nope"])).status_code == 404


def test_inviting_an_email_already_in_the_portal_is_refused_and_keeps_the_input(
    client, coordinator, staff
):
    client.force_login(coordinator)
    response = client.post(INVITE, an_invitation(email="STAFF@example.org"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Der er allerede en person med denne e-mail i portalen."
    ]
    assert 'value="Politibetjent"' in response.content.decode()
    assert User.objects.filter(email__iexact="staff@example.org").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"areas": []}, "areas"),  # a partner sees only their areas
        ({"organisation": ""}, "organisation"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_an_invitation_with_a_mistake_is_refused_next_to_the_field(
    client, coordinator, changes, field, mailoutbox
):
    client.force_login(coordinator)
    response = client.post(INVITE, an_invitation(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == 1
    assert not mailoutbox


def test_a_partner_cannot_belong_to_boligsocialt_hus_nor_staff_to_the_police(
    client, coordinator
):
    client.force_login(coordinator)
    bsh = Organisation.objects.get(name="BoligSocialt Hus")
    response = client.post(INVITE, an_invitation(organisation=bsh.pk))
    assert "organisation" in response.context["form"].errors
    response = client.post(INVITE, an_invitation(role=Role.STAFF))
    assert "organisation" in response.context["form"].errors


def test_a_coordinator_cannot_invite_an_admin_but_the_admin_can(
    client, coordinator, admin_user, mailoutbox
):
    client.force_login(coordinator)
    response = client.post(INVITE, an_invitation(role=Role.ADMIN, organisation=""))
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(role=Role.ADMIN).exclude(pk=admin_user.pk).exists()
    client.force_login(admin_user)
    response = client.post(INVITE, an_invitation(role=Role.ADMIN, organisation=""))
    assert response.status_code == 302
    assert User.objects.get(email="mette.p@politi.example.dk").role == Role.ADMIN


def test_resending_an_invitation_makes_the_old_link_stop_working(
    client, invite, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    person, old = invite()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("person_invitation_resend", args=[person.pk]))
    new = invitation_path(mailoutbox[-1])
    client.logout()
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_a_revoked_invitation_no_longer_works(client, invite, coordinator):
    person, path = invite()
    client.force_login(coordinator)
    client.post(reverse("person_invitation_revoke", args=[person.pk]))
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "trukket tilbage" in response.content.decode()
    assert person.changes.filter(action=PersonChange.Action.INVITATION_REVOKED)


# --- Changing -------------------------------------------------------------------------


def test_a_change_of_role_and_areas_is_recorded_and_shown_on_the_persons_page(
    client, coordinator, partner
):
    client.force_login(coordinator)
    vollsmose = Area.objects.get(slug="vollsmose")
    response = client.post(edit(partner), edit_data(partner, areas=[vollsmose.pk]))
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == detail(partner)
    partner.refresh_from_db()
    assert [a.slug for a in partner.areas.all()] == ["vollsmose"]
    change = partner.changes.get()
    assert change.by == coordinator
    assert change.changes == {"areas": ["Rising", "Vollsmose"]}
    page = client.get(detail(partner)).content.decode()
    assert "<del>Rising</del> → Vollsmose" in page


def test_a_partner_made_staff_gets_a_link_to_set_up_two_factor(
    client,
    coordinator,
    partner,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(coordinator)
    bsh = Organisation.objects.get(name="BoligSocialt Hus")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            edit(partner), edit_data(partner, role=Role.STAFF, organisation=bsh.pk)
        )
    partner.refresh_from_db()
    assert partner.role == Role.STAFF
    (mail,) = mailoutbox
    assert mail.to == [partner.email]
    assert "/account/invitation/" in mail.body
    assert Invitation.objects.waiting().get(person=partner).kind == "app"


def test_a_colleagues_save_in_between_is_not_overwritten(client, coordinator, partner):
    client.force_login(coordinator)
    shown = edit_data(partner, first_name="Ny")
    User.objects.filter(pk=partner.pk).update(version=partner.version + 1)
    response = client.post(edit(partner), shown)
    assert response.status_code == 200
    assert "En anden har gemt ændringer" in response.content.decode()
    partner.refresh_from_db()
    assert partner.first_name == "Partner"
    assert not partner.changes.exists()


def test_a_coordinator_cannot_make_themselves_or_anyone_an_admin(
    client, coordinator, staff
):
    client.force_login(coordinator)
    client.post(edit(coordinator), edit_data(coordinator, role=Role.ADMIN))
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR
    response = client.post(edit(staff), edit_data(staff, role=Role.ADMIN))
    assert "role" in response.context["form"].errors
    staff.refresh_from_db()
    assert staff.role == Role.STAFF


def test_nobody_changes_their_own_role(client, coordinator):
    client.force_login(coordinator)
    client.post(edit(coordinator), edit_data(coordinator, role=Role.STAFF))
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR


def test_a_coordinator_leaves_the_admins_account_alone(client, coordinator, admin_user):
    client.force_login(coordinator)
    assert client.get(detail(admin_user)).status_code == 200
    assert client.get(edit(admin_user)).status_code == 403
    deactivate = reverse("person_deactivate", args=[admin_user.pk])
    assert client.post(deactivate, {"version": admin_user.version}).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_an_unknown_person_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("person_detail", args=[999999])).status_code == 404


# --- Deactivating ---------------------------------------------------------------------


def test_deactivating_ends_every_session_at_once_and_blocks_the_login(
    client, coordinator, staff
):
    phone, laptop = type(client)(), type(client)()
    phone.force_login(staff)
    laptop.force_login(staff)
    assert phone.get(reverse("home")).status_code == 200

    client.force_login(coordinator)
    url = reverse("person_deactivate", args=[staff.pk])
    assert "Deaktivér" in client.get(url).content.decode()
    assert client.post(url, {"version": staff.version}).url == detail(staff)

    staff.refresh_from_db()
    assert not staff.is_active
    for device in (phone, laptop):
        assert device.get(reverse("home")).url.startswith(reverse("login"))
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(staff.pk)
        for s in Session.objects.all()
    )
    assert not can_log_in("staff", PASSWORD)
    assert staff.changes.get().action == PersonChange.Action.DEACTIVATED


def test_a_deactivated_persons_records_keep_their_name(client, coordinator, staff):
    from safety.models import Walk

    walk = Walk.objects.create(
        area=Area.objects.get(slug="rising"),
        starts_at=timezone.now(),
        created_by=staff,
    )
    client.force_login(coordinator)
    url = reverse("person_deactivate", args=[staff.pk])
    client.post(url, {"version": staff.version})
    walk.refresh_from_db()
    assert walk.created_by == staff


def test_reactivating_lets_the_person_in_again_but_no_old_session(
    client, coordinator, staff
):
    old = type(client)()
    old.force_login(staff)
    client.force_login(coordinator)
    client.post(
        reverse("person_deactivate", args=[staff.pk]), {"version": staff.version}
    )
    staff.refresh_from_db()
    response = client.post(
        reverse("person_reactivate", args=[staff.pk]), {"version": staff.version}
    )
    assert response.url == detail(staff)
    staff.refresh_from_db()
    assert staff.is_active
    assert old.get(reverse("home")).url.startswith(reverse("login"))
    assert can_log_in("staff", PASSWORD)
    assert [c.action for c in staff.changes.all()] == [
        PersonChange.Action.REACTIVATED,
        PersonChange.Action.DEACTIVATED,
    ]


def test_a_stale_deactivation_changes_nothing(client, coordinator, staff):
    client.force_login(coordinator)
    url = reverse("person_deactivate", args=[staff.pk])
    response = client.post(url, {"version": staff.version - 1}, follow=True)
    assert "En anden har ændret det" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_no_one_deactivates_themselves(client, coordinator):
    client.force_login(coordinator)
    url = reverse("person_deactivate", args=[coordinator.pk])
    response = client.post(url, {"version": coordinator.version}, follow=True)
    assert "Du kan ikke deaktivere dig selv." in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.is_active


# --- A lost phone ---------------------------------------------------------------------


def test_resetting_two_factor_deletes_the_app_and_mails_a_new_link(
    client, coordinator, staff, mailoutbox, django_capture_on_commit_callbacks
):
    phone = type(client)()
    phone.force_login(staff)
    client.force_login(coordinator)
    url = reverse("person_reset_app", args=[staff.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"version": staff.version})
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert phone.get(reverse("home")).url.startswith(reverse("login"))
    (mail,) = mailoutbox
    path = invitation_path(mail)
    actions = [c.action for c in staff.changes.all()]
    assert actions == [PersonChange.Action.APP_LINK_SENT, PersonChange.Action.APP_RESET]

    # The person logs in with their password and sets up the new phone by the link.
    staff_client = type(client)()
    staff_client.post(reverse("login"), {"username": "staff", "password": PASSWORD})
    assert staff_client.post(path).url == reverse("two_factor_setup")
    staff_client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff)
    staff_client.post(reverse("two_factor_setup"), {"code": authenticator_code(device)})
    assert staff_client.get(reverse("home")).status_code == 200


# --- The first administrator ----------------------------------------------------------


def test_the_operator_prints_a_link_for_the_first_administrator(client, db):
    from io import StringIO

    from django.core.management import call_command

    root = User.objects.create_superuser("root", "", PASSWORD)
    out = StringIO()
    call_command("two_factor_link", "root", stdout=out)
    path = re.search(r"(/account/invitation/\S+/)", out.getvalue())[1]
    client.post(reverse("login"), {"username": "root", "password": PASSWORD})
    assert client.post(path).url == reverse("two_factor_setup")
    assert client.get(reverse("two_factor_setup")).status_code == 200
    assert root.changes.get().action == PersonChange.Action.APP_LINK_SENT


def test_the_operator_gets_no_link_for_an_unknown_person(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("two_factor_link", "nobody")


# --- The e-mail that opens the account ----------------------------------------------


def test_a_coordinator_cannot_move_a_joined_persons_email(client, coordinator, staff):
    """Else a coordinator could move it to an address of theirs, reset the
    password and set up their own phone: the person's cases would be theirs."""
    client.force_login(coordinator)
    form = client.get(edit(staff)).context["form"]
    assert form.fields["email"].disabled
    client.post(edit(staff), edit_data(staff, email="mine@example.org"))
    staff.refresh_from_db()
    assert staff.email == "staff@example.org"


def test_the_admin_moves_a_joined_persons_email_and_the_old_address_is_told(
    client, admin_user, staff, mailoutbox, django_capture_on_commit_callbacks
):
    staff.username = staff.email
    staff.save()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit(staff), edit_data(staff, email="ny@example.org"))
    staff.refresh_from_db()
    assert (staff.email, staff.username) == ("ny@example.org", "ny@example.org")
    (mail,) = mailoutbox
    assert mail.to == ["staff@example.org"]
    assert "ny@example.org" in mail.body


def test_correcting_an_invited_persons_email_sends_the_link_there_instead(
    client, invite, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    person, old_link = invite()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit(person), edit_data(person, email="mette@politi.example.dk")
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.username == "mette@politi.example.dk"
    assert mailoutbox[-1].to == ["mette@politi.example.dk"]
    new_link = invitation_path(mailoutbox[-1])
    client.logout()
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200


def test_a_deactivated_invitee_gets_no_new_link_until_reactivated(
    client, invite, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    person, _link = invite()
    client.force_login(coordinator)
    client.post(
        reverse("person_deactivate", args=[person.pk]), {"version": person.version}
    )
    page = client.get(detail(person))
    assert "Deaktiveret" in page.content.decode()
    sent = len(mailoutbox)
    response = client.post(
        reverse("person_invitation_resend", args=[person.pk]), follow=True
    )
    assert "Genaktivér personen først." in response.content.decode()
    assert len(mailoutbox) == sent

    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("person_reactivate", args=[person.pk]),
            {"version": person.version},
        )
    person.refresh_from_db()
    assert not person.is_active  # the link opens the account, as at first
    assert len(mailoutbox) == sent + 1
    assert "Inviteret" in client.get(detail(person)).content.decode()
