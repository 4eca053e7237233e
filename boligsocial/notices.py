"""The one path by which the portal tells a person of something: a row in their
list under the bell, and an e-mail at once or in the morning's digest, as they
chose for its kind. The apps call notify(); nothing else sends a person mail
about their work (the beredskab's contact lists are mailed as its own channel).
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .celery import enqueue
from .models import (
    DEFAULT_DELIVERY,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
)

log = logging.getLogger(__name__)


def deliveries(user: User) -> dict[str, str]:
    """How the person wants each kind: their choice, else the default."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user).values_list("kind", "delivery")
    )
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind}


def may_open(user: User, about: Model | None) -> bool:
    """Whether the object is one the person may open, by its model's own rule."""
    if about is None:
        return True
    objects = type(about)._default_manager
    if not hasattr(objects, "visible_to"):
        return True  # reports and imports: told only to the people who made them
    return objects.visible_to(user).filter(pk=about.pk).exists()


@transaction.atomic
def notify(
    kind: str,
    *,
    about: Model | None,
    users,
    text: str = "",
    url: str = "",
    queue: bool = True,
) -> list[Notification]:
    """Tell each active person of `about` (None: of what `text` and `url` say),
    unless they could not open it: a partner is never told the title of what it
    may not see. The e-mails at once are queued when the transaction commits;
    `queue=False` (in a worker already) sends them here."""
    text = " ".join((text or str(about)).split())[:300]
    url = url or about.get_absolute_url()
    people = {u.pk: u for u in users if u is not None and u.is_active}
    chosen = dict(
        NotificationPreference.objects.filter(user__in=people, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    made = []
    for user in people.values():
        if not may_open(user, about):
            continue
        delivery = chosen.get(user.pk, DEFAULT_DELIVERY[kind])
        made.append(
            Notification.objects.create(
                user=user, kind=kind, text=text, url=url, delivery=delivery
            )
        )
    for notification in made:
        if notification.delivery != Delivery.NOW or not notification.user.email:
            continue
        if not queue:
            send_now(notification.pk)
        else:
            transaction.on_commit(
                lambda pk=notification.pk: enqueue(
                    "boligsocial.tasks.send_notification_mail", pk
                ),
                robust=True,
            )
    return made


def link(url: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + url


def _claim(notifications) -> list[int]:
    """Mark the notifications mailed, in one UPDATE, before the mail goes out: a
    try run twice (a retry, a second worker) finds nothing left to send. A mail
    server that fails loses that mail, which is still in the portal's list."""
    now = timezone.now()
    ids = [n.pk for n in notifications]
    with transaction.atomic():
        free = list(
            Notification.objects.filter(pk__in=ids, mailed_at__isnull=True)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=free).update(mailed_at=now)
    return free


def send_now(notification_id: int) -> int:
    """The e-mail of one notification the person wants at once."""
    notification = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, delivery=Delivery.NOW)
        .first()
    )
    if notification is None or not notification.user.email:
        return 0
    if not _claim([notification]):
        return 0
    with translation.override("da"):
        subject = f"{notification.get_kind_display()}: {notification.text}"
        body = render_to_string(
            "boligsocial/mail/notification.txt",
            {"notifications": [notification], "link": link(notification.url)},
        )
    return send_mail(subject[:200], body, None, [notification.user.email])


def send_digests() -> int:
    """Each person's notifications waiting for the daily digest, in one e-mail."""
    waiting = defaultdict(list)
    for notification in (
        Notification.objects.waiting_for_digest()
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user", "created_at")
    ):
        waiting[notification.user].append(notification)
    sent = 0
    for user, notifications in waiting.items():
        claimed = set(_claim(notifications))
        mine = [n for n in notifications if n.pk in claimed]
        if not mine:
            continue
        with translation.override("da"):
            subject = _("Dagens oversigt fra portalen: %(count)s nye") % {
                "count": len(mine)
            }
            body = render_to_string(
                "boligsocial/mail/notification_digest.txt",
                {"notifications": [(n, link(n.url)) for n in mine]},
            )
        sent += send_mail(subject, body, None, [user.email])
    return sent
