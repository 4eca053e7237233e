"""Beredskab: local incidents, their timeline, the partners told of them and the
contact lists the beredskabsplan draws on; and the crime-prevention network's
meetings with the follow-up tasks its members took on.

An incident's partners are told by e-mail in the background. Each organisation
told is one IncidentNotification row, saved with the incident, so a mail server
or broker that is down never loses one: the row waits as pending and is tried
again (safety.tasks) until it is sent or has failed for good, and a person can
retry a failed one. A partner organisation that was told sees the incident's
timeline for the areas it is granted.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from boligsocial import journal
from boligsocial.editing import SubmittedOnce, Versioned
from boligsocial.lists import how_many
from boligsocial.models import Area, Notification, Organisation, person_who

# --- Contact lists -----------------------------------------------------------------


class ContactQuerySet(models.QuerySet):
    def for_area(self, area_id: int) -> "ContactQuerySet":
        """The contacts who cover the area: those of it, and those of every area."""
        return self.filter(Q(area_id=area_id) | Q(area__isnull=True))

    def with_email(self) -> "ContactQuerySet":
        return self.exclude(email="")

    def not_updated_since(self, moment: datetime.datetime) -> "ContactQuerySet":
        """Contacts nobody has saved (made, edited or saved unchanged to say they
        still hold) since `moment`."""
        return self.filter(updated_at__lt=moment)

    def for_list(self) -> "ContactQuerySet":
        # The contacts for every area first, on every database.
        return self.select_related("organisation", "area", "stand_in").order_by(
            "organisation__name",
            models.F("area__name").asc(nulls_first=True),
            "rank",
            "name",
        )


class Contact(Versioned, SubmittedOnce):
    """Who to call at a partner organisation when something happens in an area,
    and who stands in for them. An empty area means every area."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("boligområde"),
        help_text=_("Tomt: kontakten dækker alle områder."),
    )
    name = models.CharField(_("navn"), max_length=150)
    role = models.CharField(
        _("rolle"),
        max_length=150,
        help_text=_("Fx vagthavende, områdebetjent, driftschef, pressekontakt."),
    )
    phone = PhoneNumberField(_("telefon"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    stand_in = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stands_in_for",
        verbose_name=_("stedfortræder"),
        help_text=_("Hvem der træder til, når kontakten ikke kan nås."),
    )
    rank = models.PositiveSmallIntegerField(
        _("rækkefølge"), default=1, help_text=_("1 ringes op først.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("opdateret"), auto_now=True)
    is_demo = models.BooleanField(_("demodata"), default=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "rank", "name"]
        verbose_name = _("beredskabskontakt")
        verbose_name_plural = _("beredskabskontakter")
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""),
                name="contact_has_phone_or_email",
            ),
            models.CheckConstraint(
                condition=~Q(stand_in=models.F("pk")),
                name="contact_not_own_stand_in",
            ),
        ]

    def __str__(self) -> str:
        return _("%(name)s (%(organisation)s)") % {
            "name": self.name,
            "organisation": self.organisation,
        }

    def clean(self) -> None:
        errors = {}
        if not self.phone and not self.email:
            errors["phone"] = _("Skriv et telefonnummer eller en e-mailadresse.")
        if self.stand_in_id:
            if self.pk and self.stand_in_id == self.pk:
                errors["stand_in"] = _("En kontakt kan ikke stå i for sig selv.")
            elif self.organisation_id and (
                self.stand_in.organisation_id != self.organisation_id
            ):
                errors["stand_in"] = _(
                    "Stedfortræderen skal være fra samme organisation."
                )
        if errors:
            raise ValidationError(errors)

    def erase(self) -> None:
        """Delete the contact (a person at a partner), journalled so that a backup
        restored later does not bring them back. Those they stood in for are left
        without a stand-in."""
        journal.record(self, journal.DELETE)
        self.delete()


# --- Incidents ---------------------------------------------------------------------


class Severity(models.IntegerChoices):
    MINOR = 1, _("Mindre")
    SERIOUS = 2, _("Alvorlig")
    CRITICAL = 3, _("Meget alvorlig")


class IncidentKind(models.TextChoices):
    VIOLENCE = "violence", _("Vold eller trusler")
    UNREST = "unrest", _("Uro")
    FIRE = "fire", _("Brand")
    DEATH = "death", _("Dødsfald")
    VANDALISM = "vandalism", _("Hærværk")
    OTHER = "other", _("Andet")


class ReportedBy(models.TextChoices):
    """Who told us, by kind, never by name: a resident who reports stays unnamed."""

    RESIDENT = "resident", _("En beboer")
    STAFF = "staff", _("En medarbejder i BoligSocialt Hus")
    POLICE = "police", _("Politiet")
    HOUSING = "housing", _("Boligorganisationen")
    MUNICIPALITY = "municipality", _("Kommunen")
    INSTITUTION = "institution", _("En skole eller institution")
    MEDIA = "media", _("Presse eller sociale medier")
    OTHER = "other", _("Andre")


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IncidentQuerySet":
        """Staff, tryghedsrådgivere and coordinators see every incident; a partner
        every one its organisation was told of, wherever it happened."""
        if not (user.is_authenticated and user.can_see_incidents):
            return self.none()
        if user.is_partner:
            told = IncidentNotification.objects.filter(
                incident=OuterRef("pk"), organisation_id=user.organisation_id
            )
            return self.filter(Exists(told))
        return self

    def open(self) -> "IncidentQuerySet":
        return self.filter(status=Incident.Status.OPEN)

    def due_for_anonymising(self, before: datetime.datetime) -> "IncidentQuerySet":
        """Incidents closed before `before` that still hold their texts. An open
        one is still being handled, however old, and keeps them."""
        return self.filter(
            status=Incident.Status.CLOSED,
            closed_at__lt=before,
            anonymised_at__isnull=True,
        )

    def for_list(self) -> "IncidentQuerySet":
        """The list's rows: area, and how many of their notifications are sent,
        waiting and failed (counted for the page's rows only)."""
        told = IncidentNotification.objects.filter(incident=OuterRef("pk"))
        status = IncidentNotification.Status
        return (
            self.select_related("area")
            .annotate(
                notifications_sent=how_many(told.filter(status=status.SENT)),
                notifications_pending=how_many(told.filter(status=status.PENDING)),
                notifications_failed=how_many(told.filter(status=status.FAILED)),
            )
            .order_by("-occurred_at", "-pk")
        )


class Incident(Versioned, SubmittedOnce):
    """Something that happened in an area that partners must know of at once."""

    Severity = Severity
    Kind = IncidentKind
    ReportedBy = ReportedBy

    class Status(models.TextChoices):
        OPEN = "open", _("Åben")
        CLOSED = "closed", _("Afsluttet")

    title = models.CharField(_("overskrift"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=IncidentKind.choices)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("boligområde"),
    )
    place = models.CharField(
        _("sted"),
        max_length=200,
        help_text=_("Fx legepladsen ved Rising Allé eller opgang 12."),
    )
    occurred_at = models.DateTimeField(_("tidspunkt"))
    severity = models.PositiveSmallIntegerField(
        _("alvorlighed"), choices=Severity.choices
    )
    reported_by = models.CharField(
        _("anmeldt af"), max_length=20, choices=ReportedBy.choices
    )
    description = models.TextField(
        _("hvad skete der"),
        help_text=_(
            "Partnerne læser teksten: skriv ikke beboeres navne, CPR-numre eller "
            "telefonnumre."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    evaluation = models.TextField(_("evaluering"), blank=True)
    closed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    closed_by = person_who(_("afsluttet af"))
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = person_who(_("oprettet af"))
    is_demo = models.BooleanField(_("demodata"), default=False)
    anonymised_at = models.DateTimeField(_("anonymiseret"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("hændelse")
        verbose_name_plural = _("hændelser")
        indexes = [
            models.Index(fields=["area", "occurred_at"]),
            models.Index(fields=["-occurred_at", "-id"], name="incident_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="incident_severity"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=IncidentKind.values), name="incident_kind"
            ),
            models.CheckConstraint(
                condition=Q(reported_by__in=ReportedBy.values),
                name="incident_reported_by",
            ),
            # A closed incident has its time and its evaluation (until anonymised);
            # an open one neither.
            models.CheckConstraint(
                condition=(
                    Q(status="open", closed_at__isnull=True)
                    | (
                        Q(status="closed", closed_at__isnull=False)
                        & (~Q(evaluation="") | Q(anonymised_at__isnull=False))
                    )
                ),
                name="incident_closed_with_evaluation",
            ),
            # Anonymised: closed, and none of its texts left.
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True)
                | Q(status="closed", place="", description="", evaluation=""),
                name="incident_anonymised_is_anonymous",
            ),
        ]

    def __str__(self) -> str:
        return _("%(title)s (%(area)s, %(date)s)") % {
            "title": self.title,
            "area": self.area,
            "date": timezone.localtime(self.occurred_at).strftime("%d.%m.%Y"),
        }

    def get_absolute_url(self) -> str:
        return reverse("safety:incident_detail", args=[self.pk])

    def clean(self) -> None:
        # A few minutes' grace for a clock that runs ahead of the server's.
        if self.occurred_at and self.occurred_at > timezone.now() + datetime.timedelta(
            minutes=10
        ):
            raise ValidationError(
                {"occurred_at": _("Tidspunktet ligger ude i fremtiden.")}
            )

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def close(self, *, by, evaluation: str) -> None:
        """Close the incident with a short evaluation of how it was handled."""
        if not evaluation.strip():
            raise ValidationError({"evaluation": _("Skriv en kort evaluering.")})
        self.status = self.Status.CLOSED
        self.evaluation = evaluation.strip()
        self.closed_at = timezone.now()
        self.closed_by = by
        self.save(update_fields=["status", "evaluation", "closed_at", "closed_by"])

    def reopen(self) -> None:
        """Open it again; the evaluation stays, to be revised when it closes."""
        if self.anonymised_at:
            raise ValidationError(_("En anonymiseret hændelse kan ikke genåbnes."))
        self.status = self.Status.OPEN
        self.closed_at = None
        self.closed_by = None
        self.save(update_fields=["status", "closed_at", "closed_by"])

    @transaction.atomic
    def anonymise(self) -> None:
        """Erase what could point to a person; keep what the figures count.

        Gone: the title (the kind stands in its place), the place, the
        description and the evaluation; on the timeline each entry's text, who
        did it and who approved a press text; the addresses each notification
        went to and its last error (both name contact people), and the title in
        the partners' notifications under the bell. Kept: the area, kind,
        severity, who reported it by kind, the times, the notifications' status
        and times (the figures' minutes to the first partner told), the
        timeline's kinds, channels and audiences, and which colleagues opened,
        closed and wrote (their work, not the residents').
        """
        with translation.override("da"):
            title = str(self.get_kind_display())
        self.title, self.place, self.description, self.evaluation = title, "", "", ""
        self.anonymised_at = timezone.now()
        # A new version: a form opened before cannot write the texts back.
        self.version = models.F("version") + 1
        self.save(
            update_fields=[
                "title",
                "place",
                "description",
                "evaluation",
                "anonymised_at",
                "version",
            ]
        )
        self.refresh_from_db(fields=["version"])
        self.entries.update(text="", actor="", approved_by="")
        self.notifications.update(recipients="", last_error="")
        Notification.objects.filter(
            kind=Notification.Kind.INCIDENT_TOLD, url=self.get_absolute_url()
        ).update(text=f"{title} ({self.area})")


# --- Notifications of partners -----------------------------------------------------


class NotificationQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime) -> "NotificationQuerySet":
        """Pending notifications whose next try has come (the sweeper's work);
        not one whose try is under way."""
        return self.filter(
            status=IncidentNotification.Status.PENDING,
            next_attempt_at__lte=now,
            claimed_at__isnull=True,
        )

    def lost_tries(self, now: datetime.datetime) -> "NotificationQuerySet":
        """Pending notifications whose try began long ago and never ended."""
        return self.filter(
            status=IncidentNotification.Status.PENDING,
            claimed_at__lt=now - IncidentNotification.TRY_LOST_AFTER,
        )


class IncidentNotification(models.Model):
    """One partner organisation told of one incident by e-mail, and how it went."""

    # Tries before a notification is marked failed; the waits between them grow
    # from 1 to 32 minutes, so a mail server down for up to an hour is ridden out.
    MAX_ATTEMPTS = 7
    # The first try is queued when the incident is saved; the sweeper only takes a
    # notification this long after, so the two do not race for it.
    FIRST_GRACE = datetime.timedelta(minutes=2)
    # A try begun this long ago that has not ended never will (its worker died, or
    # the database was away when it came to record the result). Longer than a task
    # may run (CELERY_TASK_TIME_LIMIT, 6 minutes), so a try still going is never
    # taken for a lost one.
    TRY_LOST_AFTER = datetime.timedelta(minutes=10)

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Fejlet")

    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("hændelse"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="incident_notifications",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), null=True, blank=True)
    last_error = models.CharField(_("seneste fejl"), max_length=500, blank=True)
    recipients = models.TextField(
        _("modtagere"), blank=True, help_text=_("Adresserne, e-mailen blev sendt til.")
    )
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    # Set when a try takes the notification and cleared when the try ends: while
    # it is set no other try may send, whatever happened to this one.
    claimed_at = models.DateTimeField(_("forsøg begyndt"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = person_who(_("oprettet af"))

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "organisation__name"]
        verbose_name = _("underretning")
        verbose_name_plural = _("underretninger")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organisation"],
                name="notification_once_per_organisation",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="sent", sent_at__isnull=False)
                    | Q(status__in=["pending", "failed"], sent_at__isnull=True)
                ),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return _("%(organisation)s om %(incident)s") % {
            "organisation": self.organisation,
            "incident": self.incident,
        }

    @staticmethod
    def wait_after(attempts: int) -> datetime.timedelta:
        """The pause before the next try: 1, 2, 4, ... minutes."""
        return datetime.timedelta(minutes=2 ** max(attempts - 1, 0))

    def claim(self) -> bool:
        """Take a pending notification for one try, in one UPDATE; True for the
        one try that got it.

        The claim is committed before the mail goes out and stays until the try
        records how it went, so a second delivery of the task, or a try after
        this one failed *after* its mail went out, finds it taken and sends
        nothing: the mail goes out once at most. The UPDATE is also the lock, on
        every database: PostgreSQL lets a concurrent claim of the row wait for
        this one and then finds it taken; SQLite runs one write at a time.
        """
        now = timezone.now()
        taken = IncidentNotification.objects.filter(
            pk=self.pk, status=self.Status.PENDING, claimed_at__isnull=True
        ).update(claimed_at=now)
        # What another try recorded before this claim (its attempts, say).
        self.refresh_from_db(fields=["status", "attempts", "last_error", "claimed_at"])
        return bool(taken)

    def mark_sent(self, *, recipients: list[str]) -> None:
        self.status = self.Status.SENT
        self.attempts += 1
        self.sent_at = timezone.now()
        self.recipients = "\n".join(recipients)
        self.last_error = ""
        self.next_attempt_at = None
        self.claimed_at = None
        self.save(
            update_fields=[
                "status",
                "attempts",
                "sent_at",
                "recipients",
                "last_error",
                "next_attempt_at",
                "claimed_at",
            ]
        )

    def mark_attempt_failed(self, *, error: str, final: bool = False) -> None:
        """A try went wrong: wait and try again, or give up after the last try
        (or at once when trying again cannot help, e.g. no contact has an
        e-mail)."""
        self.attempts += 1
        self.last_error = error[:500]
        if final or self.attempts >= self.MAX_ATTEMPTS:
            self.status = self.Status.FAILED
            self.next_attempt_at = None
        else:
            self.next_attempt_at = timezone.now() + self.wait_after(self.attempts)
        self.claimed_at = None
        self.save(
            update_fields=[
                "status",
                "attempts",
                "last_error",
                "next_attempt_at",
                "claimed_at",
            ]
        )

    def mark_try_lost(self) -> None:
        """A try began and never ended. Its mail may have gone out, so it is not
        sent again on a guess: it fails, for a person to ask the organisation
        before trying again."""
        with translation.override("da"):
            error = str(
                _(
                    "Forsøget blev afbrudt, og det er uvist, om e-mailen blev "
                    "sendt. Spørg organisationen, før I prøver igen."
                )
            )
        self.mark_attempt_failed(error=error, final=True)

    def retry(self) -> None:
        """A person asks for a failed notification to be tried again, at once."""
        if self.status != self.Status.FAILED:
            raise ValidationError(_("Kun en fejlet underretning kan prøves igen."))
        self.status = self.Status.PENDING
        self.attempts = 0
        self.next_attempt_at = timezone.now() + self.FIRST_GRACE
        self.save(update_fields=["status", "attempts", "next_attempt_at"])


# --- The timeline ------------------------------------------------------------------


class EntryKind(models.TextChoices):
    UPDATE = "update", _("Opdatering")
    ACTION = "action", _("Handling")
    MESSAGE = "message", _("Besked til beboere eller institutioner")
    PRESS = "press", _("Godkendt tekst til pressen")


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Brev eller opslag")
    SOCIAL = "social", _("Sociale medier")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Møde")
    DOOR = "door", _("Dørbank")
    PHONE = "phone", _("Telefon")
    WEBSITE = "website", _("Hjemmeside")


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("Beboere")
    INSTITUTIONS = "institutions", _("Skoler og institutioner")
    BOTH = "both", _("Beboere og institutioner")


class IncidentEntry(SubmittedOnce):
    """One line in an incident's timeline: an update, an action taken, a message
    sent to residents or institutions, or the wording approved for the press."""

    Kind = EntryKind
    Channel = MessageChannel
    Audience = Audience

    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("hændelse"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=EntryKind.choices)
    happened_at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    text = models.TextField(
        _("tekst"),
        help_text=_(
            "Partnerne læser tidslinjen: skriv ikke beboeres navne, CPR-numre "
            "eller telefonnumre."
        ),
    )
    actor = models.CharField(
        _("udført af"),
        max_length=150,
        blank=True,
        help_text=_("Hvem gjorde det, hvis ikke dig selv (fx Fyns Politi)."),
    )
    channel = models.CharField(
        _("kanal"), max_length=10, choices=MessageChannel.choices, blank=True
    )
    audience = models.CharField(
        _("modtagere"), max_length=15, choices=Audience.choices, blank=True
    )
    approved_by = models.CharField(
        _("godkendt af"),
        max_length=150,
        blank=True,
        help_text=_("Hvem godkendte pressens tekst (navn og rolle)."),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = person_who(_("skrevet af"))

    class Meta:
        ordering = ["happened_at", "pk"]
        verbose_name = _("punkt på tidslinjen")
        verbose_name_plural = _("tidslinje")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="entry_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="message") | (~Q(channel="") & ~Q(audience="")),
                name="entry_message_has_channel_and_audience",
            ),
            # A press text names who approved it, until its incident is
            # anonymised and both go.
            models.CheckConstraint(
                condition=~Q(kind="press") | ~Q(approved_by="") | Q(text=""),
                name="entry_press_is_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def clean(self) -> None:
        errors = {}
        if self.kind == EntryKind.MESSAGE:
            if not self.channel:
                errors["channel"] = _("Vælg den kanal, beskeden blev sendt gennem.")
            if not self.audience:
                errors["audience"] = _("Vælg, hvem beskeden gik til.")
        if self.kind == EntryKind.PRESS and not self.approved_by.strip():
            errors["approved_by"] = _("Skriv, hvem der godkendte teksten.")
        if self.happened_at and self.happened_at > timezone.now() + datetime.timedelta(
            minutes=10
        ):
            errors["happened_at"] = _("Tidspunktet ligger ude i fremtiden.")
        if errors:
            raise ValidationError(errors)


# --- The crime-prevention network --------------------------------------------------


class NetworkMeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NetworkMeetingQuerySet":
        """BoligSocialt Hus's incident roles see every meeting; a partner those its
        organisation took part in or was given a task at, whichever areas they
        were about (the organisation's task must be reachable from its page)."""
        if not (user.is_authenticated and user.can_see_network):
            return self.none()
        if user.is_partner:
            took_part = NetworkMeeting.organisations.through.objects.filter(
                networkmeeting=OuterRef("pk"), organisation_id=user.organisation_id
            )
            owns_task = FollowUpTask.objects.filter(
                meeting=OuterRef("pk"), owner_id=user.organisation_id
            )
            return self.filter(Exists(took_part) | Exists(owns_task))
        return self

    def for_list(self) -> "NetworkMeetingQuerySet":
        return (
            self.annotate(
                open_tasks=how_many(
                    FollowUpTask.objects.filter(
                        meeting=OuterRef("pk"), done_on__isnull=True
                    )
                )
            )
            .prefetch_related("organisations", "areas")
            .order_by("-held_on", "-pk")
        )


class NetworkMeeting(Versioned, SubmittedOnce):
    """A meeting of the crime-prevention network (Kriminalitetsforebyggelse i
    netværk): who came, the agenda, and what was decided."""

    DEFAULT_FORUM = "Kriminalitetsforebyggelse i netværk"

    forum = models.CharField(_("forum"), max_length=150, default=DEFAULT_FORUM)
    held_on = models.DateField(_("dato"))
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="network_meetings",
        verbose_name=_("boligområder"),
    )
    organisations = models.ManyToManyField(
        Organisation,
        related_name="network_meetings",
        verbose_name=_("deltagende organisationer"),
    )
    participants = models.TextField(
        _("deltagere"), blank=True, help_text=_("Navn og rolle, én pr. linje.")
    )
    agenda = models.TextField(_("dagsorden"))
    decisions = models.TextField(_("beslutninger"), blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = person_who(_("oprettet af"))
    is_demo = models.BooleanField(_("demodata"), default=False)

    objects = NetworkMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("netværksmøde")
        verbose_name_plural = _("netværksmøder")
        indexes = [models.Index(fields=["-held_on", "-id"], name="meeting_list")]

    def __str__(self) -> str:
        return _("%(forum)s %(date)s") % {
            "forum": self.forum,
            "date": self.held_on.strftime("%d.%m.%Y"),
        }

    def get_absolute_url(self) -> str:
        return reverse("safety:meeting_detail", args=[self.pk])


class FollowUpTaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FollowUpTaskQuerySet":
        """The tasks of the meetings the user sees."""
        return self.filter(meeting__in=NetworkMeeting.objects.visible_to(user))

    def open(self) -> "FollowUpTaskQuerySet":
        return self.filter(done_on__isnull=True)

    def overdue(self, today: datetime.date) -> "FollowUpTaskQuerySet":
        return self.open().filter(due_on__lt=today)

    def for_list(self) -> "FollowUpTaskQuerySet":
        return self.select_related("owner", "meeting", "done_by").order_by(
            "due_on", "pk"
        )


class FollowUpTask(Versioned, SubmittedOnce):
    """Something a network member took on at a meeting, with its owner and due
    date, so the network's commitments are followed up."""

    meeting = models.ForeignKey(
        NetworkMeeting,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("møde"),
    )
    description = models.CharField(_("opgave"), max_length=300)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="follow_up_tasks",
        verbose_name=_("ansvarlig organisation"),
    )
    owner_name = models.CharField(_("ansvarlig person"), max_length=150, blank=True)
    due_on = models.DateField(_("frist"))
    done_on = models.DateField(_("udført"), null=True, blank=True)
    done_by = person_who(_("markeret udført af"))

    objects = FollowUpTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("opfølgningsopgave")
        verbose_name_plural = _("opfølgningsopgaver")
        indexes = [
            models.Index(fields=["done_on", "due_on"]),
            models.Index(fields=["due_on", "id"], name="task_list"),
        ]

    def __str__(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url() + f"#task-{self.pk}"

    def clean(self) -> None:
        if self.due_on and self.meeting_id and self.due_on < self.meeting.held_on:
            raise ValidationError({"due_on": _("Fristen ligger før mødet.")})

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_done and self.due_on < today

    def can_be_done_by(self, user) -> bool:
        """The network's keepers, and the owning organisation's own people."""
        return user.can_lead_beredskab or (
            user.is_active and user.is_partner and user.organisation_id == self.owner_id
        )

    def mark_done(self, *, by) -> None:
        self.done_on = timezone.localdate()
        self.done_by = by
        self.save(update_fields=["done_on", "done_by"])

    def reopen(self) -> None:
        self.done_on = None
        self.done_by = None
        self.save(update_fields=["done_on", "done_by"])
