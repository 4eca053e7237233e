"""Deployment checks that need the database: `manage.py check --deploy --database
default` runs them (the deployment README says when)."""

from django.core.checks import Error, Tags, register

# Account names that attackers try first, and that nobody should log in with.
DEFAULT_ACCOUNT_NAMES = ("admin", "administrator", "root", "test", "demo", "guest")
# The domain of the demo logins' e-mail addresses (demo_data gives them; the check
# below and remove_demo_data find them by it).
DEMO_EMAIL_DOMAIN = "demo.boligsocialthus.invalid"


@register(Tags.security, Tags.database, deploy=True)
def no_default_accounts(app_configs, databases=None, **kwargs) -> list[Error]:
    """No active account under a default name, and no demo login, in production:
    every login belongs to one named person."""
    if not databases or "default" not in databases:
        return []
    from django.db.models import Q

    from .models import User

    found = (
        User.objects.filter(is_active=True)
        .filter(
            Q(username__in=DEFAULT_ACCOUNT_NAMES)
            | Q(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        )
        .order_by("username")
        .values_list("username", flat=True)
    )
    return [
        Error(
            f"The active account {username!r} has a default name or is a demo login.",
            hint="Give each person their own named account and deactivate this one.",
            id="boligsocial.E001",
        )
        for username in found
    ]
