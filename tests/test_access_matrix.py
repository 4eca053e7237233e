"""The access matrix as data: every URL of the portal × method × point of view,
with the answer it must give, in access_matrix.yaml (which says how to read it).

One world of objects serves the module (tests/access_world.py). Each walk test
takes one URL pattern with the world's keys in it and asks it as each of the nine
points of view, GET and POST, collecting every answer that differs from the
matrix into one table. The same walk checks on every response the headers every
response must carry, that PUT, DELETE, TRACE and OPTIONS are refused (405), and
that a POST without a CSRF token is refused (403) wherever the matrix lets the
role through. Then the matrix itself is held to the portal's rules: who may see a
person, need-to-know on cases, the public pages, POST-only actions.

The figures go to access-matrix.txt in the artefacts folder and to the terminal.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

from tests.access_world import (
    MATRIX,
    PARTNERS,
    ROLES,
    URLS,
    answer_of,
    browsers,
    expected,
    is_allowed,
    matches,
    named_patterns,
    print_past_capture,
    world,  # noqa: F401 (the module's world fixture)
)

# Its figures add up over the module: under pytest-xdist it runs in one process.
pytestmark = pytest.mark.xdist_group("access-matrix")

PATTERNS = dict(named_patterns())
METHODS = ["GET", "POST"]
# Refused by MethodMiddleware before any view runs, signed in or not.
OTHER_METHODS = ["PUT", "DELETE", "TRACE", "OPTIONS"]
HSTS_SECONDS = 31536000  # a year: ASVS 3.4.1
CSP_DIRECTIVES = [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
]


# --- Headers --------------------------------------------------------------------------


def header_faults(response, *, signed_in: bool) -> list[str]:
    """The headers every response must carry that this one lacks."""
    faults = []
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        faults.append("Cache-Control: no-store")
    if response.get("X-Content-Type-Options") != "nosniff":
        faults.append("X-Content-Type-Options: nosniff")
    if not response.get("Referrer-Policy"):
        faults.append("Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY":
        faults.append("X-Frame-Options: DENY")
    policy = response.get("Content-Security-Policy", "").split(";")
    directives = {" ".join(directive.split()) for directive in policy}
    faults += [f"CSP {d}" for d in CSP_DIRECTIVES if d not in directives]
    hsts = response.get("Strict-Transport-Security", "")
    age = re.search(r"max-age=(\d+)", hsts)
    if not (age and int(age[1]) >= HSTS_SECONDS and "includeSubDomains" in hsts):
        faults.append("Strict-Transport-Security")
    return faults


@pytest.fixture
def production_headers(settings):
    """HSTS as production sends it (settings.py sets it only outside DEBUG); the
    walk asks over HTTPS, so SecurityMiddleware sends it."""
    settings.SECURE_HSTS_SECONDS = HSTS_SECONDS
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


# --- The figures ----------------------------------------------------------------------


@dataclass
class Tally:
    cells: int = 0
    as_said: int = 0
    allow: int = 0
    deny: int = 0
    responses: int = 0
    with_headers: int = 0

    def line(self) -> str:
        outside = len(set(PATTERNS) - set(URLS))
        share = 100 * self.with_headers / self.responses if self.responses else 0
        return (
            f"{self.as_said} of {self.cells} role × URL × method cells as the matrix "
            f"says ({self.deny} deny, {self.allow} allow); {outside} URL patterns "
            f"outside the matrix; {self.responses} responses, {share:.0f} % with the "
            "security headers"
        )


def artefacts_folder() -> Path:
    """The `artefacts` fixture's folder (that fixture is per test, this per module)."""
    default = Path(__file__).resolve().parent.parent / "var" / "test-artefacts"
    folder = Path(os.environ.get("PORTAL_TEST_ARTEFACTS", default))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def tally(request):
    """The walk's counts; the line of figures once the module is done."""
    counts = Tally()
    yield counts
    if counts.cells:
        line = counts.line()
        (artefacts_folder() / "access-matrix.txt").write_text(line + "\n")
        print_past_capture(request.config, line)


@pytest.fixture(scope="module")
def csrf_browsers(world):  # noqa: F811
    """The same people, with browsers that check CSRF as a real one is checked."""
    return browsers(world, enforce_csrf_checks=True)


# --- The matrix covers the portal -----------------------------------------------------


def test_every_url_pattern_of_the_portal_has_a_row_in_the_matrix():
    missing = sorted(set(PATTERNS) - set(URLS))
    assert not missing, f"URL patterns outside the matrix: {missing}"


def unnamed_patterns(resolver=None, namespace="", prefix="") -> list[str]:
    """The routes of every URL pattern without a name, with their namespace."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += unnamed_patterns(entry, inner, route)
        elif not entry.name:
            found.append(f"{namespace}{route}")
    return found


def test_no_url_pattern_escapes_the_matrix_for_want_of_a_name():
    """The Django admin's own unnamed routes (an old address of each change page,
    its catch-all) pass through its login like the rest of it."""
    unnamed = unnamed_patterns()
    assert unnamed and all(route.startswith("admin:admin/") for route in unnamed)


def test_the_matrix_names_no_url_that_no_longer_exists():
    gone = sorted(set(URLS) - set(PATTERNS))
    assert not gone, f"rows for URLs that no longer exist: {gone}"


def test_every_row_answers_for_every_role_and_method_and_names_no_other():
    assert MATRIX["roles"] == ROLES
    faults = []
    for name, row in URLS.items():
        if set(row) != set(METHODS):
            faults.append(f"{name}: methods {sorted(row)}")
        for method, cells in row.items():
            unknown = set(cells) - {*ROLES, "default"}
            if unknown or ("default" not in cells and set(cells) != set(ROLES)):
                faults.append(f"{name} {method}: {sorted(cells)}")
            answers = [
                a for v in cells.values() for a in (v if isinstance(v, list) else [v])
            ]
            faults += [f"{name} {method}: {a!r}" for a in answers if not readable(a)]
    assert not faults, faults


def readable(answer) -> bool:
    """A status code or one of the matrix's symbols."""
    if isinstance(answer, int):
        return 200 <= answer <= 599
    return answer in ("login", "2fa", "admin_login", "admin_index")


# --- The walk -------------------------------------------------------------------------


@dataclass
class Walk:
    """One URL's answers: each checked against what is wanted, and every response
    for its headers; what differs is kept for one table."""

    tally: Tally
    problems: list[str] = field(default_factory=list)

    def check(self, response, *, method: str, role: str, want) -> bool:
        got = answer_of(response)
        as_wanted = matches(got, want)
        if not as_wanted:
            self.problems.append(f"{method:7} {role:18} matrix {want!s:11} got {got}")
        self.tally.responses += 1
        faults = header_faults(response, signed_in=role != "anonymous")
        if faults:
            self.problems.append(f"{method:7} {role:18} lacks {', '.join(faults)}")
        else:
            self.tally.with_headers += 1
        return as_wanted


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_each_role_gets_the_matrix_answer_with_the_security_headers(
    name,
    world,  # noqa: F811
    csrf_browsers,
    tally,
    production_headers,
):
    url, walk = world.urls[name], Walk(tally)
    for method in METHODS:
        for role in ROLES:
            want = expected(name, method, role)
            response = world.browsers[role].ask(method, url)
            tally.cells += 1
            tally.as_said += walk.check(response, method=method, role=role, want=want)
            tally.allow += is_allowed(want, name, role)
            tally.deny += not is_allowed(want, name, role)

    # MethodMiddleware refuses before any view, whoever asks: each URL is asked as
    # one role, the roles taking turns down the list of URLs.
    role = ROLES[sorted(PATTERNS).index(name) % len(ROLES)]
    for method in OTHER_METHODS:
        response = world.browsers[role].ask(method, url)
        walk.check(response, method=method, role=role, want=405)

    # Without the token, a POST is refused wherever the role would get through:
    # refused for want of the token, as the Origin is right.
    for role in ROLES:
        if is_allowed(expected(name, "POST", role), name, role):
            browser = csrf_browsers[role]
            response = browser.ask("POST", url, HTTP_ORIGIN="https://testserver")
            walk.check(response, method="no CSRF", role=role, want=403)

    assert not walk.problems, f"{name} ({url}):\n" + "\n".join(walk.problems)


# --- The matrix follows the portal's rules --------------------------------------------

# URLs that show a person (a resident, a household, a contact's details, what staff
# wrote about someone): partners never get them. advice:advice_figures is the advice
# team's figures, counts only, small ones suppressed outside the team (and so is
# each of its tables, exported).
PERSON_URLS = re.compile(
    r"^(advice:(?!advice_figures(_export)?$)"
    r"|safety:signup_|safety:contact_"
    r"|activities:record_(list|edit|export)$"
    r"|admin:)"
)
# What a partner's organisation is given: a finding routed to it (with its
# photos), an incident it was told of, a network meeting it took part in, and the
# walks of its areas. Shared by design (DOMAIN.md: partners see theirs and say
# when it is done); the canary scan (test_partner_canaries.py) shows no resident on
# them. A partner of another organisation and area gets none of them.
SHARED_IN_AREA = re.compile(
    r"^safety:(walk_detail|finding_(detail|photo|photo_thumb)|incident_detail"
    r"|meeting_detail)$"
)
# Pages about one case (they take its pk). Joining is the one a colleague opens:
# a reason is asked and logged, and the page shows no household (checked in
# test_partner_canaries.py).
CASE_URLS = [
    n for n, keys in PATTERNS.items() if n.startswith("advice:") and "pk" in keys
]
JOIN = "advice:case_join"


def allowed_roles(name: str, method: str) -> set[str]:
    return {
        role for role in ROLES if is_allowed(expected(name, method, role), name, role)
    }


def test_a_visitor_gets_through_only_on_the_public_pages():
    opened = {
        name
        for name in URLS
        if "anonymous" in allowed_roles(name, "GET") | allowed_roles(name, "POST")
    }
    assert opened <= set(MATRIX["public"]), sorted(opened - set(MATRIX["public"]))
    # ...and every public page opens to a visitor.
    assert all(
        "anonymous" in allowed_roles(name, "GET") | allowed_roles(name, "POST")
        for name in MATRIX["public"]
    )


def test_partners_get_no_page_that_shows_a_person():
    shown = [
        f"{name} {method} {role}"
        for name in URLS
        if PERSON_URLS.match(name)
        for method in METHODS
        for role in set(PARTNERS) & allowed_roles(name, method)
    ]
    assert not shown, shown
    assert len([name for name in URLS if PERSON_URLS.match(name)]) > 100


def test_a_partner_of_another_organisation_and_area_gets_nothing_of_them():
    shown = [
        f"{name} {method}"
        for name in URLS
        if SHARED_IN_AREA.match(name) or PERSON_URLS.match(name)
        for method in METHODS
        if "partner_other_org" in allowed_roles(name, method)
    ]
    assert not shown, shown
    shared = [name for name in URLS if SHARED_IN_AREA.match(name)]
    assert len(shared) == 6 and all(
        expected(name, "GET", "partner_other_org") == 404 for name in shared
    )


def test_only_the_advisor_on_the_case_opens_a_case_page():
    assert len(CASE_URLS) >= 13
    opened = {
        f"{name} {method} {role}"
        for name in CASE_URLS
        for method in METHODS
        for role in allowed_roles(name, method) - {"advisor_on_case"}
        if not (name == JOIN and role == "other_advisor")
    }
    assert not opened, sorted(opened)


def test_every_post_only_action_answers_a_get_with_405():
    """An action that only a POST takes shows nothing on a GET, and whoever may
    take it is told the method is wrong (a link or a prefetch changes nothing)."""
    post_only = [
        name
        for name in URLS
        if allowed_roles(name, "POST") and not allowed_roles(name, "GET")
    ]
    assert len(post_only) >= 20
    answered = {
        f"{name} {role}: {expected(name, 'GET', role)}"
        for name in post_only
        for role in allowed_roles(name, "POST")
        if expected(name, "GET", role) != 405
    }
    assert not answered, sorted(answered)


# --- Nothing else answers -------------------------------------------------------------

NOTHING_HERE = [
    "/.git/HEAD",
    "/.git/config",
    "/.env",
    "/static/",
    "/media/",
    "/media/findings/",
    "/docs/",
    "/api/",
    "/server-status",
    "/__debug__/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_no_directory_listing_repository_or_stored_file_answers(
    world,  # noqa: F811
    role,
):
    """No folder is listed, nothing of the repository is served, and a photo's
    file has no address of its own: it goes through its finding's door."""
    photo = world.objects["photo"]
    paths = [
        *NOTHING_HERE,
        f"/media/{photo.image.name}",
        f"/media/{photo.thumbnail.name}",
    ]
    answers = {
        path: world.browsers[role].ask("GET", path).status_code for path in paths
    }
    assert set(answers.values()) == {404}, answers
