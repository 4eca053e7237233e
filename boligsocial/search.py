"""The search in the header: one box that finds findings, walks, incidents,
activities, planned events and network meetings, and for the roles allowed
Nabohjælp sign-ups by name and advice cases by number.

Each kind starts from what the person may open (the queryset its door uses:
`visible_to(user)`, the advice cases the person works on), so nobody finds what
they cannot open, and each result links to the object's own page.

A query is read into words, dates ("maj 2025", "15.05.2025", "15. maj") and kind
words ("hændelse maj" looks among incidents only). A word matches when it is in
the object's text, or names the object's area, category or organisation.

On PostgreSQL the text is matched with full-text search in the Danish
configuration, through GIN expression indexes on exactly the vectors below
(migrations safety 0012 and activities 0009): each query word becomes a prefix
query of its Danish stem stemmed once more, because the Snowball stemmer leaves
"legepladsen" as 'legeplads' but "legeplads" as 'legeplad'. Sign-ups' names
are matched in the 'simple' configuration: each word of the query is the start
of a word of the name, in any case. On SQLite (the
development default) the rows a person may see are read and matched in Python,
case-folded (æøå included) with a few Danish endings taken off, and a word not
found as it is typed matched by trigram similarity as pg_trgm does (a typo):
fine for the demo data, not meant for ten years of it.
"""

import datetime
import operator
import re
from dataclasses import dataclass, field
from functools import reduce

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, PlannedEvent
from advice.models import Case
from safety.models import (
    Finding,
    FindingCategory,
    Incident,
    NetworkMeeting,
    SignUp,
    Walk,
)

from .clock import day_start
from .models import Area, Organisation

LIMIT = 5  # results of a kind on the page of every kind
MORE = 50  # results of one kind asked for on its own
RANKED = 200  # the newest matches of a kind, ranked by how well they match
MAX_LENGTH = 100
DANISH = "danish"  # text: Danish stems, Danish stop words left out
NAMES = "simple"  # names: words as written, lower-cased


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Søg"),
        max_length=MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _(
                "Skriv højst %(limit_value)d tegn (du skrev %(show_value)d)."
            )
        },
    )
    kind = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_kind(self) -> str:
        """One kind's results on their own; an unknown kind: every kind."""
        kind = self.cleaned_data["kind"]
        return kind if kind in KIND_WORDS else ""


# --- Reading the query ---------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jan", "january"),
            ("februar", "feb", "february"),
            ("marts", "mar", "march"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Words that name a kind: "hændelse maj" looks among the incidents of May. A word
# names a kind when it starts with one of these and is at most a Danish ending
# longer ("hændelsen", "fundene").
KIND_WORDS = {
    "findings": ("fund", "finding"),
    "walks": ("tryghedsvandring", "vandring", "walk"),
    "incidents": ("hændelse", "incident"),
    "activities": ("aktivitet", "activit"),
    "events": ("kalender", "arrangement", "event"),
    "meetings": ("netværksmøde", "møde", "meeting"),
    "signups": ("tilmelding", "signup"),
    "cases": ("sag", "case"),
}

TOKEN = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<day>\d{1,2})[./-](?P<month>\d{1,2})(?:[./-](?P<year>\d{4}|\d{2}))?\.?"
    r"|(?P<word>\w+)"
)


@dataclass
class When:
    """A day, month or year the query names; a part not named is any."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def __bool__(self) -> bool:
        return any((self.year, self.month, self.day))

    def q(self, name: str, *, moment: bool) -> Q:
        """The condition on a date (or, `moment`, a date and time) field."""
        if self.year:  # a span of days: an index on the field can be used
            first, after = self.span()
            if moment:
                first, after = day_start(first), day_start(after)
            return Q(**{f"{name}__gte": first, f"{name}__lt": after})
        parts = {"month": self.month, "day": self.day, "year": self.year}
        return Q(**{f"{name}__{part}": value for part, value in parts.items() if value})

    def span(self) -> tuple[datetime.date, datetime.date]:
        """The first day and the day after, of a day, month or year."""
        if self.day:
            first = datetime.date(self.year, self.month, self.day)
            return first, first + datetime.timedelta(days=1)
        if self.month:
            first = datetime.date(self.year, self.month, 1)
            following = self.year * 12 + self.month  # the next month, 0-based
            return first, datetime.date(following // 12, following % 12 + 1, 1)
        return datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)


@dataclass
class Query:
    text: str
    words: list[str] = field(default_factory=list)
    when: When = field(default_factory=When)
    kinds: set[str] = field(default_factory=set)  # none named: every kind
    number: int | None = None  # a case number: the query is one number
    error: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.when or self.number or self.kinds)


def read_query(text: str) -> Query:
    """Words, a date, kind words and a case number, from what was typed."""
    query = Query(text=text)
    tokens = list(TOKEN.finditer(text))
    for index, token in enumerate(tokens):
        try:
            if not _read_date(token, tokens[index + 1 : index + 2], query.when):
                _read_word(token["word"], query)
        except ValueError:
            query.when = When()
            query.error = str(_("Datoen »%(date)s« findes ikke.") % {"date": token[0]})
            break
    others = [t[0] for t in tokens if not (t["word"] and _kind_of(t["word"]))]
    if len(others) == 1 and others[0].isdigit() and len(others[0]) <= 9:
        query.number = int(others[0])
    return query


def _read_date(token, following, when: When) -> bool:
    """Reads a date, or a part of one, into `when`; False for any other word."""
    word = (token["word"] or "").casefold()
    if token["iso"]:
        when.year, when.month, when.day = map(int, token["iso"].split("-"))
    elif token["day"]:
        when.day, when.month = int(token["day"]), int(token["month"])
        if token["year"]:
            year = int(token["year"])
            when.year = year + 2000 if len(token["year"]) == 2 else year
    elif word in MONTHS:
        when.month = MONTHS[word]
    elif word.isdigit() and len(word) == 4 and 1990 <= int(word) <= 2100:
        when.year = int(word)
    elif (
        word.isdigit()
        and 1 <= int(word) <= 31
        and following
        and (following[0]["word"] or "").casefold() in MONTHS
    ):
        when.day = int(word)  # "15. maj"
    else:
        return False
    # Refuses a year the portal cannot hold a record of (its spans would run past
    # the calendar's end) and a day that does not exist (31.02.2025); any year
    # has a 29.02.
    if when.year is not None and not 1990 <= when.year <= 2100:
        raise ValueError(f"year {when.year}")
    datetime.date(when.year or 2000, when.month or 1, when.day or 1)
    return True


def _kind_of(word: str) -> str | None:
    folded = word.casefold()
    for kind, starts in KIND_WORDS.items():
        if any(folded.startswith(s) and len(folded) <= len(s) + 4 for s in starts):
            return kind
    return None


def _read_word(word: str, query: Query) -> None:
    if kind := _kind_of(word):
        query.kinds.add(kind)
    else:
        query.words.append(word)


# --- What a kind searches ------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    """A relation whose name a query word may give ("Rising", "hærværk", "politi")."""

    lookup: str
    model: type | None = None  # names from a table: its `name` column
    choices: type | None = None  # or from TextChoices' labels
    many: bool = False  # a many-to-many relation


@dataclass(frozen=True)
class Searched:
    """What a kind's rows are searched by: `fields` (the columns of the full-text
    vector, which the kind's GIN index is built on), the facets, the date."""

    fields: tuple[str, ...]
    facets: tuple[Facet, ...] = ()
    date: str = ""
    moment: bool = False  # the date field holds a time too
    config: str = DANISH

    def vector(self) -> SearchVector:
        return SearchVector(*self.fields, config=self.config)


AREA = Facet("area", Area)
ORGANISATION = Facet("responsible", Organisation)

FINDINGS = Searched(
    ("description", "place"),
    (AREA, Facet("category", FindingCategory), ORGANISATION),
    "found_at",
    moment=True,
)
WALKS = Searched(
    ("route", "clear_stretches", "notes"), (AREA,), "starts_at", moment=True
)
INCIDENTS = Searched(
    ("title", "place", "description"),
    (AREA, Facet("kind", choices=Incident.Kind)),
    "occurred_at",
    moment=True,
)
ACTIVITIES = Searched(
    ("name", "purpose", "target_group"),
    (Facet("areas", Area, many=True), ORGANISATION),
)
EVENTS = Searched(("title", "place"), (AREA, Facet("organiser", Organisation)), "date")
MEETINGS = Searched(
    ("forum", "agenda", "decisions", "participants"),
    (Facet("areas", Area, many=True), Facet("organisations", Organisation, many=True)),
    "held_on",
)
SIGNUPS = Searched(("name",), (AREA,), "signed_up_on", config=NAMES)


@dataclass
class Hit:
    text: str
    url: str
    note: str = ""


@dataclass
class Group:
    kind: str
    title: str
    hits: list[Hit]
    more_url: str = ""  # this kind's results on their own, when there are more
    list_url: str = ""  # the kind's own list, filtered the same way


class Search:
    """One search by one person: the names the query's words give, read once."""

    def __init__(self, user, query: Query):
        self.user = user
        self.query = query
        self.postgres = connection.vendor == "postgresql"
        self._names: dict[type, list[tuple[int, str]]] = {}
        self._lexemes: dict[str, dict[str, str]] | None = None

    def names(self, model) -> list[tuple[int, str]]:
        if model not in self._names:
            self._names[model] = list(model.objects.values_list("pk", "name"))
        return self._names[model]

    def facet_values(self, facet: Facet, word: str) -> list:
        """The ids (or choice values) of the facet that the word names."""
        if len(word) < 3:
            return []
        folded = _stem(word.casefold())
        if facet.choices:
            named = [(c.value, str(c.label)) for c in facet.choices]
        else:
            named = self.names(facet.model)
        return [
            value
            for value, name in named
            if any(
                part.startswith(folded) for part in re.findall(r"\w+", name.casefold())
            )
        ]

    def lexemes(self, config: str) -> dict[str, str]:
        """Each word's prefix query in the configuration: its stems as
        PostgreSQL reads them (a Danish stop word has none), each to be stemmed
        again and matched as a prefix. One query for every word and both
        configurations."""
        if self._lexemes is None:
            self._lexemes = {DANISH: {}, NAMES: {}}
            if words := self.query.words:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT w, plainto_tsquery(%s::regconfig, w)::text, "
                        "plainto_tsquery(%s::regconfig, w)::text "
                        "FROM unnest(%s::text[]) AS w",
                        [DANISH, NAMES, words],
                    )
                    for word, *found in cursor.fetchall():
                        for name, stems in zip((DANISH, NAMES), found, strict=True):
                            if stems:
                                prefixes = re.sub(r"('(?:[^']|'')+')", r"\1:*", stems)
                                self._lexemes[name][word] = prefixes
        return self._lexemes[config]

    def matching(self, rows, searched: Searched, limit: int) -> list:
        """The rows that match the query, best first, newest first: `limit` of
        them, and one more when there are more."""
        query, shown, rank = self.query, rows, None
        if query.when:
            if not searched.date:
                return []
            rows = rows.filter(query.when.q(searched.date, moment=searched.moment))
        if query.words:
            find = self._in_database if self.postgres else self._in_python
            found, rank = find(rows, searched)
            if found is not None:
                rows = found
            elif not (query.when or query.kinds):
                return []  # only stop words
        order = [f"-{searched.date}"] if searched.date else []
        if rank is not None:
            # ts_rank reads each row's text again: over the newest matches only,
            # or a common word (10,000 findings) would take a second; and the
            # rows are then fetched by id, not matched again.
            newest = rows.order_by(*order, "-pk").values("pk")[:RANKED]
            rows = (
                shown.alias(search_vector=searched.vector())
                .filter(pk__in=newest)
                .annotate(rank=SearchRank(F("search_vector"), rank))
            )
            order.insert(0, "-rank")
        return list(rows.order_by(*order, "-pk")[: limit + 1])

    def _in_database(self, rows, searched: Searched):
        """PostgreSQL: the rows where every word is in the text or gives one of
        the names, and the query to rank them by; None when no word can match
        (stop words).

        Written so that no row's text is read outside the GIN index: the words
        that give no name are one query of the index; a word that gives a name
        too is the ids the index gives for it, or the name (a word's @@ as a
        filter would make PostgreSQL build the vector of every row it reads)."""
        lexemes = self.lexemes(searched.config)
        rows = rows.alias(search_vector=searched.vector())
        ranked, texts, conditions = [], [], []
        for word in self.query.words:
            places = [
                _facet_q(rows.model, facet, values)
                for facet in searched.facets
                if (values := self.facet_values(facet, word))
            ]
            if word in lexemes:  # not a stop word, which is in no vector
                ranked.append(_text_query(lexemes[word], searched.config))
                if not places:
                    texts.append(lexemes[word])
                    continue
                ids = _matching_ids(rows.model, searched, ranked[-1])
                places.append(Q(pk__in=ids))
            if places:
                conditions.append(reduce(operator.or_, places))
        if texts:
            together = " & ".join(f"({text})" for text in texts)
            conditions.append(Q(search_vector=_text_query(together, searched.config)))
        if not conditions:
            return None, None
        rank = reduce(operator.or_, ranked) if ranked else None
        return rows.filter(*conditions), rank

    def _in_python(self, rows, searched: Searched):
        """SQLite: every row the person may see, its text and names case-folded,
        each word with a Danish ending taken off, or (a typo) by trigram
        similarity; None when no word can match."""
        stems = [_stem(w.casefold()) for w in self.query.words]
        stems = [s for s in stems if s not in STOP_WORDS]
        if not stems:
            return None, None
        paths = list(searched.fields)
        paths += [f"{f.lookup}__name" for f in searched.facets if f.model]
        texts: dict[int, list[str]] = {}
        for pk, *values in rows.values_list("pk", *paths):
            texts.setdefault(pk, []).extend(str(v) for v in values if v)
        choices = [f for f in searched.facets if f.choices]
        if choices:
            for pk, *values in rows.values_list("pk", *(f.lookup for f in choices)):
                texts[pk].extend(
                    str(facet.choices(v).label)
                    for facet, v in zip(choices, values, strict=True)
                )
        found = [
            pk
            for pk, parts in texts.items()
            if _all_in(stems, " ".join(parts).casefold())
        ]
        return rows.filter(pk__in=found), None


def _text_query(text: str, config: str) -> SearchQuery:
    """A tsquery of prefixes of stems (see Search.lexemes), stemmed again."""
    return SearchQuery(text, search_type="raw", config=config)


def _matching_ids(model, searched: Searched, text: SearchQuery):
    """The ids whose text matches, read from the GIN index alone."""
    vector = model.objects.alias(search_vector=searched.vector())
    return vector.filter(search_vector=text).values("pk")


def _facet_q(model, facet: Facet, values: list) -> Q:
    if facet.many:
        return Q(pk__in=model.objects.filter(**{f"{facet.lookup}__in": values}))
    return Q(**{f"{facet.lookup}__in": values})


# A few Danish endings (the dev fallback's stand-in for the Snowball stemmer) and
# the commonest short words, which match anywhere.
ENDINGS = ("ernes", "erne", "ene", "ens", "ets", "er", "en", "et", "es", "e", "s")
STOP_WORDS = set(
    "og i på ved til af for med den det de en et at om fra the in of on".split()
)


SIMILAR = 0.3  # pg_trgm's default similarity threshold


def _stem(word: str) -> str:
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _all_in(stems: list[str], text: str) -> bool:
    """The development fallback's match: each stem is in the text, or (a word
    typed a little wrong) as like one of its words as pg_trgm would call similar."""
    words = None
    for stem in stems:
        if stem in text:
            continue
        if len(stem) < 4:
            return False
        words = words if words is not None else set(re.findall(r"\w+", text))
        if not any(_similarity(stem, word) >= SIMILAR for word in words):
            return False
    return True


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similarity(one: str, other: str) -> float:
    """pg_trgm's similarity(): the share of the two words' trigrams they share."""
    a, b = _trigrams(one), _trigrams(other)
    return len(a & b) / len(a | b)


# --- One function per kind -----------------------------------------------------------


def _day(value: datetime.date) -> str:
    return value.strftime("%d.%m.%Y")


def _moment(value: datetime.datetime) -> str:
    return _day(timezone.localdate(value))


def findings(search: Search, limit: int) -> list[Hit]:
    rows = Finding.objects.visible_to(search.user).select_related("area", "category")
    return [
        Hit(
            f"{f.category.name}: {f.place}",
            f.get_absolute_url(),
            f"{f.area.name} · {_moment(f.found_at)} · {f.get_status_display()}",
        )
        for f in search.matching(rows, FINDINGS, limit)
    ]


def walks(search: Search, limit: int) -> list[Hit]:
    rows = Walk.objects.visible_to(search.user).select_related("area")
    return [
        Hit(str(w), w.get_absolute_url(), str(w.get_status_display()))
        for w in search.matching(rows, WALKS, limit)
    ]


def incidents(search: Search, limit: int) -> list[Hit]:
    rows = Incident.objects.visible_to(search.user).select_related("area")
    return [
        Hit(
            i.title,
            i.get_absolute_url(),
            f"{i.area.name} · {_moment(i.occurred_at)} · {i.get_status_display()}",
        )
        for i in search.matching(rows, INCIDENTS, limit)
    ]


def activities(search: Search, limit: int) -> list[Hit]:
    """The plan's activities are shared language: every signed-in role reads them
    (activities.access.get_activity_for_user)."""
    rows = Activity.objects.select_related("focus_area__plan_period")
    return [
        Hit(
            a.name,
            a.get_absolute_url(),
            f"{a.focus_area.name} · {a.focus_area.plan_period.name}",
        )
        for a in search.matching(rows, ACTIVITIES, limit)
    ]


def events(search: Search, limit: int) -> list[Hit]:
    """Planned events from today on, each shown in the calendar (which shows no
    day before today) from its day, in its area."""
    today = timezone.localdate()
    rows = (
        PlannedEvent.objects.visible_to(search.user)
        .upcoming(today)
        .select_related("area", "activity")
    )
    return [
        Hit(
            e.title,
            reverse("activities:calendar")
            + "?"
            + urlencode({"start": e.date.isoformat(), "area": e.area.slug}),
            f"{e.activity.name} · {e.area.name} · {_day(e.date)} · {e.place}",
        )
        for e in search.matching(rows, EVENTS, limit)
    ]


def meetings(search: Search, limit: int) -> list[Hit]:
    rows = NetworkMeeting.objects.visible_to(search.user)
    return [
        Hit(str(m), m.get_absolute_url(), _first_line(m.agenda))
        for m in search.matching(rows, MEETINGS, limit)
    ]


def signups(search: Search, limit: int) -> list[Hit]:
    """By name, for the roles that recruit and follow up (the others' queryset is
    empty); a withdrawn sign-up holds no name."""
    rows = SignUp.objects.visible_to(search.user).current().select_related("area")
    return [
        Hit(
            s.name,
            s.get_absolute_url(),
            f"{s.area.name} · {s.get_status_display()}",
        )
        for s in search.matching(rows, SIGNUPS, limit)
    ]


def cases(search: Search, limit: int) -> list[Hit]:
    """By number only, and only a case the person works on: need-to-know (another
    advisor or a coordinator opens no case they are not on, so finds none)."""
    if search.query.number is None:
        return []
    rows = Case.objects.worked_by(search.user).filter(pk=search.query.number)
    return [
        Hit(str(c), c.get_absolute_url(), str(c.get_status_display()))
        for c in rows[: limit + 1]
    ]


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:80]


@dataclass(frozen=True)
class Kind:
    key: str
    title: object
    find: object
    allowed: object  # user -> bool: whether the kind is searched for the person


KINDS = [
    Kind("findings", _("Fund"), findings, lambda u: u.can_see_findings),
    Kind("walks", _("Tryghedsvandringer"), walks, lambda u: True),
    Kind("incidents", _("Hændelser"), incidents, lambda u: u.can_see_incidents),
    Kind("activities", _("Aktiviteter"), activities, lambda u: True),
    Kind("events", _("Planlagte aktiviteter"), events, lambda u: True),
    Kind("meetings", _("Netværksmøder"), meetings, lambda u: u.can_see_network),
    Kind("signups", _("Nabohjælp-tilmeldinger"), signups, lambda u: u.can_see_signups),
    Kind("cases", _("Rådgivningssager"), cases, lambda u: u.is_advisor),
]


def kinds_for(user) -> list[Kind]:
    """The kinds the person's search looks among."""
    return [kind for kind in KINDS if user.is_active and kind.allowed(user)]


def search_for(user, query: Query, *, only: str = "") -> list[Group]:
    """The groups of results, kind by kind, of what the person may open."""
    search = Search(user, query)
    groups = []
    for kind in kinds_for(user):
        if (only and kind.key != only) or (query.kinds and kind.key not in query.kinds):
            continue
        limit = MORE if only else LIMIT
        hits = kind.find(search, limit)
        if not hits:
            continue
        group = Group(
            kind.key, kind.title, hits[:limit], list_url=_list_url(kind, query)
        )
        if len(hits) > limit and not only:
            group.more_url = search_url(query.text, kind=kind.key)
        groups.append(group)
    return groups


# The lists whose filter can say the same: sign-ups by name, and a day, month or
# year of findings (their map), walks and incidents (the filter's names).
NAME_LISTS = {"signups": ("safety:signup_list", "name")}
DATE_LISTS = {
    "findings": ("safety:finding_map", "found"),
    "walks": ("safety:walk_list", "walked"),
    "incidents": ("safety:incident_list", "occurred"),
}


def _list_url(kind: Kind, query: Query) -> str:
    """The kind's own list, filtered to what was searched, where its filter can."""
    if kind.key in NAME_LISTS and query.words and not query.when:
        name, field = NAME_LISTS[kind.key]
        filters = {field: " ".join(query.words)}
    elif kind.key in DATE_LISTS and query.when.year and not query.words:
        name, prefix = DATE_LISTS[kind.key]
        first, after = query.when.span()
        last = after - datetime.timedelta(days=1)
        filters = {
            f"{prefix}_from": first.isoformat(),
            f"{prefix}_to": last.isoformat(),
        }
    else:
        return ""
    return reverse(name) + "?" + urlencode(filters)


def search_url(text: str, **more) -> str:
    return reverse("search") + "?" + urlencode({"q": text, **more})
