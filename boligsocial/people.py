"""People and their access, as coordinators and the admin role keep them in the
portal: invite, change, deactivate, reactivate, and the links that let a person
choose a password and set up two-factor. Every change is a PersonChange.

A person's own e-mail is the proof that the person is who the account is for: an
account gets its password through an invitation link, and an authenticator app
only through such a link (`Invitation`), never after a bare password login.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Invitation, PersonChange, User

# What a change records of a person, and how each reads.
TRACKED = ("first_name", "last_name", "email", "role", "organisation", "areas")


def snapshot(person: User) -> dict[str, str]:
    """The tracked fields as they read now (names, not ids)."""
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "organisation": str(person.organisation or ""),
        "areas": ", ".join(sorted(a.name for a in person.areas.all())),
    }


def differences(before: dict, after: dict) -> dict[str, list[str]]:
    return {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}


def record(person: User, by: User | None, action: str, changes=None) -> PersonChange:
    return PersonChange.objects.create(
        person=person, by=by, action=action, changes=changes or {}
    )


# --- Links by e-mail -----------------------------------------------------------------


def send_link(request, person: User, *, kind: str, by: User | None) -> Invitation:
    """Make a new link for the person (their earlier one of the kind stops
    working) and mail it once the transaction commits."""
    invitation, token = Invitation.issue(person, kind=kind, by=by)
    url = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
    # The person reads the mail in the portal's language, not the sender's.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "person": person,
            "url": url,
            "kind": kind,
            "invitation": invitation,
            "by": by,
            "needs_app": person.needs_two_factor,
        }
        subject = (
            _("Invitation til BoligSocialt Hus' portal")
            if kind == Invitation.Kind.JOIN
            else _("Sæt totrinsbekræftelse op i BoligSocialt Hus' portal")
        )
        body = render_to_string("boligsocial/mail/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    )
    return invitation


@transaction.atomic
def invite(request, person: User, areas) -> User:
    """A new account, inactive and without a password until the person uses the
    link; the invitation mailed to them."""
    by = request.user
    person.username = person.email
    person.set_unusable_password()
    person.is_active = False
    person.save()
    person.areas.set(areas)
    after = snapshot(person)
    record(person, by, PersonChange.Action.INVITED, differences(_empty(), after))
    send_link(request, person, kind=Invitation.Kind.JOIN, by=by)
    return person


def _empty() -> dict[str, str]:
    return dict.fromkeys(TRACKED, "")


@transaction.atomic
def resend_invitation(request, person: User) -> Invitation:
    kind = Invitation.Kind.APP if person.has_usable_password() else Invitation.Kind.JOIN
    invitation = send_link(request, person, kind=kind, by=request.user)
    record(person, request.user, PersonChange.Action.INVITATION_RESENT)
    return invitation


@transaction.atomic
def revoke_invitations(person: User, by: User) -> int:
    revoked = (
        Invitation.objects.waiting()
        .filter(person=person)
        .update(revoked_at=timezone.now())
    )
    if revoked:
        record(person, by, PersonChange.Action.INVITATION_REVOKED)
    return revoked


@transaction.atomic
def accept_invitation(invitation: Invitation, password: str) -> User | None:
    """The person chose their password: the link is spent and the account opens,
    both or neither; None when the link was spent meanwhile (a second tab)."""
    if not invitation.use():
        return None
    person = invitation.person
    person.set_password(password)
    person.is_active = True
    person.save(update_fields=["password", "is_active"])
    record(person, person, PersonChange.Action.JOINED)
    return person


# --- Changes -------------------------------------------------------------------------


@transaction.atomic
def save_changes(request, form, before: dict) -> User:
    """The person form's changes, guarded by the person's version, recorded; a
    role that now needs two-factor gets its link if there is no app yet."""
    person = form.save()
    changes = differences(before, snapshot(person))
    if changes:
        record(person, request.user, PersonChange.Action.CHANGED, changes)
        if "email" in changes:
            _email_changed(request, person, old=before["email"])
        if "role" in changes and needs_app_link(person):
            send_link(request, person, kind=Invitation.Kind.APP, by=request.user)
            record(person, request.user, PersonChange.Action.APP_LINK_SENT)
    return person


def _email_changed(request, person: User, *, old: str) -> None:
    """The e-mail is the user name too. An invitation waiting at the old address
    stops working and a new one goes to the new; a person who has joined is told
    at the old address (only the admin role changes their e-mail)."""
    if person.username.casefold() == old.casefold():
        User.objects.filter(pk=person.pk).update(username=person.email)
        person.username = person.email
    waiting = Invitation.objects.waiting().filter(person=person, kind="join")
    if waiting.exists():
        send_link(request, person, kind=Invitation.Kind.JOIN, by=request.user)
        record(person, request.user, PersonChange.Action.INVITATION_RESENT)
    if person.has_usable_password() and old:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Din e-mail i BoligSocialt Hus' portal er ændret")
            body = render_to_string(
                "boligsocial/mail/email_changed.txt",
                {"person": person, "old": old, "by": request.user},
            )
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [old])
        )


def needs_app_link(person: User) -> bool:
    return (
        person.is_active
        and person.needs_two_factor
        and not TOTPDevice.objects.devices_for_user(person, confirmed=True).exists()
    )


@transaction.atomic
def deactivate(person: User, by: User, *, version: int) -> None:
    """The person can no longer log in, every session of theirs ends now, and no
    link of theirs works; what they registered keeps their name."""
    person.claim(version, is_active=False)
    person.is_active = False
    Invitation.objects.waiting().filter(person=person).update(revoked_at=timezone.now())
    end_sessions(person)
    record(person, by, PersonChange.Action.DEACTIVATED)


@transaction.atomic
def reactivate(request, person: User, *, version: int) -> None:
    """The person may log in again with their password (sessions from before the
    deactivation are gone); one who never chose a password gets a new link, and
    opens the account by it."""
    joined = person.has_usable_password()
    person.claim(version, is_active=joined)
    person.is_active = joined
    record(person, request.user, PersonChange.Action.REACTIVATED)
    if not person.has_usable_password():
        send_link(request, person, kind=Invitation.Kind.JOIN, by=request.user)
        record(person, request.user, PersonChange.Action.INVITATION_RESENT)
    elif needs_app_link(person):
        send_link(request, person, kind=Invitation.Kind.APP, by=request.user)
        record(person, request.user, PersonChange.Action.APP_LINK_SENT)


def end_sessions(person: User) -> int:
    """Delete every session signed in as the person. Django keeps no index from
    person to session, so the live sessions are read (a few hundred at most: they
    end after 30 idle minutes)."""
    mine = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(person.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


@transaction.atomic
def reset_app(request, person: User) -> None:
    """A lost phone: the person's app and backup codes are deleted, their
    sessions end, and a link to set up a new app is mailed to them."""
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    end_sessions(person)
    record(person, request.user, PersonChange.Action.APP_RESET)
    if person.is_active and person.needs_two_factor:
        send_link(request, person, kind=Invitation.Kind.APP, by=request.user)
        record(person, request.user, PersonChange.Action.APP_LINK_SENT)


# A person who asks for a new link to set up two-factor gets at most one this often.
OWN_LINK_INTERVAL_MINUTES = 10


@transaction.atomic
def send_own_app_link(request) -> bool:
    """The person at the setup page, without an app, asks for a link to their
    e-mail; False when one was sent within the last minutes."""
    person = request.user
    since = timezone.now() - timedelta(minutes=OWN_LINK_INTERVAL_MINUTES)
    recent = Invitation.objects.waiting().filter(
        person=person, kind=Invitation.Kind.APP, created_at__gt=since
    )
    if recent.exists():
        return False
    send_link(request, person, kind=Invitation.Kind.APP, by=person)
    record(person, person, PersonChange.Action.APP_LINK_SENT)
    return True
