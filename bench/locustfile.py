"""The load check's users: staff logging activity records while partners read
their dashboards, each logged in as a person is (password, then the code from the
authenticator app when the portal asks for one).

Run by bin/load, which starts the portal under gunicorn with the production
settings on 127.0.0.1 and creates the accounts; on its own:

    LOAD_ACCOUNTS=accounts.json locust -f bench/locustfile.py --headless \
        -u 20 -r 2 -t 60s --host http://127.0.0.1:8000

LOAD_ACCOUNTS names the JSON file bench/load_setup.py writes (user names, their
one password and the key of their authenticator apps). LOAD_REQUEST_LOG, if set,
gets one line per request (start, milliseconds, method, name, status, error) for
bench/load_report.py, and LOAD_SAVED_LOG the note of every record the portal
acknowledged (302 after the POST), to be found in the database afterwards.

The portal runs behind a TLS proxy in production: these users send the header that
proxy sets (X-Forwarded-Proto: https) and an Origin, as a browser does, and send
back the Secure (__Host-) cookies the portal then sets although the loopback
connection is plain HTTP (the cookie policy counts http as secure).
"""

import functools
import html
import itertools
import json
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

from django_otp.oath import TOTP
from locust import FastHttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
# A request slower than this counts as failed: a hung portal must show as errors,
# not as a run that never ends.
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "30"))
LOGIN = "/account/login/"
VERIFY = "/account/2fa/verify/"
RECORD_FORM = "/plan/records/new/"
# What the record form must offer: an activity to choose, then one of its areas.
ACTIVITY_CHOICE = '<select name="activity"'
AREA_CHOICE = '<select name="area"'

# Which activity, area and numbers: a mix, not a secret.
rng = random.Random()  # noqa: S311
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _open_log(variable: str):
    path = os.environ.get(variable)
    return open(path, "a", buffering=1) if path else None  # noqa: SIM115


REQUEST_LOG = _open_log("LOAD_REQUEST_LOG")
SAVED_LOG = _open_log("LOAD_SAVED_LOG")


@events.request.add_listener
def log_request(request_type, name, response_time, response, exception, **kwargs):
    if REQUEST_LOG is None:
        return
    status = getattr(response, "status_code", 0) or 0
    error = " ".join(str(exception).split())[:200] if exception else ""
    REQUEST_LOG.write(
        f"{kwargs['start_time']:.3f}\t{response_time:.1f}\t{request_type}\t{name}"
        f"\t{status}\t{error}\n"
    )


def select_values(page: str, name: str) -> list[str]:
    """The values to choose from in the <select name=...> on the page."""
    found = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    return re.findall(r'<option value="([^"]+)"', found.group(0)) if found else []


def input_value(page: str, name: str) -> str:
    found = re.search(rf'<input type="\w+" name="{name}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


class PortalUser(FastHttpUser):
    """A person with a browser: logs in once, then works. Every request is one
    exchange (redirects are not followed), judged by its status: a page must be
    200, a form that was accepted a redirect."""

    abstract = True
    kind = ""  # which accounts of LOAD_ACCOUNTS this kind of user takes
    wait_time = between(1, 3)
    network_timeout = TIMEOUT
    connection_timeout = 5.0

    def on_start(self) -> None:
        # Accounts are handed out in turn, so no two users share one (and its
        # authenticator, whose codes work once each).
        self.username = next_account(self.kind)
        # The proxy's side of TLS: the browser holds Secure cookies for https.
        self.client.cookiejar.set_policy(
            DefaultCookiePolicy(secure_protocols=("https", "http"))
        )
        self.headers = {
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{urlsplit(self.host).netloc}",
        }
        self.last_code_step = None
        self.saved = 0
        self.log_in()

    def log_in(self) -> None:
        """Password, then the code when the portal asks for one. A login that did
        not get through (a 503 while the database restarted) is tried again, in a
        new browser session, as the user's next task."""
        self.logged_in = False
        self.client.cookiejar.clear()
        page = self.page(LOGIN, "login: form")
        data = {
            "username": self.username,
            "password": ACCOUNTS["password"],
            "csrfmiddlewaretoken": csrf_token(page),
        }
        if not (page and self.post(LOGIN, "login: password", data)):
            return
        status, _, where = self.send("GET", "/", "login: home", may_redirect_to=VERIFY)
        if status == 302:
            page = self.page(where, "login: code form")
            self.logged_in = bool(page and self.give_code(where, page))
        else:
            self.logged_in = status == 200

    def give_code(self, url: str, page: str) -> bool:
        """The code the person's app shows now. An app code works once: a second
        login by the same person waits for the app's next code."""
        totp = TOTP(bytes.fromhex(ACCOUNTS["totp_key"]))
        while totp.t() == self.last_code_step:
            time.sleep(1)
        self.last_code_step = totp.t()
        data = {"code": f"{totp.token():06d}", "csrfmiddlewaretoken": csrf_token(page)}
        return bool(self.post(url, "login: code", data))

    def page(self, url: str, name: str, *, showing: str = "") -> str:
        """GET a page: its HTML, or "" when it did not come or does not show what
        it must (a failure)."""
        status, text, _ = self.send("GET", url, name, showing=showing)
        return text if status == 200 and showing in text else ""

    def post(self, url: str, name: str, data: dict) -> str:
        """POST a form as a browser does; the portal answers a good one with a
        redirect (POST/redirect/GET). Returns where to, or "" (a failure)."""
        status, _, where = self.send("POST", url, name, data=data, expect={302})
        return where if status == 302 else ""

    def send(
        self,
        method: str,
        url: str,
        name: str,
        *,
        expect: set = frozenset({200}),
        may_redirect_to: str = "",
        showing: str = "",
        data=None,
    ) -> tuple[int, str, str]:
        """One exchange: (status, body, Location). A status not expected (or a
        redirect elsewhere than may_redirect_to) is a failure, named for what it
        means."""
        with self.client.request(
            method,
            url,
            name=name,
            data=data,
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            status = response.status_code or 0
            where = (response.headers or {}).get("Location", "") if status else ""
            if status == 200 and showing not in (response.text or ""):
                response.failure(f"the page does not show {showing}")
            elif status in expect or (
                may_redirect_to and status == 302 and where.startswith(may_redirect_to)
            ):
                response.success()
            elif status == 302 and where.startswith((LOGIN, VERIFY)):
                self.logged_in = False
                response.failure(f"logged out: redirected to {where.split('?')[0]}")
            elif status in (301, 302):
                response.failure(f"{status} to {where.split('?')[0]}")
            elif status == 200:
                response.failure("200 instead of a redirect: the form was refused")
            elif status:
                response.failure(f"{status}")
            else:
                response.failure(f"no answer: {response.error}")
            return status, (response.text or "") if status else "", where


def logged_in(work):
    """A task of a person who has logged in; one who is not (a login or session
    that broke off) logs in instead, as that turn's work."""

    @functools.wraps(work)
    def turn(user: PortalUser) -> None:
        if user.logged_in:
            work(user)
        else:
            user.log_in()

    return turn


class StaffUser(PortalUser):
    """Logs what happened in an activity: opens the form, chooses the activity
    (which brings its areas and indicators), saves, and now and then looks at the
    list of records."""

    kind = "staff"
    weight = 3

    @task(3)
    @logged_in
    def log_a_record(self) -> None:
        page = self.page(RECORD_FORM, "record: form", showing=ACTIVITY_CHOICE)
        if not page:
            return
        activity = rng.choice(select_values(page, "activity"))
        url = f"{RECORD_FORM}?activity={activity}"
        page = self.page(url, "record: activity", showing=AREA_CHOICE)
        if not page:
            return
        areas = select_values(page, "area")
        self.saved += 1
        note = f"{ACCOUNTS['note_prefix']} {self.username} {self.saved}"
        participants = rng.randint(1, 30)
        data = {
            "csrfmiddlewaretoken": csrf_token(page),
            "activity": activity,
            "date": input_value(page, "date"),
            "area": rng.choice(areas),
            "participants": participants,
            "volunteers": rng.randint(0, 3),
            "note": note,
        }
        for name in re.findall(r'name="(indicator_\d+)"', page):
            data[name] = rng.randint(0, participants)
        if self.post(RECORD_FORM, "record: save", data) and SAVED_LOG:
            SAVED_LOG.write(note + "\n")

    @task(1)
    @logged_in
    def read_the_records(self) -> None:
        self.page("/plan/records/", "record list")


class PartnerUser(PortalUser):
    """A partner (police, housing organisation) reads the figures for its areas."""

    kind = "partner"
    weight = 2

    @task(2)
    @logged_in
    def this_year(self) -> None:
        self.page("/reports/", "dashboard: this year")

    @task(1)
    @logged_in
    def last_year(self) -> None:
        year = time.localtime().tm_year - 1
        self.page(f"/reports/?period=year&year={year}", "dashboard: last year")

    @task(2)
    @logged_in
    def an_area(self) -> None:
        page = self.page("/areas/", "area list", showing='href="/areas/')
        if page:
            slug = rng.choice(re.findall(r'href="/areas/([\w-]+)/"', page))
            self.page(f"/areas/{slug}/", "area page")


_handed_out = {kind: itertools.count() for kind in ("staff", "partner")}


def next_account(kind: str) -> str:
    accounts = ACCOUNTS[kind]
    return accounts[next(_handed_out[kind]) % len(accounts)]


def csrf_token(page: str) -> str:
    found = CSRF.search(page)
    return found.group(1) if found else ""
