"""A link to set up two-factor, printed for the operator: for the first
administrator (made with createsuperuser, perhaps without an e-mail) or anyone
whose e-mail cannot be reached. Whoever runs manage.py on the server is trusted
with the portal already; the link works once and expires like an invitation."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from boligsocial import people
from boligsocial.models import Invitation, PersonChange, User


class Command(BaseCommand):
    help = "Print a single-use link with which a person sets up two-factor."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None:
            raise CommandError(f"No active person with the user name {username!r}.")
        invitation, token = Invitation.issue(person, kind=Invitation.Kind.APP, by=None)
        people.record(person, None, PersonChange.Action.APP_LINK_SENT)
        url = settings.PORTAL_URL.rstrip("/") + reverse(
            "invitation_accept", args=[token]
        )
        expires = invitation.expires_at.isoformat(timespec="minutes")
        self.stdout.write(f"{url}\n(works once, until {expires})")
