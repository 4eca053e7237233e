"""Invented beredskab data for the demo: contact lists, incidents with their
timelines and notifications, and the crime-prevention network's meetings.

Every person named here is invented (their names say "Demo"), every e-mail
address is @example.org. Called by `manage.py demo_data` after the demo housing
organisations and logins exist; safe to run again: the demo rows are replaced.
"""

import datetime

from django.utils import timezone

from boligsocial import clock
from boligsocial.models import Area, Organisation, User

from . import notifications
from .models import (
    Contact,
    FollowUpTask,
    Incident,
    IncidentEntry,
    IncidentNotification,
    NetworkMeeting,
)

HOUR = datetime.timedelta(hours=1)
TEN_MINUTES = datetime.timedelta(minutes=10)
DAY = 24 * 60  # minutes
POLICE = "Fyns Politi"
SSP = "SSP Odense"
MUNICIPALITY = "Odense Kommune, Børn- og Ungeforvaltningen"
# Has no contacts on the demo lists: a notification to it fails, as it would.
NO_CONTACTS = "Odense Kommune, Sundhedsforvaltningen"
HOUSING = [
    "Demo Boligforening Fyn",
    "Demo Almene Boliger Odense",
    "Demo Boligselskabet Syd",
]
BSH = "BoligSocialt Hus"

# organisation, area (None: every area), name, role, rank (1 is called first),
# phone; the e-mail address is made from the name.
CONTACTS = [
    (POLICE, None, "Henrik Demo-Vagt", "Vagthavende", 1, "20 11 22 01"),
    (POLICE, None, "Lone Demo-Vagt", "Vagthavende", 2, "20 11 22 02"),
    (POLICE, None, "Kasper Demo-Presse", "Pressekontakt", 3, "20 11 22 09"),
    (POLICE, "rising", "Jesper Demo-Nærbetjent", "Områdebetjent", 1, "21 33 44 01"),
    (POLICE, "rising", "Sofie Demo-Nærbetjent", "Områdebetjent", 2, "21 33 44 02"),
    (POLICE, "korslokkeparken", "Ali Demo-Betjent", "Områdebetjent", 1, "21 33 44 03"),
    (POLICE, "vollsmose", "Maria Demo-Betjent", "Områdebetjent", 1, "21 33 44 04"),
    (SSP, None, "Sara Demo-SSP", "SSP-konsulent", 1, "22 40 50 01"),
    (SSP, None, "Omar Demo-SSP", "SSP-konsulent", 2, "22 40 50 02"),
    (SSP, "vollsmose", "Nadia Demo-SSP", "SSP-konsulent", 1, "22 40 50 03"),
    (MUNICIPALITY, None, "Birgitte Demo-Beredskab", "Beredskabschef", 1, "23 60 70 01"),
    (MUNICIPALITY, None, "Mads Demo-Beredskab", "Beredskabschef", 2, "23 60 70 02"),
    (HOUSING[0], None, "Torben Demo-Drift", "Driftschef", 1, "24 10 20 01"),
    (HOUSING[0], None, "Hanne Demo-Drift", "Driftsleder", 2, "24 10 20 02"),
    (
        HOUSING[0],
        "vollsmose",
        "Yusuf Demo-Vicevært",
        "Ejendomsmester",
        1,
        "24 10 20 03",
    ),
    (HOUSING[1], None, "Lene Demo-Drift", "Driftschef", 1, "25 30 40 01"),
    (HOUSING[1], None, "Per Demo-Drift", "Driftsleder", 2, "25 30 40 02"),
    (HOUSING[2], None, "Susanne Demo-Drift", "Driftschef", 1, "26 50 60 01"),
    (HOUSING[2], None, "Jens Demo-Drift", "Driftsleder", 2, "26 50 60 02"),
]
# Who stands in for whom (same organisation).
STAND_INS = {
    "Henrik Demo-Vagt": "Lone Demo-Vagt",
    "Jesper Demo-Nærbetjent": "Sofie Demo-Nærbetjent",
    "Sara Demo-SSP": "Omar Demo-SSP",
    "Birgitte Demo-Beredskab": "Mads Demo-Beredskab",
    "Torben Demo-Drift": "Hanne Demo-Drift",
    "Lene Demo-Drift": "Per Demo-Drift",
    "Susanne Demo-Drift": "Jens Demo-Drift",
}
PHONE_ONLY = {"Kasper Demo-Presse"}

Kind, Severity, ReportedBy = Incident.Kind, Incident.Severity, Incident.ReportedBy
Entry = IncidentEntry.Kind
APPROVER = "Karin Koordinator (demo), koordinator"

# Each incident: days ago and local time it happened, what, where; the partners
# told, with the minutes until their mail went out (None: still pending; "failed":
# the organisation has no contact to mail); the timeline as (minutes after,
# kind, text, extra fields); and, for a closed one, days until it closed and
# the evaluation.
INCIDENTS = [
    {
        "when": (330, "21:40"),
        "area": "rising",
        "kind": Kind.VIOLENCE,
        "severity": Severity.CRITICAL,
        "reported_by": ReportedBy.POLICE,
        "title": "Voldsepisode ved butikstorvet",
        "place": "Butikstorvet ved Rising Allé",
        "description": "En ung mand blev overfaldet af flere og kørt på sygehuset. "
        "Mange beboere så det; politiet efterforsker.",
        "notify": {POLICE: 8, SSP: 15, MUNICIPALITY: 22, HOUSING[1]: 35},
        "timeline": [
            (5, Entry.UPDATE, "Politiet har afspærret torvet.", {"actor": POLICE}),
            (
                45,
                Entry.ACTION,
                "Tryghedsrådgiveren og SSP er i området og taler med unge og forældre.",
                {},
            ),
            (
                16 * 60,
                Entry.MESSAGE,
                "Kære beboere. I aftes skete der en voldsepisode ved butikstorvet. "
                "Politiet efterforsker sagen. Der er ekstra voksne i området, og "
                "beboerhuset holder åbent til kl. 21.",
                {"channel": "letter", "audience": "residents"},
            ),
            (
                20 * 60,
                Entry.PRESS,
                "BoligSocialt Hus og boligorganisationen tager episoden alvorligt. "
                "Vi arbejder sammen med Fyns Politi og kommunen og har ekstra "
                "voksne i området de kommende aftener. Spørgsmål om efterforskningen "
                "henvises til Fyns Politi.",
                {"approved_by": APPROVER},
            ),
            (3 * 24 * 60, Entry.UPDATE, "Roligt i området siden weekenden.", {}),
        ],
        "closed": (
            21,
            "Partnerne var underrettet inden for en halv time. Beskeden til "
            "beboerne kom først dagen efter; næste gang sendes den samme aften.",
        ),
    },
    {
        "when": (250, "02:15"),
        "area": "vollsmose",
        "kind": Kind.FIRE,
        "severity": Severity.SERIOUS,
        "reported_by": ReportedBy.HOUSING,
        "title": "Brand i kælderrum",
        "place": "Kælderen under opgang 14, Bøgeparken",
        "description": "Brand i et kælderrum; opgangen blev røget igennem, og "
        "flere husstande måtte ud om natten.",
        "notify": {HOUSING[0]: 20, POLICE: 35, MUNICIPALITY: 60},
        "timeline": [
            (
                30,
                Entry.UPDATE,
                "Brandvæsenet har slukket branden. Ingen kom til skade.",
                {"actor": "Fyns Beredskab"},
            ),
            (
                50,
                Entry.ACTION,
                "Beboerhuset er åbnet som varmestue for opgangens beboere.",
                {"actor": HOUSING[0]},
            ),
            (
                8 * 60,
                Entry.MESSAGE,
                "Skolen og børnehaven er orienteret, så de kan tage imod børnenes "
                "spørgsmål.",
                {"channel": "email", "audience": "institutions"},
            ),
        ],
        "closed": (
            14,
            "Godt samarbejde med driften om natten. Kontaktlisten manglede "
            "kommunens nattelefon; den er tilføjet.",
        ),
    },
    {
        "when": (180, "19:30"),
        "area": "korslokkeparken",
        "kind": Kind.UNREST,
        "severity": Severity.SERIOUS,
        "reported_by": ReportedBy.STAFF,
        "title": "Uro og fyrværkeri ved boldbanen",
        "place": "Boldbanen midt i Korsløkkeparken",
        "description": "En større gruppe unge skød fyrværkeri mod biler og "
        "forbipasserende.",
        "notify": {POLICE: 10, SSP: 25},
        "timeline": [
            (15, Entry.UPDATE, "Politiet er kørt til stedet.", {"actor": POLICE}),
            (
                2 * 24 * 60,
                Entry.ACTION,
                "Gadeplansmedarbejdere og SSP er ude de næste aftener.",
                {},
            ),
            (
                2 * 24 * 60 + 60,
                Entry.MESSAGE,
                "Opslag i beboergruppen om uroen og om de ekstra voksne i området.",
                {"channel": "social", "audience": "residents"},
            ),
        ],
        "closed": (10, "Uroen stilnede af efter to aftener med ekstra voksne."),
    },
    {
        "when": (120, "08:10"),
        "area": "ejerslykke",
        "kind": Kind.VANDALISM,
        "severity": Severity.MINOR,
        "reported_by": ReportedBy.HOUSING,
        "title": "Hærværk på legepladsen",
        "place": "Legepladsen ved Ejerslykke Have",
        "description": "Gyngestativ og bænke er ødelagt i nattens løb.",
        "notify": {HOUSING[2]: 60, POLICE: 90},
        "timeline": [
            (
                2 * 60,
                Entry.ACTION,
                "Legepladsen er lukket, til den er repareret.",
                {"actor": HOUSING[2]},
            ),
        ],
        "closed": (5, "Repareret på tre dage; ingen nye skader siden."),
    },
    {
        "when": (60, "16:50"),
        "area": "vollsmose",
        "kind": Kind.DEATH,
        "severity": Severity.SERIOUS,
        "reported_by": ReportedBy.INSTITUTION,
        "title": "Ung fra området omkommet i trafikulykke",
        "place": "Vollsmose",
        "description": "Skolen fortæller, at en ung fra området er omkommet. "
        "Mange unge er berørte.",
        "notify": {HOUSING[0]: 30, SSP: 20, MUNICIPALITY: 45},
        "timeline": [
            (
                3 * 60,
                Entry.ACTION,
                "Kommunens krisepsykolog er i ungdomsklubben i aften.",
                {"actor": "Odense Kommune"},
            ),
            (
                24 * 60,
                Entry.MESSAGE,
                "Mindestund i beboerhuset torsdag kl. 17; alle er velkomne.",
                {"channel": "meeting", "audience": "both"},
            ),
        ],
        "closed": (30, "Mindestunden samlede mange; netværket følger de unge."),
    },
    {
        "when": (9, "22:05"),
        "area": "rising",
        "kind": Kind.VIOLENCE,
        "severity": Severity.SERIOUS,
        "reported_by": ReportedBy.RESIDENT,
        "title": "Slagsmål mellem grupper af unge",
        "place": "Ved ungdomsklubben",
        "description": "Slagsmål mellem to grupper unge; to lettere tilskadekomne.",
        "notify": {POLICE: 6, SSP: 14, NO_CONTACTS: "failed"},
        "timeline": [
            (20, Entry.UPDATE, "Politiet har talt med de involverede.", {}),
            (
                24 * 60,
                Entry.ACTION,
                "Ekstra gadeplansmedarbejdere ved klubben de næste aftener.",
                {},
            ),
        ],
    },
    {
        "when": (0, None),  # three hours ago
        "area": "vollsmose",
        "kind": Kind.FIRE,
        "severity": Severity.MINOR,
        "reported_by": ReportedBy.STAFF,
        "title": "Containerbrand ved Egeparken",
        "place": "Containerpladsen ved Egeparken",
        "description": "Brand i to containere; brandvæsenet slukkede den hurtigt.",
        "notify": {HOUSING[0]: 18, POLICE: None},
        "timeline": [
            (25, Entry.UPDATE, "Branden er slukket; ingen kom til skade.", {}),
        ],
    },
]

# Days ago; areas; organisations; tasks as (owner, description, due in days
# from the meeting, done).
MEETINGS = [
    (
        150,
        ["rising", "korslokkeparken"],
        [BSH, POLICE, SSP, MUNICIPALITY, HOUSING[1]],
        "1. Status på tryghed i Rising og Korsløkkeparken\n2. Belysning på stierne",
        "Driften kortlægger mørke stier. SSP laver plan for sommerens aktiviteter.",
        [
            (HOUSING[1], "Kortlæg mørke stier i Rising sammen med driften", 30, True),
            (SSP, "Plan for sommerens aktiviteter for unge", 45, True),
        ],
    ),
    (
        70,
        ["vollsmose"],
        [BSH, POLICE, SSP, MUNICIPALITY, HOUSING[0]],
        "1. Opfølgning på branden i Bøgeparken\n2. Stien til skolen",
        "Bedre lys på stien til skolen. Fælles opfølgning med beboerne.",
        [
            (HOUSING[0], "Sæt lys op på stien til skolen", 50, False),
            (BSH, "Beboermøde om branden og beredskabet", 21, True),
        ],
    ),
    (
        5,
        ["rising", "korslokkeparken", "vollsmose"],
        [BSH, POLICE, SSP, MUNICIPALITY, HOUSING[0], HOUSING[1]],
        "1. Slagsmålet ved ungdomsklubben i Rising\n2. Fælles synlighed om aftenen",
        "Politiet og SSP er mere synlige ved klubben. Forældremøde i Rising.",
        [
            (POLICE, "Mere synlighed ved ungdomsklubben om aftenen", 14, False),
            (SSP, "Forældremøde i Rising", 21, False),
            (BSH, "Evaluer beredskabet efter slagsmålet", 30, False),
        ],
    ),
]
PARTICIPANTS = {
    BSH: "Tina Tryghedsrådgiver (demo), tryghedsrådgiver",
    POLICE: "Jesper Demo-Nærbetjent, Fyns Politi",
    SSP: "Sara Demo-SSP, SSP Odense",
    MUNICIPALITY: "Birgitte Demo-Beredskab, Odense Kommune",
    HOUSING[0]: "Torben Demo-Drift, Demo Boligforening Fyn",
    HOUSING[1]: "Lene Demo-Drift, Demo Almene Boliger Odense",
}


def load_beredskab(by: User) -> int:
    """Contact lists, seven incidents over the last year (two still open) and
    three network meetings with their tasks. Returns the number of incidents."""
    Incident.objects.filter(is_demo=True).delete()
    NetworkMeeting.objects.filter(is_demo=True).delete()
    Contact.objects.filter(is_demo=True).delete()
    organisations = {o.name: o for o in Organisation.objects.all()}
    areas = {a.slug: a for a in Area.objects.all()}
    _load_contacts(organisations, areas)
    for spec in INCIDENTS:
        _load_incident(spec, organisations, areas, by)
    for meeting in MEETINGS:
        _load_meeting(*meeting, organisations, areas, by)
    return Incident.objects.filter(is_demo=True).count()


def _load_contacts(organisations: dict, areas: dict) -> None:
    contacts = {
        name: Contact.objects.create(
            organisation=organisations[organisation],
            area=areas[slug] if slug else None,
            name=name,
            role=role,
            rank=rank,
            phone=f"+45 {phone}",
            email="" if name in PHONE_ONLY else _email(name),
            is_demo=True,
        )
        for organisation, slug, name, role, rank, phone in CONTACTS
    }
    for name, stand_in in STAND_INS.items():
        contacts[name].stand_in = contacts[stand_in]
        contacts[name].save(update_fields=["stand_in"])


def _email(name: str) -> str:
    """ "Jesper Demo-Nærbetjent" -> jesper.demo-naerbetjent@example.org"""
    for letter, spelled in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), (" ", ".")):
        name = name.lower().replace(letter, spelled)
    return f"{name}@example.org"


def _occurred_at(days: int, at: str | None) -> datetime.datetime:
    """The given days ago at the given local time, never on a day the clocks
    switch; or three hours ago, stepped back out of an hour that happens twice."""
    if at is None:
        moment = timezone.now() - 3 * HOUR
        # Its notifications and timeline follow within two hours.
        while any(clock.is_repeated(moment + k * TEN_MINUTES) for k in range(13)):
            moment -= HOUR
        return moment
    day = clock.clear_of_switches(timezone.localdate() - datetime.timedelta(days=days))
    return clock.local_moment(day, datetime.time.fromisoformat(at))


def _later(moment: datetime.datetime, minutes: int) -> datetime.datetime:
    """The given minutes after the moment, stepped on out of an hour that happens
    twice (a made-up time never falls in it)."""
    later = moment + datetime.timedelta(minutes=minutes)
    return later + 2 * HOUR if clock.is_repeated(later) else later


def _load_incident(spec: dict, organisations: dict, areas: dict, by: User) -> None:
    occurred_at = _occurred_at(*spec["when"])
    closed = spec.get("closed")
    incident = Incident.objects.create(
        title=spec["title"],
        kind=spec["kind"],
        area=areas[spec["area"]],
        place=spec["place"],
        occurred_at=occurred_at,
        severity=spec["severity"],
        reported_by=spec["reported_by"],
        description=spec["description"],
        status=Incident.Status.CLOSED if closed else Incident.Status.OPEN,
        evaluation=closed[1] if closed else "",
        closed_at=_later(occurred_at, closed[0] * DAY) if closed else None,
        closed_by=by if closed else None,
        created_by=by,
        is_demo=True,
    )
    # Opened a few minutes after it happened, as a person would.
    opened_at = _later(occurred_at, 4)
    Incident.objects.filter(pk=incident.pk).update(created_at=opened_at)
    _load_notifications(incident, spec["notify"], organisations, by)
    incident.notifications.update(created_at=opened_at)
    IncidentEntry.objects.bulk_create(
        IncidentEntry(
            incident=incident,
            kind=kind,
            happened_at=_later(occurred_at, after),
            text=text,
            created_by=by,
            **extra,
        )
        for after, kind, text, extra in spec["timeline"]
    )


def _load_notifications(
    incident: Incident, notify: dict, organisations: dict, by: User
) -> None:
    """Sent the given minutes after the incident; None: waiting for another try;
    "failed": the organisation has no contact e-mail."""
    occurred_at = incident.occurred_at
    minutes = datetime.timedelta(minutes=1)
    for name, after in notify.items():
        notification = IncidentNotification.objects.create(
            incident=incident, organisation=organisations[name], created_by=by
        )
        if after == "failed":
            # Its real first try: no contact of the organisation has an e-mail.
            notifications.send_incident_notification(notification.pk)
        elif after is None:
            # The mail server said no twice; the next try comes in a moment.
            notification.attempts = 2
            notification.last_error = "SMTPServerDisconnected: Connection closed"
            notification.next_attempt_at = timezone.now() + 4 * minutes
            notification.save(
                update_fields=["attempts", "last_error", "next_attempt_at"]
            )
        else:
            notification.mark_sent(
                recipients=notifications.incident_recipients(notification)
            )
            IncidentNotification.objects.filter(pk=notification.pk).update(
                sent_at=_later(occurred_at, after)
            )


def _load_meeting(
    days_ago: int,
    slugs: list[str],
    names: list[str],
    agenda: str,
    decisions: str,
    tasks: list[tuple],
    organisations: dict,
    areas: dict,
    by: User,
) -> None:
    held_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    meeting = NetworkMeeting.objects.create(
        held_on=held_on,
        participants="\n".join(
            PARTICIPANTS[name] for name in names if name in PARTICIPANTS
        ),
        agenda=agenda,
        decisions=decisions,
        created_by=by,
        is_demo=True,
    )
    meeting.areas.set(areas[slug] for slug in slugs)
    meeting.organisations.set(organisations[name] for name in names)
    for owner, description, due_in, done in tasks:
        due_on = held_on + datetime.timedelta(days=due_in)
        FollowUpTask.objects.create(
            meeting=meeting,
            description=description,
            owner=organisations[owner],
            due_on=due_on,
            done_on=min(due_on, timezone.localdate()) if done else None,
            done_by=by if done else None,
        )
