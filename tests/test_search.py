# ruff: noqa: F811 - the apps' fixtures are imported, then asked for by name
"""The header's search: one box finds findings, walks, incidents, activities,
planned events, network meetings, sign-ups by name and advice cases by number —
each only for a person who may open it, Danish word forms and æøå handled."""

import datetime
import importlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, PlannedEvent
from advice.tests.conftest import (  # noqa: F401 - a fixture, asked for by name
    make_case,
    make_household,
    other_advisor,
)
from boligsocial import search
from boligsocial.models import Area, Organisation, Role
from conftest import make_user
from safety.conftest import (  # noqa: F401 - fixtures of the safety tests
    TODAY,
    frozen_today,
    make_incident,
    make_meeting,
    make_signup,
    police,
    rising,
    ssp,
)
from safety.models import Finding, FindingCategory, Walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

LAST_YEAR = TODAY.year - 1
URL = reverse("search")


def found_at(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


def make_finding(place: str, *, area="rising", responsible="Fyns Politi", **fields):
    values = {
        "area": Area.objects.get(slug=area),
        "category": FindingCategory.objects.get(name="Hærværk"),
        "description": "Knust rude i opgangen.",
        "place": place,
        "responsible": Organisation.objects.get(name=responsible),
        "found_at": found_at(LAST_YEAR, 3, 2),
        **fields,
    }
    return Finding.objects.create(**values)


def make_event(user, area: str, **fields) -> PlannedEvent:
    values = {
        "activity": Activity.objects.get(
            name="Gadeplansarbejde", focus_area__plan_period__name__contains="2017"
        ),
        "title": "Sommerfest på plænen",
        "date": TODAY + datetime.timedelta(days=7),
        "place": "Fælleshuset",
        "area": Area.objects.get(slug=area),
        "organiser": user.organisation,
        "created_by": user,
        **fields,
    }
    return PlannedEvent.objects.create(**values)


def texts(client, query: str, kind: str = "") -> dict[str, list[str]]:
    """The results' texts by kind, for the query."""
    response = client.get(URL, {"q": query, "kind": kind})
    assert response.status_code == 200
    return {g.kind: [h.text for h in g.hits] for g in response.context["groups"]}


@pytest.fixture
def ssp_partner(db):
    """A partner of SSP Odense granted Vollsmose only: the outsider."""
    return make_user(
        "ssp", Role.PARTNER, organisation="SSP Odense", areas=["vollsmose"]
    )


# --- Each kind: found by whoever may open it, by nobody else --------------------------


def test_a_finding_is_found_by_the_inside_and_the_partner_it_is_routed_to_only(
    client, staff, partner, ssp_partner, advisor
):
    make_finding("Legepladsen ved Rising Allé")
    client.force_login(staff)
    assert texts(client, "legepladsen")["findings"] == [
        "Hærværk: Legepladsen ved Rising Allé"
    ]
    client.force_login(partner)  # Fyns Politi: the finding is routed to it
    assert "findings" in texts(client, "legepladsen")
    for outsider in (ssp_partner, advisor):
        client.force_login(outsider)
        assert "findings" not in texts(client, "legepladsen")


def test_a_walk_is_found_by_the_partners_of_its_area_only(
    client, staff, partner, ssp_partner
):
    Walk.objects.create(
        area=Area.objects.get(slug="rising"),
        starts_at=found_at(LAST_YEAR, 6, 1),
        status=Walk.Status.HELD,
        route="Fra Rising Allé forbi legepladsen til stationen",
        created_by=staff,
    )
    client.force_login(partner)
    assert texts(client, "stationen")["walks"] == [
        f"Tryghedsvandring i Rising 01.06.{LAST_YEAR}"
    ]
    client.force_login(ssp_partner)
    assert "walks" not in texts(client, "stationen")


def test_an_incident_is_found_by_the_organisations_told_of_it_only(
    client, staff, partner, police, ssp_partner, rising
):
    make_incident(rising, notify=[police], title="Knallertkørsel på stierne")
    for person in (staff, partner):
        client.force_login(person)
        assert texts(client, "knallert")["incidents"] == ["Knallertkørsel på stierne"]
    client.force_login(ssp_partner)
    assert "incidents" not in texts(client, "knallert")


def test_a_network_meeting_is_found_by_the_organisations_that_took_part_only(
    client, coordinator, partner, police, ssp_partner, rising
):
    make_meeting(organisations=[police], areas=[rising], agenda="Graffiti i tunnelen")
    for person in (coordinator, partner):
        client.force_login(person)
        assert len(texts(client, "tunnelen")["meetings"]) == 1
    client.force_login(ssp_partner)
    assert "meetings" not in texts(client, "tunnelen")


def test_the_plans_activities_are_found_by_every_role(client, personas, ssp_partner):
    for person in [*personas.values(), ssp_partner]:
        client.force_login(person)
        assert "Gadeplansarbejde" in texts(client, "gadeplan")["activities"]


def test_a_planned_event_is_found_by_the_partners_of_its_area_only(
    client, staff, partner, ssp_partner
):
    make_event(staff, "rising")
    client.force_login(partner)
    (hit,) = client.get(URL, {"q": "sommerfest"}).context["groups"][0].hits
    assert hit.text == "Sommerfest på plænen"
    assert client.get(hit.url).status_code == 200  # the calendar, from its day
    assert "Sommerfest på plænen" in client.get(hit.url).content.decode()
    client.force_login(ssp_partner)
    assert "events" not in texts(client, "sommerfest")


def test_a_sign_up_is_found_by_name_by_those_who_recruit_only(
    client, personas, departments
):
    make_signup(departments[0], name="Amira Østergaard")
    for role in (Role.STAFF, Role.SAFETY_ADVISOR, Role.COORDINATOR):
        client.force_login(personas[role])
        assert texts(client, "amira østergaard")["signups"] == ["Amira Østergaard"]
        assert texts(client, "ØSTERG")["signups"] == ["Amira Østergaard"]
    for role in (Role.ADVISOR, Role.PARTNER, Role.ADMIN):
        client.force_login(personas[role])
        assert "signups" not in texts(client, "amira østergaard")


def test_the_sign_ups_link_to_their_list_searched_by_the_same_name(
    client, staff, departments
):
    make_signup(departments[0], name="Amira Østergaard")
    client.force_login(staff)
    (group,) = client.get(URL, {"q": "østergaard"}).context["groups"]
    assert group.list_url == reverse("safety:signup_list") + "?name=%C3%B8stergaard"
    assert "Amira Østergaard" in client.get(group.list_url).content.decode()


def test_an_advice_case_is_found_by_number_only_by_an_advisor_on_it(
    client, advisor, other_advisor, coordinator, staff, departments
):
    case = make_case(make_household(departments[0]), advisors=[advisor])
    client.force_login(advisor)
    for query in (case.number, str(case.pk), f"sag {case.pk}", f"Sagen {case.number}"):
        assert texts(client, query)["cases"] == [f"Sag {case.number}"], query
    assert "cases" not in texts(client, "Fatima Hansen")  # never by name
    for person in (other_advisor, coordinator, staff):
        client.force_login(person)
        assert "cases" not in texts(client, case.number)


@pytest.mark.parametrize("role", list(Role))
def test_every_result_opens_for_the_person_who_found_it(
    client, personas, role, police, rising, departments
):
    staff, advisor = personas[Role.STAFF], personas[Role.ADVISOR]
    make_finding("Nord", description="Nordlyset på muren")
    make_incident(rising, notify=[police], title="Nordlys over Rising")
    make_meeting(organisations=[police], areas=[rising], agenda="Nordlyset")
    make_event(staff, "rising", title="Nordlys-aften")
    make_signup(departments[0], name="Nora Nordlys")
    Walk.objects.create(
        area=rising, starts_at=found_at(LAST_YEAR, 1, 1), notes="Nordlys"
    )
    case = make_case(make_household(departments[0]), advisors=[advisor])
    client.force_login(personas[role])
    for query in ("nordlys", case.number):
        for group in client.get(URL, {"q": query}).context["groups"]:
            for hit in group.hits:
                assert client.get(hit.url).status_code == 200, (role, hit)


# --- Danish word forms, æøå, names and dates ------------------------------------------


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Legeplads bag blok 3", "legepladsen"),
        ("Legepladsen bag blok 3", "legeplads"),
        ("Legepladserne bag blok 3", "legepladsen"),
        ("Lygten ved stien er knust", "lygter"),
        ("Ødelagte bænke", "ødelagt"),
        ("Hærværk på cykelskuret", "HÆRVÆRKET"),
        ("Ølflasker på græsset", "ØLFLASKER GRÆS"),
        ("Skraldespandene ved Åløkken", "åløkke"),
        ("Legepladsen ved Rising Allé", "legeplads og rising"),  # a stop word
    ],
)
def test_danish_word_forms_and_aeoeaa_are_found(client, staff, text, query):
    make_finding(text)
    client.force_login(staff)
    assert texts(client, query).get("findings") == [f"Hærværk: {text}"]


def test_a_word_may_name_the_area_or_category_instead_of_being_in_the_text(
    client, staff
):
    make_finding("Legepladsen", area="korslokkeparken")
    make_finding("Legepladsen", area="vollsmose")
    client.force_login(staff)
    found = client.get(URL, {"q": "legepladsen korsløkkeparken hærværk"})
    (group,) = found.context["groups"]
    assert [h.note.split(" · ")[0] for h in group.hits] == ["Korsløkkeparken"]


def test_a_month_finds_that_months_incidents_and_a_kind_word_only_incidents(
    client, safety_advisor, rising
):
    make_incident(rising, title="I maj", occurred_at=found_at(LAST_YEAR, 5, 20))
    make_incident(rising, title="I juni", occurred_at=found_at(LAST_YEAR, 6, 1))
    make_finding("Maj-fundet", found_at=found_at(LAST_YEAR, 5, 15))
    client.force_login(safety_advisor)
    assert texts(client, f"maj {LAST_YEAR}") == {
        "findings": ["Hærværk: Maj-fundet"],
        "incidents": ["I maj"],
    }
    assert texts(client, "hændelsen i maj") == {"incidents": ["I maj"]}
    assert texts(client, f"15.05.{LAST_YEAR}") == {"findings": ["Hærværk: Maj-fundet"]}
    assert texts(client, f"{LAST_YEAR}-05-20") == {"incidents": ["I maj"]}
    assert texts(client, "15. maj") == {"findings": ["Hærværk: Maj-fundet"]}


def test_a_month_links_to_the_incident_list_filtered_to_that_month(
    client, safety_advisor, rising
):
    make_incident(rising, title="I maj", occurred_at=found_at(LAST_YEAR, 5, 20))
    make_incident(rising, title="I juni", occurred_at=found_at(LAST_YEAR, 6, 1))
    client.force_login(safety_advisor)
    (group,) = client.get(URL, {"q": f"hændelser maj {LAST_YEAR}"}).context["groups"]
    assert group.list_url == reverse("safety:incident_list") + (
        f"?occurred_from={LAST_YEAR}-05-01&occurred_to={LAST_YEAR}-05-31"
    )
    listed = client.get(group.list_url).content.decode()
    assert "I maj" in listed and "I juni" not in listed


def test_a_day_late_in_the_evening_is_that_local_day(client, staff):
    evening = timezone.make_aware(datetime.datetime(LAST_YEAR, 5, 15, 23, 30))
    make_finding("Sent", found_at=evening)
    client.force_login(staff)
    assert texts(client, f"15.05.{LAST_YEAR}") == {"findings": ["Hærværk: Sent"]}
    assert texts(client, f"16.05.{LAST_YEAR}") == {}


def test_the_best_five_are_shown_with_a_link_to_the_rest(client, staff):
    for n in range(7):
        make_finding(f"Legeplads {n}")
    client.force_login(staff)
    (group,) = client.get(URL, {"q": "legeplads"}).context["groups"]
    assert len(group.hits) == 5
    assert group.more_url == URL + "?q=legeplads&kind=findings"
    assert len(texts(client, "legeplads", kind="findings")["findings"]) == 7


# --- Bad input and access -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Skriv, hvad du leder efter"),
        ("   ", "Skriv, hvad du leder efter"),
        ("x" * 101, "Skriv højst 100 tegn (du skrev 101)"),
        (f"31.02.{LAST_YEAR}", f"Datoen »31.02.{LAST_YEAR}« findes ikke."),
        # The calendar's last days: a span from them would run past its end.
        ("9999-12-31", "Datoen »9999-12-31« findes ikke."),
        ("31.12.9999", "Datoen »31.12.9999« findes ikke."),
        ("9999-12-05", "Datoen »9999-12-05« findes ikke."),
        ("og", "Intet fundet for »og«"),
        ("fund og", "Intet fundet for »fund og«"),
        ("'; DROP TABLE safety_finding; --", "Intet fundet"),
        ("legeplads & | ! :* <->", "Intet fundet"),
        ("legeplads\x00", "Null-tegn er ikke tilladte."),
    ],
)
def test_bad_input_gets_a_clear_answer(client, staff, query, message):
    client.force_login(staff)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_what_was_stored_and_what_was_typed_are_shown_escaped(client, staff):
    make_finding("<script>alert(1)</script> ved legepladsen")
    client.force_login(staff)
    stored = client.get(URL, {"q": "legeplads"}).content
    typed = client.get(URL, {"q": '"><script>alert(2)</script>'}).content
    assert b"<script>alert" not in stored + typed
    assert b"&lt;script&gt;alert(1)" in stored and b"&lt;script&gt;alert(2)" in typed


def test_an_unknown_kind_searches_every_kind(client, staff):
    make_finding("Legeplads")
    client.force_login(staff)
    assert "findings" in texts(client, "legeplads", kind="nonsense")


def test_the_search_is_read_with_get_only(client, staff):
    client.force_login(staff)
    assert client.post(URL, {"q": "legeplads"}).status_code == 405


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL, {"q": "legeplads"})
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_header_has_the_search_box_for_a_person_logged_in(client, staff):
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert 'data-testid="header-search"' in html and 'for="header-q"' in html


# --- Cost -----------------------------------------------------------------------------


# Session and user (and the session saved: 3), the 2FA device where the role has
# one, the stems of the words, the names a word may give (areas, categories,
# organisations, as far as the kinds searched need them), and one query per kind
# the person searches (a partner six, staff and coordinators seven, an advisor
# three: walks, activities, planned events; a case only for a number).
QUERIES = {
    Role.PARTNER: 15,
    Role.STAFF: 17,
    Role.ADVISOR: 12,
    Role.COORDINATOR: 17,
}


@pytest.mark.parametrize("role", list(QUERIES))
def test_a_search_costs_the_same_queries_for_few_rows_and_many(
    client, personas, role, police, rising, departments, django_assert_num_queries
):
    def add_rows(n: int) -> None:
        for i in range(n):
            make_finding(f"Legeplads {i}")
            make_incident(rising, notify=[police], title=f"Legeplads {i}")
            make_meeting(organisations=[police], areas=[rising], agenda="Legeplads")
            make_signup(departments[0], name=f"Rising Legeplads {i}")

    client.force_login(personas[role])
    add_rows(1)
    with django_assert_num_queries(QUERIES[role]):
        client.get(URL, {"q": "legeplads rising"})
    add_rows(10)
    with django_assert_num_queries(QUERIES[role]):
        client.get(URL, {"q": "legeplads rising"})


def test_each_kind_reads_its_gin_index(staff):
    """The indexes of the migrations are on exactly the vectors searched."""
    migration = importlib.import_module("safety.migrations.0012_search_indexes")
    assert migration.VECTORS == {
        "safety_finding": ("danish", search.FINDINGS.fields),
        "safety_walk": ("danish", search.WALKS.fields),
        "safety_incident": ("danish", search.INCIDENTS.fields),
        "safety_networkmeeting": ("danish", search.MEETINGS.fields),
        "safety_signup": ("simple", search.SIGNUPS.fields),
    }
    assert search.SIGNUPS.config == "simple"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    finder = search.Search(staff, search.read_query("legepladsen"))
    for model, searched, index in [
        (Finding, search.FINDINGS, "safety_finding_search"),
        (Walk, search.WALKS, "safety_walk_search"),
        (search.Incident, search.INCIDENTS, "safety_incident_search"),
        (search.NetworkMeeting, search.MEETINGS, "safety_networkmeeting_search"),
        (PlannedEvent, search.EVENTS, "activities_plannedevent_search"),
        (search.SignUp, search.SIGNUPS, "safety_signup_search"),
    ]:
        text = search.SearchQuery(
            finder.lexemes(searched.config)["legepladsen"],
            search_type="raw",
            config=searched.config,
        )
        # Unordered: on an empty table an ordered query may rather walk the index
        # of its ordering (a finding's found_at) and filter as it goes.
        rows = model.objects.alias(search_vector=searched.vector()).order_by()
        assert index in rows.filter(search_vector=text).explain(), model


# --- The development fallback (SQLite) ------------------------------------------------


def test_the_fallback_matches_in_python_with_danish_endings_aeoeaa_and_trigrams(
    staff,
):
    make_finding("Legepladsen ved Åløkken", area="korslokkeparken")
    make_finding("Ølflasker", area="vollsmose")

    def fallback(text: str) -> list[str]:
        finder = search.Search(staff, search.read_query(text))
        finder.postgres = False  # as on SQLite
        return [h.text for h in search.findings(finder, 5)]

    assert fallback("legeplads ved ÅLØKKEN") == ["Hærværk: Legepladsen ved Åløkken"]
    assert fallback("korsløkkeparken") == ["Hærværk: Legepladsen ved Åløkken"]
    assert fallback("ØLFLASKE") == ["Hærværk: Ølflasker"]
    assert fallback("hærværk") == [
        "Hærværk: Ølflasker",
        "Hærværk: Legepladsen ved Åløkken",
    ]
    assert fallback("og") == []
    assert fallback("legeplds") == ["Hærværk: Legepladsen ved Åløkken"]  # a typo
    assert fallback("trampolin") == []


# --- Reading the query ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "when", "kinds", "number"),
    [
        (
            "legepladsen Rising",
            ["legepladsen", "Rising"],
            (None, None, None),
            set(),
            None,
        ),
        ("maj 2025", [], (2025, 5, None), set(), None),
        ("hændelsen i maj", ["i"], (None, 5, None), {"incidents"}, None),
        ("15.05.2025", [], (2025, 5, 15), set(), None),
        ("15/5-25", [], (2025, 5, 15), set(), None),
        ("15. maj", [], (None, 5, 15), set(), None),
        ("2025-05-15", [], (2025, 5, 15), set(), None),
        ("00042", ["00042"], (None, None, None), set(), 42),
        ("sag 42", ["42"], (None, None, None), {"cases"}, 42),
        ("2025", [], (2025, None, None), set(), 2025),
        ("opgang 12", ["opgang", "12"], (None, None, None), set(), None),
        ("fund møder", [], (None, None, None), {"findings", "meetings"}, None),
    ],
)
def test_a_query_is_read_into_words_dates_kinds_and_a_number(
    text, words, when, kinds, number
):
    query = search.read_query(text)
    assert query.words == words
    assert (query.when.year, query.when.month, query.when.day) == when
    assert (query.kinds, query.number, query.error) == (kinds, number, "")
