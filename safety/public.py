"""What the residents' pages share (Nabohjælp's sign-up and withdrawal, and
"Meld et problem"): no login, so a limit on submissions per address, and mails
to residents in their language with BoligSocialt Hus' contact details."""

import uuid

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_ratelimit.core import is_ratelimited

from boligsocial.navigation import resident_contact

from .nabohjaelp.models import contact_hash

# Enough for a household signing up each of its grown-ups (or reporting what they
# saw on the way home), far too few for a flood.
RATE = "10/h"
# A mail address typed by someone else gets few of our mails a day.
MAILS_TO_AN_ADDRESS = "3/d"


def client_address(group: str, request) -> str:
    """The address django-axes locks out: the same proxy settings decide it."""
    return get_client_ip_address(request) or "unknown"


def over_rate(request, group: str) -> bool:
    """This POST, counted against RATE for the visitor's address in `group`."""
    return is_ratelimited(
        request,
        group=group,
        key=client_address,
        rate=RATE,
        method="POST",
        increment=True,
    )


def mail_resident(
    address: str,
    subject: str,
    template: str,
    context: dict,
    *,
    request=None,
    language: str | None = None,
) -> None:
    """A mail to a resident, sent once the transaction commits. Sent from a
    residents' page (`request`), it is in the page's language and counts against
    the address's share of the day (nothing is sent past it); sent by staff's
    work, in the resident's `language`, always."""
    if request is not None and is_ratelimited(
        request,
        group="resident-mail",
        key=lambda group, request: contact_hash(address),
        rate=MAILS_TO_AN_ADDRESS,
        increment=True,
    ):
        return
    with translation.override(language or translation.get_language()):
        subject = str(subject)
        body = render_to_string(template, {**context, "contact": resident_contact()})
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]),
        robust=True,
    )


def words(text: str) -> str:
    """Text as compared between two sendings of a form: its words, in any
    spacing and case."""
    return " ".join(text.split()).casefold()


def token_for(token, content: str) -> str:
    """The token for a form whose token made a row with other content: a page
    brought back with Back (on a shared tablet, for the next resident) carries
    the last form's token. The same content sent again gets the same token, so a
    double click still makes one row; other content another."""
    try:
        base = uuid.UUID(str(token))
    except ValueError:
        return ""
    return str(uuid.uuid5(base, words(content)))
