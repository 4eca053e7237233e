"""The shared core: areas, housing departments, organisations, people and roles."""

import hashlib
import re
import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .editing import Versioned
from .periods import Period, target_for_period
from .places import outline_field

# Addresses of the residents' pages beside an area's slug (/nabohjaelp/afmeld/,
# /meld/status/).
RESERVED_SLUGS = {"afmeld", "status"}


def not_reserved(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            _("»%(slug)s« er en af portalens egne adresser. Vælg et andet."),
            params={"slug": slug},
        )


class AreaQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AreaQuerySet":
        """Partners see the areas they are granted; everyone inside sees all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_partner:
            return self.filter(pk__in=user.areas.values("pk"))
        return self

    def with_figures(self) -> "AreaQuerySet":
        # Both aggregates run over the one join to departments, so no sum is
        # multiplied by another relation's rows.
        return self.annotate(
            department_count=Count("departments", distinct=True),
            households=Sum("departments__households"),
        )


class AreasByName(list):
    """Areas as `areas_by_name` reads them: by name, each with its figures."""


def areas_by_name(areas) -> AreasByName:
    """The areas (ids, areas or a queryset) by name, each with its departments'
    count and households. What this gave before is used as it is: the dashboard
    reads the chosen areas once, and each part of its figures uses them."""
    if isinstance(areas, AreasByName):
        return areas
    return AreasByName(
        Area.objects.filter(pk__in=areas).with_figures().order_by("name")
    )


class Area(models.Model):
    """A boligområde: one of the housing areas the helhedsplan covers."""

    name = models.CharField(_("navn"), max_length=100, unique=True)
    slug = models.SlugField(
        _("kort navn i adresser"),
        max_length=60,
        unique=True,
        validators=[not_reserved],
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    aliases = models.TextField(
        _("andre navne"),
        blank=True,
        help_text=_(
            "Navne, som området også kaldes i regneark (fx Korsløkken), ét pr. "
            "linje. En import finder området under dem."
        ),
    )
    outline = outline_field()
    outline_is_approximate = models.BooleanField(
        _("omridset er omtrentligt"),
        default=False,
        help_text=_(
            "Sat ved portalens eget, omtrentlige omrids. Kortet tegner det "
            "stiplet. Fjernes, når det rigtige omrids sættes ind."
        ),
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("boligområde")
        verbose_name_plural = _("boligområder")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("area_detail", args=[self.slug])

    @property
    def alias_list(self) -> list[str]:
        return lines(self.aliases)

    def street_names(self) -> list[str]:
        """The streets the area's departments list, sorted: the hints a
        resident's address field offers."""
        return sorted(
            {street for d in self.departments.all() for street in d.street_list}
        )

    def departments_on(
        self, street: str, number: str = ""
    ) -> list["HousingDepartment"]:
        """The area's departments that list the street among theirs. Where the
        street is in several, the house number picks those it lies in (if it lies
        in any of them)."""
        key = street_key(street)
        found = [
            department
            for department in self.departments.all()
            if key in {street_key(line) for line in department.street_list}
        ]
        if len(found) > 1 and number:
            at_number = [d for d in found if d.has_address(street, number)]
            return at_number or found
        return found


class OrganisationKind(models.TextChoices):
    BOLIGSOCIALT_HUS = "boligsocialt_hus", "BoligSocialt Hus"
    MUNICIPALITY = "municipality", _("Odense Kommune")
    POLICE = "police", _("Politi")
    SSP = "ssp", "SSP"
    HOUSING = "housing", _("Boligorganisation")
    CIVIL_SOCIETY = "civil_society", _("Civilsamfund")
    OTHER = "other", _("Anden")


class OrganisationQuerySet(models.QuerySet):
    def without_people(self) -> "OrganisationQuerySet":
        """Organisations with no active person in the portal who could open what
        is routed to them (a partner's user, or BoligSocialt Hus's own people)."""
        acting = User.objects.filter(
            organisation=OuterRef("pk"), is_active=True, role__in=ACTING_ROLES
        )
        return self.exclude(Exists(acting))


class Organisation(models.Model):
    """A partner organisation, a housing organisation, or BoligSocialt Hus itself."""

    Kind = OrganisationKind

    name = models.CharField(_("navn"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    is_demo = models.BooleanField(
        _("demodata"), default=False, help_text=_("Opfundet til demonstration.")
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


class HousingOrganisationManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Organisation.Kind.HOUSING)


class HousingOrganisation(Organisation):
    """The housing organisations (boligorganisationer): Organisations of that kind."""

    objects = HousingOrganisationManager()

    class Meta:
        proxy = True
        verbose_name = _("boligorganisation")
        verbose_name_plural = _("boligorganisationer")


class HousingDepartment(models.Model):
    """A boligafdeling, owned by a housing organisation, in one area."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="departments",
        limit_choices_to={"kind": Organisation.Kind.HOUSING},
        verbose_name=_("boligorganisation"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("boligområde"),
    )
    number = models.CharField(_("afdelingsnummer"), max_length=20)
    name = models.CharField(_("navn"), max_length=150)
    households = models.PositiveIntegerField(_("antal husstande"))
    streets = models.TextField(
        _("veje"),
        blank=True,
        help_text=_(
            "Vejene med afdelingens boliger, én pr. linje, hver med sine husnumre "
            "efter navnet, hvis ikke hele vejen hører til (fx Rugårdsvej 1-15 eller "
            "Kløvermarken 2, 4, 6). Beboere, der tilmelder sig Nabohjælp, findes i "
            "afdelingen ud fra vejnavnet og, hvor flere afdelinger har vejen, "
            "husnummeret."
        ),
    )
    aliases = models.TextField(
        _("andre navne"),
        blank=True,
        help_text=_(
            "Navne, som afdelingen også kaldes i regneark, ét pr. linje. En import "
            "finder afdelingen under dem og under sit nummer."
        ),
    )
    outline = outline_field()
    is_demo = models.BooleanField(
        _("demodata"), default=False, help_text=_("Opfundet til demonstration.")
    )

    class Meta:
        ordering = ["area__name", "number"]
        verbose_name = _("boligafdeling")
        verbose_name_plural = _("boligafdelinger")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                name="department_number_unique_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return _("%(name)s (afd. %(number)s)") % {
            "name": self.name,
            "number": self.number,
        }

    def clean(self) -> None:
        if self.organisation_id and (
            self.organisation.kind != Organisation.Kind.HOUSING
        ):
            raise ValidationError(
                {"organisation": _("En boligafdeling ejes af en boligorganisation.")}
            )
        unreadable = [line for line in lines(self.streets) if not readable_street(line)]
        if unreadable:
            raise ValidationError({"streets": unreadable_street_message(unreadable[0])})

    @property
    def street_list(self) -> list[str]:
        """The streets' names, without the house numbers a line may give."""
        return [street_and_numbers(line)[0] for line in lines(self.streets)]

    @property
    def alias_list(self) -> list[str]:
        return lines(self.aliases)

    def has_street(self, street: str) -> bool:
        """Whether the street is one of the department's (any case or spacing);
        a department with no streets listed accepts any."""
        streets = {street_key(line) for line in self.street_list}
        return not streets or street_key(street) in streets

    def has_address(self, street: str, number: str) -> bool:
        """Whether the house number on the street is one of the department's: a
        street listed without numbers has them all."""
        key = street_key(street)
        for line in lines(self.streets):
            name, numbers = street_and_numbers(line)
            if street_key(name) == key and in_house_numbers(number, numbers):
                return True
        return False


def person_who(verbose_name) -> models.ForeignKey:
    """Who did something to a row (registered it, wrote it, closed it): a deleted
    account leaves the row with nobody named, and users get no reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def lines(text: str) -> list[str]:
    """The non-blank lines of a text kept one item per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# House numbers after a street's name: single numbers (with a letter, 12A) and
# ranges (1-15), separated by commas: "Kløvermarken 2, 4, 6-10".
_NUMBER = r"\d+ ?[A-Za-zÆØÅæøå]?"
HOUSE_NUMBERS = re.compile(
    rf"{_NUMBER}(?: ?[-–] ?{_NUMBER})?(?: ?, ?{_NUMBER}(?: ?[-–] ?{_NUMBER})?)*"
)
_TRAILING_NUMBERS = re.compile(
    rf"^(?P<street>.*?\D)\s+(?P<numbers>{HOUSE_NUMBERS.pattern})$"
)


def street_and_numbers(line: str) -> tuple[str, str]:
    """A department's street line as (street name, its house numbers or "" for
    the whole street): "Rugårdsvej 1-15" → ("Rugårdsvej", "1-15")."""
    line = " ".join(line.split())
    match = _TRAILING_NUMBERS.match(line)
    if match is None:
        return line, ""
    return match["street"].strip(), match["numbers"]


def readable_street(line: str) -> bool:
    """A street line is its name (no digits in it), then any house numbers."""
    street, _numbers = street_and_numbers(line)
    return bool(street) and not any(c.isdigit() for c in street)


def unreadable_street_message(line: str) -> str:
    return _(
        "»%(street)s« kan ikke læses. Skriv vejnavnet og derefter husnumrene, fx "
        "Rugårdsvej 1-15; Kløvermarken 2, 4, 6."
    ) % {"street": line}


def in_house_numbers(number: str, numbers: str) -> bool:
    """Whether a house number ("12", "12B") lies in a line's numbers ("1-15, 17";
    "" is every number). By the number itself: 12B lies in 12 and in 1-15."""
    if not numbers:
        return True
    wanted = re.match(r"\s*(\d+)", number or "")
    if wanted is None:
        return False
    value = int(wanted[1])
    for item in numbers.split(","):
        ends = [int(re.match(r"\s*(\d+)", end)[1]) for end in re.split("[-–]", item)]
        if ends[0] <= value <= ends[-1]:
            return True
    return False


def street_key(street: str) -> str:
    """Street names compare without case or extra spaces ("Bøgevej" = "bøgevej ")."""
    return " ".join(street.split()).casefold()


class Role(models.TextChoices):
    STAFF = "staff", _("Boligsocial medarbejder")
    ADVISOR = "advisor", _("Økonomisk rådgiver")
    SAFETY_ADVISOR = "safety_advisor", _("Tryghedsrådgiver")
    COORDINATOR = "coordinator", _("Koordinator")
    PARTNER = "partner", _("Partner")
    ADMIN = "admin", _("Administrator")


# The roles that act on what is routed to an organisation (the advice team and
# the admin do not see findings, incidents or network tasks).
ACTING_ROLES = [Role.PARTNER, Role.STAFF, Role.SAFETY_ADVISOR, Role.COORDINATOR]


class UserQuerySet(models.QuerySet):
    def for_people_list(self) -> "UserQuerySet":
        """What the people pages show of each person, in a fixed number of
        queries: organisation, areas, whether an authenticator app is set up,
        and the latest invitation still waiting to be used."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        waiting = Invitation.objects.filter(person=OuterRef("pk")).waiting()
        access = PersonChange.objects.filter(
            person=OuterRef("pk"), action__in=PersonChange.ACCESS_ACTIONS
        ).order_by("-at", "-pk")
        return (
            self.select_related("organisation")
            .prefetch_related("areas")
            .annotate(
                has_app=Exists(app),
                invitation_expires=models.Subquery(
                    waiting.order_by("-expires_at").values("expires_at")[:1]
                ),
                access_action=models.Subquery(access.values("action")[:1]),
            )
        )


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)

    def partners_of(self, organisation_id: int):
        """The organisation's partners who can log in: those told of its work."""
        return self.filter(
            organisation_id=organisation_id, role=Role.PARTNER, is_active=True
        )

    def active_in(self, role: str):
        return self.filter(role=role, is_active=True)


class User(Versioned, AbstractUser):
    """A person who logs in. The role decides what the portal offers them.

    People are invited, changed and deactivated by coordinators and the admin role
    in the portal (boligsocial/people_views.py); each change is a PersonChange.
    `version` guards their edit form against a colleague saving meanwhile.
    """

    Role = Role

    role = models.CharField(
        _("rolle"), max_length=20, choices=Role.choices, default=Role.STAFF
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="users",
        verbose_name=_("områder"),
        help_text=_(
            "En partner ser kun de områder, der er givet adgang til. "
            "For medarbejdere er det de områder, de plejer at arbejde i."
        ),
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")
        # The people list's order.
        indexes = [
            models.Index(fields=["first_name", "last_name", "id"], name="person_list")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="user_role_valid",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.role != self.Role.ADMIN and not self.organisation_id:
            raise ValidationError(
                {"organisation": _("Brugeren skal høre til en organisation.")}
            )

    @property
    def is_partner(self) -> bool:
        return self.role == self.Role.PARTNER

    @property
    def can_keep_backbone(self) -> bool:
        """Coordinators and admins keep areas, organisations and the plan."""
        return self.is_active and self.role in (self.Role.COORDINATOR, self.Role.ADMIN)

    # Coordinators (and admins) also change every record, set targets and approve.
    can_edit_all_records = can_keep_backbone

    @property
    def can_log_activities(self) -> bool:
        return self.is_active and self.role != Role.PARTNER

    @property
    def can_see_signups(self) -> bool:
        """Nabohjælp sign-ups name residents: only those who recruit and follow up
        see them (staff, tryghedsrådgivere, coordinators)."""
        return self.is_active and self.role in (
            self.Role.STAFF,
            self.Role.SAFETY_ADVISOR,
            self.Role.COORDINATOR,
        )

    @property
    def can_keep_findings(self) -> bool:
        """Every walk finding, with its photos (they may show people): the same
        roles as the sign-ups."""
        return self.can_see_signups

    @property
    def can_see_findings(self) -> bool:
        """Keepers see every finding; a partner those routed to its organisation."""
        return self.can_keep_findings or (self.is_active and self.is_partner)

    # --- Beredskab: incidents and the crime-prevention network -------------------

    @property
    def can_handle_incidents(self) -> bool:
        """Open incidents, add to their timeline, tell partners: the people of
        BoligSocialt Hus who are there when something happens."""
        return self.can_see_signups

    @property
    def can_lead_beredskab(self) -> bool:
        """Close incidents with their evaluation, keep the contact lists and the
        network's meetings: tryghedsrådgivere and coordinators."""
        return self.is_active and self.role in (
            self.Role.SAFETY_ADVISOR,
            self.Role.COORDINATOR,
        )

    @property
    def can_see_incidents(self) -> bool:
        """Handlers see every incident; a partner those it was told of."""
        return self.can_handle_incidents or (
            self.is_active and self.is_partner and self.organisation_id is not None
        )

    # The network's meetings: the same people; a partner those it took part in.
    can_see_network = can_see_incidents

    # --- Reports -------------------------------------------------------------------

    @property
    def can_see_dashboards(self) -> bool:
        """Every active role: partners for their own areas, with advice figures
        suppressed for everyone outside the advice team."""
        return self.is_active

    @property
    def can_request_reports(self) -> bool:
        """The PDF status reports for LBF and the municipality: coordinators (and
        admins) request, schedule and download them."""
        return self.can_keep_backbone

    @property
    def sees_exact_advice_figures(self) -> bool:
        """Only the advice team sees advice counts under 5."""
        return self.is_advisor

    @property
    def can_manage_users(self) -> bool:
        """The Django admin's pages of accounts and devices (read only: people
        are changed in the portal, where every change is recorded)."""
        return self.is_active and self.role == self.Role.ADMIN

    @property
    def can_manage_people(self) -> bool:
        """Invite, change and deactivate people in the portal: coordinators and
        the admin role. Only the admin role may make or change an admin."""
        return self.is_active and self.role in (self.Role.COORDINATOR, self.Role.ADMIN)

    @property
    def was_deactivated(self) -> bool:
        """Inactive because someone deactivated them, not because they have yet
        to use their invitation (read from for_people_list's `access_action`)."""
        return (
            not self.is_active
            and getattr(self, "access_action", None) == PersonChangeAction.DEACTIVATED
        )

    def may_change_person(self, person: "User") -> bool:
        """A coordinator leaves the admin role's accounts alone."""
        return self.can_manage_people and (
            self.role == self.Role.ADMIN or person.role != self.Role.ADMIN
        )

    def roles_to_give(self) -> list[tuple[str, str]]:
        """The roles this person may give: a coordinator never gives admin."""
        return [
            (value, label)
            for value, label in Role.choices
            if value != Role.ADMIN or self.role == Role.ADMIN
        ]

    # --- Financial advice: need-to-know ---------------------------------------------

    @property
    def is_advisor(self) -> bool:
        """The advice team: the only role that works with cases and their details."""
        return self.is_active and self.role == self.Role.ADVISOR

    @property
    def can_read_access_log(self) -> bool:
        """Coordinators review who opened which case, without seeing the cases."""
        return self.is_active and self.role == self.Role.COORDINATOR

    @property
    def needs_two_factor(self) -> bool:
        """Everyone who sees personal data, and the admin, logs in with a TOTP code
        too: staff and tryghedsrådgivere see sign-ups and incidents, advisors their
        cases, coordinators the access log, the admin every account. Partners see
        aggregates only, never a person, so their password is enough."""
        return self.role != self.Role.PARTNER

    @property
    def can_look_up_cases(self) -> bool:
        """Colleagues outside the advice team may ask whether a household has an
        open case the resident has allowed them to know of ("ask the advisor")."""
        return self.is_active and self.role in (
            self.Role.STAFF,
            self.Role.SAFETY_ADVISOR,
            self.Role.COORDINATOR,
        )

    @property
    def can_report_evictions(self) -> bool:
        """A housing organisation's partner users enter its eviction figures."""
        return (
            self.is_active
            and self.is_partner
            and self.organisation is not None
            and self.organisation.kind == Organisation.Kind.HOUSING
        )

    @property
    def can_see_eviction_network(self) -> bool:
        """Udsættelsesnetværket: the housing organisations, the municipality, the
        advice team and the coordinators see all organisations side by side."""
        if not self.is_active:
            return False
        if self.is_partner:
            return self.organisation is not None and self.organisation.kind in (
                Organisation.Kind.HOUSING,
                Organisation.Kind.MUNICIPALITY,
            )
        return self.role in (self.Role.ADVISOR, self.Role.COORDINATOR)


# --- People: invitations and the record of changes ------------------------------------


class InvitationKind(models.TextChoices):
    JOIN = "join", _("Invitation")
    APP = "app", _("Link til totrinsbekræftelse")


class InvitationQuerySet(models.QuerySet):
    def waiting(self) -> "InvitationQuerySet":
        """Links that still work: not used, not revoked, not expired."""
        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use link sent to a person's e-mail: to set their password (and
    then, where the role needs it, an authenticator app), or only to set up an
    app. The link is the proof that the person holds the e-mail: a password alone
    never sets up an app. Only a hash of the link's token is kept."""

    Kind = InvitationKind

    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations"
    )
    kind = models.CharField(_("slags"), max_length=10, choices=InvitationKind)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = person_who(_("sendt af"))
    created_at = models.DateTimeField(_("sendt"), default=timezone.now)
    expires_at = models.DateTimeField(_("udløber"))
    used_at = models.DateTimeField(_("brugt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("trukket tilbage"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitationer")
        indexes = [
            models.Index(fields=["person", "-expires_at"], name="invitation_person")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    @transaction.atomic
    def issue(cls, person: User, *, kind: str, by: User | None):
        """A new link for the person (their earlier waiting link of the kind stops
        working); returns the invitation and the token, which only the e-mail
        gets."""
        # The person's row locked: two links asked for at once are made in turn,
        # and only the second works.
        User.objects.select_for_update().filter(pk=person.pk).first()
        now = timezone.now()
        cls.objects.waiting().filter(person=person, kind=kind).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            person=person,
            kind=kind,
            token_hash=cls.hash_token(token),
            created_by=by,
            created_at=now,
            expires_at=now + settings.INVITATION_LIFETIME,
        )
        return invitation, token

    @classmethod
    def find(cls, token: str) -> "Invitation | None":
        if not token or len(token) > 100:
            return None
        return (
            cls.objects.select_related("person")
            .filter(token_hash=cls.hash_token(token))
            .first()
        )

    @property
    def is_waiting(self) -> bool:
        return (
            self.used_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    def use(self) -> bool:
        """Spend the link; of two uses at the same moment exactly one wins."""
        now = timezone.now()
        spent = type(self).objects.waiting().filter(pk=self.pk).update(used_at=now)
        if spent:
            self.used_at = now
        return bool(spent)


class PersonChangeAction(models.TextChoices):
    INVITED = "invited", _("Inviteret")
    INVITATION_RESENT = "invitation_resent", _("Invitation sendt igen")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation trukket tilbage")
    JOINED = "joined", _("Valgte sin adgangskode")
    APP_LINK_SENT = "app_link_sent", _("Link til totrinsbekræftelse sendt")
    APP_SET_UP = "app_set_up", _("Satte totrinsbekræftelse op")
    APP_RESET = "app_reset", _("Totrinsbekræftelse nulstillet")
    CHANGED = "changed", _("Ændret")
    DEACTIVATED = "deactivated", _("Deaktiveret")
    REACTIVATED = "reactivated", _("Genaktiveret")


class PersonChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PersonChangeIsAppendOnly

    def delete(self):
        raise PersonChangeIsAppendOnly


class PersonChangeIsAppendOnly(Exception):
    pass


class PersonChange(models.Model):
    """One change to a person's access: who made it, when, and what changed
    (field name → [before, after], as the names read then). Only ever added."""

    Action = PersonChangeAction
    # The changes that decide whether a person may log in, latest first.
    ACCESS_ACTIONS = [
        PersonChangeAction.INVITED,
        PersonChangeAction.DEACTIVATED,
        PersonChangeAction.REACTIVATED,
    ]

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="changes")
    by = person_who(_("af"))
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    action = models.CharField(_("hændelse"), max_length=30, choices=PersonChangeAction)
    changes = models.JSONField(_("ændringer"), default=dict, blank=True)

    objects = PersonChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("ændring af person")
        verbose_name_plural = _("ændringer af personer")
        indexes = [models.Index(fields=["person", "-at", "-id"], name="person_change")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PersonChangeIsAppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PersonChangeIsAppendOnly

    def rows(self) -> list[tuple[str, str, str]]:
        """What changed, as (field, before, after) in the reader's language."""

        def shown(name, value):
            if name == "role" and value in Role.values:
                return str(Role(value).label)
            return value

        return [
            (
                str(User._meta.get_field(name).verbose_name),
                shown(name, before),
                shown(name, after),
            )
            for name, (before, after) in self.changes.items()
        ]


class AreaYearTarget(models.Model):
    """A number an area is to reach in a year. Each target is its own table
    (Nabohjælp sign-ups, walks), and says whether it is a level to reach by the
    year's end or an amount to add up over it (`kind`, see periods.py); the
    figures set what was reached against it."""

    kind: ClassVar[str]

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, verbose_name=_("boligområde")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    value = models.PositiveIntegerField(_("måltal"))
    is_demo = models.BooleanField(_("demodata"), default=False)

    class Meta:
        abstract = True
        ordering = ["year", "area__name"]

    def __str__(self) -> str:
        return _("%(area)s %(year)s: %(value)s") % {
            "area": self.area,
            "year": self.year,
            "value": self.value,
        }

    @classmethod
    def for_period(cls, area_list, period: Period) -> dict[int, int | None]:
        """Area id → its target for the period, by the target's kind. One query."""
        by_area: dict[int, dict[int, int]] = {area.pk: {} for area in area_list}
        for area, year, value in cls.objects.filter(
            area__in=area_list, year__in=list(period.years)
        ).values_list("area", "year", "value"):
            by_area[area][year] = value
        return {
            area: target_for_period(years, period, cls.kind)
            for area, years in by_area.items()
        }


def target_constraints(prefix: str) -> list:
    """One target per area and year, in a year that makes sense."""
    return [
        models.UniqueConstraint(
            fields=["area", "year"], name=f"{prefix}_unique_per_area_year"
        ),
        models.CheckConstraint(
            condition=Q(year__gte=2000, year__lte=2100),
            name=f"{prefix}_year_sensible",
        ),
    ]


# --- Notifications in the portal -----------------------------------------------------


class NotificationKind(models.TextChoices):
    FINDING_ROUTED = "finding_routed", _("Fund sendt til din organisation")
    FINDING_CHANGED = "finding_changed", _("Fund, du registrerede, er ændret")
    INCIDENT_TOLD = "incident_told", _("Hændelse, din organisation er underrettet om")
    TASK_ASSIGNED = "task_assigned", _("Opgave til din organisation")
    STATUS_SUBMITTED = "status_submitted", _("Statustekst til godkendelse")
    STATUS_DECIDED = "status_decided", _("Statustekst godkendt eller sendt tilbage")
    REPORT_READY = "report_ready", _("Rapport klar")
    IMPORT_FINISHED = "import_finished", _("Import gennemført")
    IMPORT_CHECKED = "import_checked", _("Import kontrolleret")
    EXPORT_READY = "export_ready", _("Eksport klar til at hente")
    WITHDRAWAL_CODE = "withdrawal_code", _("Sms med kode til en beboers afmelding")
    RESIDENT_REPORT = "resident_report", _("Melding fra en beboer")


class Delivery(models.TextChoices):
    NOW = "now", _("E-mail med det samme")
    DIGEST = "digest", _("Daglig oversigt på e-mail")
    PORTAL = "portal", _("Kun i portalen")


# How each kind reaches a person who has not chosen: what someone must act on
# soon by e-mail at once; an incident only in the portal, since its contact list
# is mailed already; what can wait in the morning's digest.
DEFAULT_DELIVERY = {
    NotificationKind.FINDING_ROUTED: Delivery.NOW,
    NotificationKind.FINDING_CHANGED: Delivery.DIGEST,
    NotificationKind.INCIDENT_TOLD: Delivery.PORTAL,
    NotificationKind.TASK_ASSIGNED: Delivery.NOW,
    NotificationKind.STATUS_SUBMITTED: Delivery.DIGEST,
    NotificationKind.STATUS_DECIDED: Delivery.NOW,
    NotificationKind.REPORT_READY: Delivery.NOW,
    NotificationKind.IMPORT_FINISHED: Delivery.PORTAL,
    NotificationKind.IMPORT_CHECKED: Delivery.PORTAL,
    NotificationKind.EXPORT_READY: Delivery.PORTAL,
    # It holds a resident's phone number: in the portal, unless chosen otherwise.
    NotificationKind.WITHDRAWAL_CODE: Delivery.PORTAL,
    NotificationKind.RESIDENT_REPORT: Delivery.NOW,
}


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def waiting_for_digest(self) -> "NotificationQuerySet":
        return self.filter(delivery=Delivery.DIGEST, mailed_at__isnull=True)


class Notification(models.Model):
    """Something that concerns one person, in the portal's list under the bell,
    and by e-mail as the person chose for its kind. It names only what the person
    may open (see notices.notify)."""

    Kind = NotificationKind

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("slags"), max_length=30, choices=NotificationKind)
    text = models.CharField(_("tekst"), max_length=300)
    url = models.CharField(_("adresse"), max_length=300)
    delivery = models.CharField(_("levering"), max_length=10, choices=Delivery)
    created_at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    read_at = models.DateTimeField(_("læst"), null=True, blank=True)
    # Set once the e-mail (at once or in a digest) is taken to be sent: never twice.
    mailed_at = models.DateTimeField(_("mailet"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notifikation")
        verbose_name_plural = _("notifikationer")
        indexes = [
            models.Index(
                fields=["user", "-created_at", "-id"], name="notification_list"
            ),
            models.Index(
                fields=["user"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["user"],
                condition=Q(delivery="digest", mailed_at__isnull=True),
                name="notification_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"

    def mark_read(self) -> None:
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])


class NotificationPreference(models.Model):
    """How one person wants one kind of notification; none: DEFAULT_DELIVERY."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("slags"), max_length=30, choices=NotificationKind)
    delivery = models.CharField(_("levering"), max_length=10, choices=Delivery)

    class Meta:
        verbose_name = _("notifikationsvalg")
        verbose_name_plural = _("notifikationsvalg")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notification_preference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.delivery}"


# --- Exports too big to wait for ------------------------------------------------------


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Skrives")
    READY = "ready", _("Klar")
    FAILED = "failed", _("Fejlede")


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ExportJobQuerySet":
        """An export holds what its list showed the person who asked for it: only
        they see it, whatever their role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def active(self) -> "ExportJobQuerySet":
        return self.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])

    def expired(self, now) -> "ExportJobQuerySet":
        return self.filter(requested_at__lt=now - settings.EXPORT_KEEP)


class ExportJob(models.Model):
    """One list exported in the background (boligsocial.exports): the list, the
    format and the filter as the person asked, then the file the worker wrote
    (queued → running → ready, or failed with the reason) and how far it got."""

    Status = ExportStatus

    requested_by = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("bestilt af"),
    )
    export = models.CharField(_("liste"), max_length=60)
    fmt = models.CharField(_("format"), max_length=4)
    query = models.TextField(_("filter"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rækker i alt"), default=0)
    done = models.PositiveIntegerField(_("rækker skrevet"), default=0)
    file = models.FileField(_("fil"), upload_to="exports/", blank=True)
    filename = models.CharField(_("filnavn"), max_length=100, blank=True)
    error = models.TextField(_("fejl"), blank=True)
    requested_at = models.DateTimeField(_("bestilt"), default=timezone.now)
    queued_at = models.DateTimeField(_("sat i kø"), default=timezone.now)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    # Renewed by the worker while it writes (boligsocial.leases).
    heartbeat_at = models.DateTimeField(
        _("sidst i gang"), null=True, blank=True, editable=False
    )
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("eksport")
        verbose_name_plural = _("eksporter")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY) | ~Q(file=""),
                name="ready_export_has_file",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or self.export

    def get_absolute_url(self) -> str:
        return reverse("export_job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def file_name(self) -> str:
        """One file per job, whatever happens: a try done again replaces it."""
        return f"exports/export-{self.pk}.{self.fmt}"

    def claim(self) -> bool:
        """Take a queued job for writing, in one UPDATE: of two deliveries of its
        task, one writes."""
        now = timezone.now()
        taken = ExportJob.objects.filter(pk=self.pk, status=ExportStatus.QUEUED).update(
            status=ExportStatus.RUNNING, started_at=now, done=0, error=""
        )
        if taken:
            self.status, self.started_at, self.done = ExportStatus.RUNNING, now, 0
        return bool(taken)

    def progress(self, *, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.save(update_fields=["done", "total"])

    def beat(self) -> bool:
        """Still writing: the lease is renewed. False once the job is no longer
        being written (given up by the sweeper)."""
        return bool(
            ExportJob.objects.filter(pk=self.pk, status=ExportStatus.RUNNING).update(
                heartbeat_at=timezone.now()
            )
        )

    def finish(self, *, file_name: str) -> None:
        self.status = ExportStatus.READY
        self.file.name = file_name
        self.done = self.total
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "file", "done", "finished_at"])

    def fail(self, reason: str) -> None:
        self.status = ExportStatus.FAILED
        self.error = reason
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])

    def requeue(self) -> bool:
        """A failed job is asked for again, as it was."""
        now = timezone.now()
        requeued = ExportJob.objects.filter(
            pk=self.pk, status=ExportStatus.FAILED
        ).update(
            status=ExportStatus.QUEUED,
            queued_at=now,
            done=0,
            error="",
            finished_at=None,
        )
        if requeued:
            self.refresh_from_db()
        return bool(requeued)


class ColumnMapping(models.Model):
    """How a coordinator read the columns of a sheet whose headers an import did
    not know: used again for every sheet of that import with the same headers."""

    sheet = models.CharField(_("import"), max_length=60)
    # The SHA-256 of the sheet's header keys, in order (spreadsheets.headers_key).
    headers = models.CharField(_("overskrifter"), max_length=64)
    # Header as written → the field it stands for, or "" for a column ignored.
    columns = models.JSONField(_("kolonner"), default=dict)
    changed_by = person_who(_("ændret af"))
    changed_at = models.DateTimeField(_("ændret"))

    class Meta:
        verbose_name = _("kolonneopsætning")
        verbose_name_plural = _("kolonneopsætninger")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "headers"], name="column_mapping_once_per_headers"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sheet}: {', '.join(self.columns)}"


class ImportedSheet(models.Model):
    """A sheet an import saved rows from: the same file uploaded again is told
    apart from a new one (its rows are marked as duplicates besides)."""

    sheet = models.CharField(_("import"), max_length=60)
    digest = models.CharField(_("filens SHA-256"), max_length=64)
    name = models.CharField(_("filnavn"), max_length=255)
    rows = models.PositiveIntegerField(_("rækker importeret"))
    imported_by = person_who(_("importeret af"))
    imported_at = models.DateTimeField(_("importeret"))

    class Meta:
        verbose_name = _("importeret regneark")
        verbose_name_plural = _("importerede regneark")
        indexes = [models.Index(fields=["sheet", "digest", "-imported_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.imported_at:%d.%m.%Y})"


class ImportStatus(models.TextChoices):
    COLUMNS = "columns", _("Kolonnerne skal vælges")
    CHECKING = "checking", _("Kontrolleres")
    CHECKED = "checked", _("Venter på bekræftelse")
    IMPORTING = "importing", _("Importeres")
    IMPORTED = "imported", _("Importeret")
    FAILED = "failed", _("Fejlede")


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportJobQuerySet":
        """An uploaded sheet may name residents: only the person who uploaded it
        sees it, whatever their role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def waiting(self) -> "ImportJobQuerySet":
        """Sheets the person has yet to finish with: columns to place, rows being
        checked, or a preview to confirm."""
        return self.filter(
            status__in=[
                ImportStatus.COLUMNS,
                ImportStatus.CHECKING,
                ImportStatus.CHECKED,
                ImportStatus.IMPORTING,
            ]
        )

    def expired(self, now) -> "ImportJobQuerySet":
        """Older than the longest session: its file is swept with it."""
        return self.filter(requested_at__lt=now - settings.SESSION_MAX_AGE)


class ImportJob(models.Model):
    """One uploaded sheet on its way in (boligsocial.import_steps): the file waits
    under its token while the person places its columns, its rows are checked
    (in the request, or by the worker for a big sheet, counting its progress),
    the preview waits for the person's confirmation, and the rows are imported,
    all of them or none. Only the person who uploaded it sees it."""

    Status = ImportStatus

    requested_by = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("uploadet af"),
    )
    # The import's URL name (SheetImport.url_name): "activities:record_import".
    sheet = models.CharField(_("import"), max_length=60)
    # The stored file's name under MEDIA_ROOT/imports (spreadsheets.store_upload).
    token = models.CharField(_("nøgle"), max_length=32, unique=True)
    name = models.CharField(_("filnavn"), max_length=255)
    digest = models.CharField(_("filens SHA-256"), max_length=64)
    language = models.CharField(_("sprog"), max_length=10, default="da")
    # How the columns are read: column index → field, values for every row, and
    # which way dates are written (spreadsheets.read_columns).
    choices = models.JSONField(_("kolonner"), null=True, blank=True)
    fills = models.JSONField(_("værdier for alle rækker"), default=dict, blank=True)
    orders = models.JSONField(_("datoformater"), default=dict, blank=True)
    remembered = models.BooleanField(_("kolonner husket"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COLUMNS
    )
    total = models.PositiveIntegerField(_("rækker i alt"), default=0)
    done = models.PositiveIntegerField(_("rækker kontrolleret"), default=0)
    # The preview: each row's number, what it shows, its errors, notes and why
    # it seems a duplicate (spreadsheets.RowResult.as_json); emptied once imported.
    results = models.JSONField(_("rækker"), default=list, blank=True)
    notes = models.JSONField(_("bemærkninger"), default=list, blank=True)
    valid = models.JSONField(_("gyldige rækker"), default=list, blank=True)
    duplicates = models.JSONField(_("dubletter"), default=list, blank=True)
    # The duplicates the person ticked to import all the same.
    include = models.JSONField(_("dubletter med"), default=list, blank=True)
    imported = models.PositiveIntegerField(_("rækker importeret"), default=0)
    error = models.TextField(_("fejl"), blank=True)
    requested_at = models.DateTimeField(_("uploadet"), default=timezone.now)
    # When the worker took the check or the import; None while it waits in the queue.
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    # Renewed while the rows are checked or imported (boligsocial.leases).
    heartbeat_at = models.DateTimeField(
        _("sidst i gang"), null=True, blank=True, editable=False
    )
    queued_at = models.DateTimeField(_("sat i kø"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        indexes = [
            models.Index(
                fields=["requested_by", "sheet", "-requested_at"],
                name="import_job_person_sheet",
            ),
            models.Index(fields=["status", "queued_at"], name="import_job_queue"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """The worker has it (or will): the page follows its progress."""
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    def claim(self, status: str) -> bool:
        """Take the job in `status` for the worker, in one UPDATE: of two
        deliveries of its task, one works."""
        now = timezone.now()
        taken = ImportJob.objects.filter(
            pk=self.pk, status=status, started_at__isnull=True
        ).update(started_at=now, done=0)
        if taken:
            self.started_at, self.done = now, 0
        return bool(taken)

    def beat(self, at: str) -> bool:
        """Still checking or importing at step `at`: the lease is renewed. False
        once the job moved on or is gone (given up by the sweeper, cancelled)."""
        return bool(
            ImportJob.objects.filter(pk=self.pk, status=at).update(
                heartbeat_at=timezone.now()
            )
        )

    def move(self, at: str, **fields) -> bool:
        """Change the job, if it is still at step `at`, in one UPDATE: False when
        it moved on or is gone meanwhile (cancelled, replaced, swept). A job is
        never saved whole, which could bring back one deleted meanwhile."""
        moved = ImportJob.objects.filter(pk=self.pk, status=at).update(**fields)
        if moved:
            for name, value in fields.items():
                setattr(self, name, value)
        return bool(moved)

    def progress(self, done: int) -> bool:
        """Note how many rows are checked; False when the job is gone (the
        person cancelled it or uploaded another sheet)."""
        self.done = done
        return bool(
            ImportJob.objects.filter(pk=self.pk, status=self.status).update(done=done)
        )
