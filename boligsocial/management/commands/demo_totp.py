"""The current two-factor code of a demo login, to try the portal without a phone."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .demo_data import USERS, demo_totp_key_hex

DEMO_USERNAMES = [username for username, *_ in USERS]


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo login. Never in production."

    def add_arguments(self, parser):
        parser.add_argument("username", help=f"one of {', '.join(DEMO_USERNAMES)}")

    def handle(self, *args, username: str, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "demo_totp refuses to run with PORTAL_ENVIRONMENT=production."
            )
        if username not in DEMO_USERNAMES:
            raise CommandError(
                f"{username!r} is not a demo login: demo_totp only gives codes for "
                f"{', '.join(DEMO_USERNAMES)}."
            )
        # Only a device with the published demo key: a code from any other key
        # would give away a secret.
        device = TOTPDevice.objects.filter(
            user__username=username, confirmed=True, key=demo_totp_key_hex()
        ).first()
        if device is None:
            raise CommandError(
                f"{username} has no demo authenticator: it needs no two factors, "
                "or run manage.py demo_data first."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
