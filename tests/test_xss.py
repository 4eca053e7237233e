"""Every text a person can store is shown escaped (security checklist item 19).

A payload goes into every text field of our apps' models (each row, each field
its own tag), where the field's validation lets it in; then every page of the
portal, the admin's pages for our models and the PDF report's HTML are rendered
as each persona. No page may hold a payload unescaped, or a `javascript:` address
in a link or source. Every planted field must be seen on some page (escaped), or
be listed in NOT_SHOWN with the reason; so the sweep cannot quietly stop
looking at a field.

A static check beside it: every way of switching escaping off in our templates
and Python (`|safe`, `mark_safe`, `{% autoescape off %}`, `format_html` with a
format built from data) is in ALLOWED with the reason it is safe.
"""

import ast
import io
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from PIL import Image

from activities.models import CalendarFeed
from advice.models import CaseAccess
from boligsocial.models import ExportJob, ImportJob, Invitation, Role
from boligsocial.periods import Period
from conftest import TwoFactorClient
from reports.models import ReportRun
from reports.pdf import report_context
from reports.services import request_report
from safety.walks.photos import add_photo
from tests.url_walk import methods, views
from tests.world import NOW, World, build_world

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = ["boligsocial", "activities", "safety", "advice", "reports"]

# --- The payloads -------------------------------------------------------------------

# {tag} names the field (so a page showing it is known), {pk} the row (unique
# fields stay unique). The first that a field's validation accepts is planted.
PAYLOADS = [
    'javascript:alert(1)//{tag}{pk}"><script>alert(1)</script>'
    "<img src=x onerror=alert(1)>{{{{7*7}}}}",
    '"><script>alert(1)</script>{tag}{pk}',
    "<img src=x onerror=alert(1)>{tag}{pk}",
    "javascript:alert(1)//{tag}{pk}",
    # An e-mail address may hold HTML in its quoted local part.
    '"<script>alert(1)</script><img/src=x/onerror=alert(1)>{tag}{pk}"@example.org',
    "<x>{tag}{pk}",
    # For a field of ten characters (a house number) once the row ids grow long,
    # as they do on PostgreSQL, whose sequences go on counting between tests.
    "<x>{tag}",
]
# What a payload looks like when it was not escaped.
RAW = ["<script>alert(1)", "<img src=x onerror", "<img/src=x/onerror", "<x>~"]
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")

# Text fields that no payload gets into, and why.
UNPLANTABLE = {
    "boligsocial.Area.slug": "a slug: letters, digits and hyphens",
    "advice.OutcomeKind.code": "a slug: letters, digits and hyphens",
    "boligsocial.User.username": "letters, digits and @ . + - _ only",
    "safety.Contact.phone": "a phone number, stored as +45…",
    "safety.SignUp.phone": "a phone number, stored as +45…",
    "advice.Household.phone": "a phone number, stored as +45…",
    "reports.UnitValue.source_url": "a link: http(s) and an address only",
}
# Text fields left as they are, and why.
NOT_PLANTED = {
    "boligsocial.User.password": (
        "a hash, never shown (and the personas stay logged in)"
    ),
    "safety.ResidentReport.status_key": "the portal's own random key in the address "
    "of the report's status page, never typed",
}
# Planted fields no page shows, and why.
NOT_SHOWN = {
    "reports.ReportRun.request_key": "the portal's own key for a request",
    "reports.ReportRun.task_id": "the worker's id for a build",
    "safety.SignUp.withdrawal_key": "the hash of a resident's withdrawal link",
    "safety.ResidentReport.language": "a language code: the resident's mails speak it",
}


# Models whose rows are only ever added.
APPEND_ONLY = {CaseAccess}


def tag(number: int) -> str:
    """A short mark per field (base 36), so that a payload still fits a field of
    ten characters, like a house number."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    mark = digits[number % 36]
    while number >= 36:
        number //= 36
        mark = digits[number % 36] + mark
    return f"~{mark}~"


def text_fields() -> list[tuple[str, type, models.Field]]:
    """(label, model, field) for every stored text field of our apps' models."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model._meta.proxy:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.CharField | models.TextField):
                label = f"{model._meta.label}.{model_field.name}"
                found.append((label, model, model_field))
    return found


def has_choices(model_field: models.Field) -> bool:
    # Only its listed values are stored; their labels are ours.
    return bool(model_field.choices)


def plant(model, model_field, number: int) -> str | None:
    """Put a payload in the field of every row; the template planted, or None
    when the field's validation takes none of them."""
    rows = model._base_manager.all()
    if not rows.exists():
        return "no rows"
    longest_pk = str(rows.order_by("-pk").values_list("pk", flat=True).first())
    instance = rows.first()
    for template in PAYLOADS:
        value = template.format(tag=tag(number), pk=longest_pk)
        try:
            model_field.clean(value, instance)
        except ValidationError:
            continue
        if model in APPEND_ONLY:
            # Never changed (on PostgreSQL a trigger refuses it): a new row holds
            # the payload.
            row = rows.first()
            values = {
                f.attname: getattr(row, f.attname)
                for f in model._meta.concrete_fields
                if not f.primary_key
            }
            model._base_manager.create(**{**values, model_field.attname: value})
            return template
        if "{pk}" not in template:
            rows.update(**{model_field.name: value})
            return template
        head, tail = template.format(tag=tag(number), pk="\0").split("\0")
        rows.update(
            **{
                model_field.name: Concat(
                    models.Value(head),
                    Cast("pk", models.CharField()),
                    models.Value(tail),
                    output_field=models.TextField(),
                )
            }
        )
        return template
    return None


@pytest.fixture
def planted(db, settings, tmp_path):
    """The world, with a payload in every text field that takes one; the planted
    fields by tag, and the fields that took none."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        _photo_and_ready_run(world)
        fields, refused = {}, set()
        for number, (label, model, model_field) in enumerate(text_fields()):
            if has_choices(model_field) or label in NOT_PLANTED:
                continue
            template = plant(model, model_field, number)
            if template is None:
                refused.add(label)
            elif template != "no rows":
                fields[tag(number)] = label
        yield world, fields, refused


def _photo_and_ready_run(world: World) -> None:
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(image, "JPEG")
    upload = SimpleUploadedFile("a.jpg", image.getvalue())
    world.objects["photo"] = add_photo(
        finding=world.finding, upload=upload, by=world.people[Role.SAFETY_ADVISOR]
    )
    run, _new = request_report(
        kind=ReportRun.Kind.MUNICIPALITY,
        period=Period.year(2026),
        areas=[world.rising],
        by=world.people[Role.COORDINATOR],
    )
    default_storage.save(run.pdf_name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    run.mark_ready(pages=1, figures={})
    world.objects["ready_run"] = run


# --- The pages ----------------------------------------------------------------------


def staff_export(w) -> ExportJob:
    """The staff member's background export of the findings, its filter a payload."""
    job, _new = ExportJob.objects.get_or_create(
        requested_by=w.people[Role.STAFF],
        export="safety.findings",
        fmt="csv",
        defaults={"query": urlencode({"found_from": PAYLOADS[1]})},
    )
    return job


def failed_import(sheet: str, role: str):
    """A sheet the persona uploaded that failed: its name and reason payloads."""

    def job(w) -> dict:
        made, _new = ImportJob.objects.get_or_create(
            requested_by=w.people[role],
            sheet=sheet,
            defaults={
                "token": uuid.uuid4().hex,
                "name": PAYLOADS[1],
                "error": PAYLOADS[2],
                "status": ImportJob.Status.FAILED,
            },
        )
        return {"pk": made.pk}

    return job


def pk(name: str):
    return lambda w: {"pk": getattr(w, name).pk}


# The arguments of every page that takes some: a world object the persona sees.
PAGE_KWARGS = {
    "area_detail": lambda w: {"slug": "rising"},
    "activities:plan_detail": pk("plan"),
    "activities:activity_detail": pk("activity"),
    "activities:targets_edit": pk("activity"),
    "activities:status_edit": lambda w: {"pk": w.activity.pk, "year": 2026},
    "activities:status_reopen": lambda w: {"pk": w.activity.pk, "year": 2025},
    "activities:status_send_back": lambda w: {"pk": w.activity.pk, "year": 2026},
    # A notification's text is what notify() was given: an object's own name,
    # shown (escaped) on the notification list, which the sweep does read.
    "notification_open": lambda w: None,
    # People: a person's page, forms and history, and the invitation link's page.
    **{
        name: lambda w: {"pk": w.people[Role.STAFF].pk}
        for name in (
            "person_detail",
            "person_edit",
            "person_deactivate",
            "person_reset_app",
        )
    },
    "invitation_accept": lambda w: {
        "token": Invitation.issue(w.people[Role.STAFF], kind="join", by=None)[1]
    },
    "notification_read": lambda w: None,
    "activities:focus_area_detail": pk("focus_area"),
    "activities:record_edit": pk("record"),
    "activities:record_export": lambda w: {"fmt": "csv"},
    "activities:event_edit": pk("event"),
    # The staff member's calendar feed (text/calendar: held as typed, not HTML).
    "activities:calendar_feed": lambda w: {
        "feed_token": CalendarFeed.renew(w.people[Role.STAFF]).token
    },
    "safety:signup_poster": lambda w: {"slug": "rising"},
    "safety:signup_detail": pk("signup"),
    "safety:signup_edit": pk("signup"),
    "safety:signup_withdraw": pk("signup"),
    "safety:signup_person_export": pk("signup"),
    "safety:signup_erase": pk("signup"),
    "safety:signup_export": lambda w: {"fmt": "csv"},
    "safety:walk_detail": pk("walk"),
    "safety:walk_edit": pk("walk"),
    "safety:finding_create": pk("walk"),
    "safety:finding_detail": lambda w: [
        {"pk": w.finding.pk},
        {"pk": w.closed_finding.pk},
    ],
    "safety:finding_edit": pk("finding"),
    "safety:finding_photo": lambda w: {"pk": w.finding.pk, "photo_pk": w.photo.pk},
    "safety:finding_photo_thumb": lambda w: {
        "pk": w.finding.pk,
        "photo_pk": w.photo.pk,
    },
    "safety:incident_detail": pk("incident"),
    "safety:incident_edit": pk("incident"),
    "safety:incident_notify": pk("incident"),
    "safety:incident_close": pk("incident"),
    "safety:contact_edit": pk("contact"),
    "safety:contact_delete": pk("contact"),
    "safety:meeting_detail": pk("meeting"),
    "safety:meeting_edit": pk("meeting"),
    "safety:task_create": pk("meeting"),
    "safety:task_edit": pk("task"),
    "safety:report_detail": lambda w: [
        {"pk": w.resident_report.pk},
        {"pk": w.declined_report.pk},
    ],
    "safety:report_to_finding": pk("resident_report"),
    "safety:report_decline": pk("resident_report"),
    "safety:report_photo": pk("resident_report"),
    "safety:report_photo_thumb": pk("resident_report"),
    "meld:report": lambda w: {"slug": "rising"},
    "meld:thanks": lambda w: {"slug": "rising"},
    "meld:status": lambda w: [
        {"key": w.resident_report.status_key},
        {"key": w.declined_report.status_key},
    ],
    "nabohjaelp:signup": lambda w: {"slug": "rising"},
    "nabohjaelp:thanks": lambda w: {"slug": "rising"},
    "nabohjaelp:withdrawn": lambda w: {"slug": "rising"},
    "nabohjaelp:withdraw_start": lambda w: {},
    "nabohjaelp:withdraw_code": lambda w: {},
    "nabohjaelp:withdrawn_all": lambda w: {},
    "nabohjaelp:withdraw_confirm": lambda w: {},
    "nabohjaelp:withdraw": lambda w: {"secret": "a-link-that-belongs-to-no-sign-up"},
    "advice:case_detail": pk("case"),
    "advice:case_edit": pk("case"),
    "advice:case_followup": pk("case"),
    "advice:outcome_create": pk("case"),
    "advice:case_close": pk("case"),
    "advice:case_join": pk("colleagues_case"),
    "advice:meeting_create": pk("case"),
    "advice:meeting_edit": lambda w: {
        "pk": w.case.pk,
        "meeting_pk": w.advice_meeting.pk,
    },
    "advice:referral_create": pk("case"),
    "advice:referral_move": lambda w: {"pk": w.case.pk, "referral_pk": w.referral.pk},
    "advice:household_export": pk("case"),
    "advice:household_erase": pk("case"),
    "advice:network_report": lambda w: {"year": 2026},
    "reports:dashboard_export": lambda w: {"slug": "activities", "fmt": "csv"},
    # Every list's export, and a background export's page: its query string is
    # what the person typed into the list's filter, shown again in a link.
    **{
        f"{name}_export": lambda w: {"fmt": "csv"}
        for name in [
            "activities:event",
            "safety:walk",
            "safety:finding",
            "safety:incident",
            "safety:contact",
            "safety:meeting",
            "safety:task",
            "advice:access_log",
            "advice:network",
        ]
    },
    "advice:advice_figures_export": lambda w: {"slug": "advice", "fmt": "csv"},
    "export_job": lambda w: {"pk": staff_export(w).pk},
    "activities:record_import_job": failed_import(
        "activities:record_import", Role.STAFF
    ),
    "activities:history_import_job": failed_import(
        "activities:history_import", Role.COORDINATOR
    ),
    "safety:signup_import_job": failed_import("safety:signup_import", Role.STAFF),
    "organisation_import_job": failed_import("organisation_import", Role.COORDINATOR),
    "export_job_download": lambda w: {"pk": staff_export(w).pk},
    "reports:run_detail": pk("run"),
    "reports:run_download": pk("ready_run"),
    "reports:schedule_delete": pk("schedule"),
    "password_reset_confirm": lambda w: {
        "uidb64": urlsafe_base64_encode(force_bytes(w.people[Role.STAFF].pk)),
        "token": default_token_generator.make_token(w.people[Role.STAFF]),
    },
}
# Pages shown again for a query: what a search asks for, another year.
PAGE_QUERY = {
    "activities:activity_detail": lambda w: [{}, {"year": 2025}],
    "advice:case_lookup": lambda w: [
        {"street": w.household.street, "number": w.household.number}
    ],
    "advice:network": lambda w: [{"year": 2025}],
    "activities:year_close": lambda w: [{"year": 2025}, {"year": 2026}],
    # Every row planted holds "alert", and the query itself is shown again.
    "search": lambda w: [{"q": "alert"}, {"q": '"><script>alert(1)</script>'}],
}
# Pages that show nothing stored: POST-only views, redirects, files of our own.
NOT_RENDERED = {
    "admin:jsi18n": "the admin's JavaScript catalogue",
    "admin:autocomplete": "JSON for the admin's selects, read by its own script",
    "admin:view_on_site": "a redirect to the object's page",
    "admin:logout": "POST only",
    "logout": "POST only",
    "set_language": "a redirect",
}


def admin_pages() -> dict:
    """The admin's list, add, change, delete and history page of each model."""
    pages = {}
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"

        def on_object(w, model=model):
            # The world's row where it has one: the page shows what it planted.
            ours = [o for o in w.objects.values() if type(o) is model]
            row = ours[0] if ours else model._default_manager.order_by("pk").first()
            return {"object_id": row.pk} if row else None

        pages |= {
            f"{info}_changelist": lambda w: {},
            f"{info}_add": lambda w: {},
            f"{info}_change": on_object,
            f"{info}_delete": on_object,
            f"{info}_history": on_object,
        }
    # The apps with a page in the admin (reports has none: its schedules are kept
    # on the report pages).
    in_admin = {model._meta.app_label for model in admin.site._registry}
    pages["admin:app_list"] = [
        {"app_label": app} for app in OUR_APPS if app in in_admin
    ]
    pages["admin:auth_user_password_change"] = lambda w: {"id": w.people[Role.STAFF].pk}
    return pages


def page_urls(world: World) -> list[str]:
    urls = []
    admin_kwargs = admin_pages()
    for name, view in views():
        allowed = methods(view)
        if name in NOT_RENDERED or (allowed is not None and "GET" not in allowed):
            continue
        kwargs = PAGE_KWARGS.get(name) or admin_kwargs.get(name) or (lambda w: {})
        each = kwargs if isinstance(kwargs, list) else kwargs(world)
        queries = PAGE_QUERY[name](world) if name in PAGE_QUERY else [{}]
        for arguments in each if isinstance(each, list) else [each]:
            if arguments is None:  # no row to show
                continue
            url = reverse(name, kwargs=arguments)
            urls += [(name, f"{url}?{urlencode(query)}") for query in queries]
    return urls


def viewers(world: World, name: str) -> dict:
    """Everyone, and a visitor who is not logged in; the admin's pages as the two
    roles that have it."""
    if name.startswith("admin:"):
        return {r: world.people[r] for r in (Role.ADMIN, Role.COORDINATOR)}
    # The second advisor sees what the first does.
    people = {k: v for k, v in world.people.items() if k != "other_advisor"}
    return {"visitor": None, **people}


# --- Reading a page -----------------------------------------------------------------


class Addresses(HTMLParser):
    """Every address in a link, source or form action of a page."""

    ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag_name, attrs):
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.found.append(value)


def script_addresses(html: str) -> list[str]:
    parser = Addresses()
    parser.feed(html)
    plain = ["".join(ch for ch in a if ch > " ").lower() for a in parser.found]
    return [a for a in plain if a.startswith(SCRIPT_SCHEMES)]


def unescaped(html: str) -> list[str]:
    return [raw for raw in RAW if raw in html]


# --- The sweep ----------------------------------------------------------------------


def test_no_page_shows_a_stored_payload_unescaped(planted, artefacts):
    world, fields, refused = planted
    assert refused == UNPLANTABLE.keys(), "a text field no payload gets into"
    problems, seen, pages = [], set(), 0
    tags = re.compile("|".join(re.escape(t) for t in fields))
    with time_machine.travel(NOW, tick=False):
        for name, url in page_urls(world):
            for who, person in viewers(world, name).items():
                client = TwoFactorClient()
                if person is not None:
                    client.force_login(person)
                response = client.get(url)
                if response.status_code != 200:
                    continue
                problems += check(response, f"{url} as {who}")
                if response["Content-Type"].startswith("text/html"):
                    pages += 1
                    seen |= set(tags.findall(response.content.decode()))
        html = pdf_html(world)
        problems += [f"the PDF's HTML: {p}" for p in check_html(html)]
        seen |= set(tags.findall(html))
    assert problems == [], "\n".join(problems)
    not_seen = {fields[t] for t in fields.keys() - seen}
    assert not_seen == NOT_SHOWN.keys(), "a planted field no page shows"
    line = f"{len(fields)} text fields × {pages} pages, 0 unescaped payloads"
    (artefacts / "xss.txt").write_text(line + "\n")
    print(line)


def check(response, where: str) -> list[str]:
    """A page's problems; a file (CSV, Excel, PDF, an image) holds the text as it
    is, and is not read as HTML."""
    if not response["Content-Type"].startswith("text/html"):
        return []
    body = b"".join(response) if response.streaming else response.content
    return [f"{where}: {p}" for p in check_html(body.decode())]


def check_html(html: str) -> list[str]:
    problems = [f"unescaped {raw!r}" for raw in unescaped(html)]
    problems += [f"script address {a[:40]!r}" for a in script_addresses(html)]
    return problems


def pdf_html(world: World) -> str:
    template, context, _record = report_context(world.ready_run)
    return render_to_string(template, context)


# --- Where escaping could be switched off -------------------------------------------

TEMPLATE_UNSAFE = re.compile(
    r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off|{%\s*filter\b[^%]*\bsafe"
)
SCRIPT_UNSAFE = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\("
)
# Text a person typed reaches the page as HTML through these; each use in our code
# is reviewed and listed here with the reason it is safe: (file, the line).
ALLOWED = {
    (
        "boligsocial/two_factor.py",
        "return mark_safe(svg)  # noqa: S308  # nosec B308 B703",
    ): "segno's SVG of the key's own address; segno escapes the title it draws",
    (
        "safety/nabohjaelp/forms.py",
        'self.fields["consent"].help_text = lazy(',
    ): "a help text is HTML: the consent wording is escaped in the lambda",
    (
        "boligsocial/spreadsheets.py",
        'self.fields["file"].help_text = _(',
    ): "our own text and a formatted number",
    **{
        (f"templates/{mail}.txt", line): (
            "a plain-text mail (text/plain): escaping would garble it"
        )
        for mail, line in [
            (
                "boligsocial/mail/notification",
                "{% load i18n %}{% autoescape off %}{% for notification in "
                "notifications %}{{ notification.get_kind_display }}:",
            ),
            (
                "boligsocial/mail/email_changed",
                "{% load i18n %}{% autoescape off %}{% blocktranslate with "
                "name=person.first_name %}Kære {{ name }}{% endblocktranslate %}",
            ),
            (
                "boligsocial/mail/invitation",
                "{% load i18n %}{% autoescape off %}{% blocktranslate with "
                "name=person.first_name %}Kære {{ name }}{% endblocktranslate %}",
            ),
            (
                "boligsocial/mail/notification_digest",
                '{% load i18n %}{% autoescape off %}{% translate "Det nye i portalen '
                'siden i går:" %}',
            ),
            (
                "safety/mail/findings_overdue",
                "{% load i18n %}{% autoescape off %}{% blocktranslate %}Til "
                "{{ organisation }}{% endblocktranslate %}",
            ),
            (
                "safety/mail/signup_confirmation",
                "{% load i18n %}{% autoescape off %}{% blocktranslate with "
                "area=area.name %}Tak for din tilmelding til Nabohjælp i {{ area }}. "
                "En medarbejder fra BoligSocialt Hus kontakter dig snart."
                "{% endblocktranslate %}",
            ),
            (
                "safety/mail/report_received",
                "{% load i18n %}{% autoescape off %}{% blocktranslate with "
                "area=report.area.name %}Tak for din melding om et problem i "
                "{{ area }}. Vi kigger på den og sender den videre til den, der har "
                "ansvaret.{% endblocktranslate %}",
            ),
            (
                "safety/mail/report_update",
                "{% load i18n %}{% autoescape off %}{% blocktranslate with "
                "area=report.area.name category=report.category_label %}Din melding "
                "om {{ category }} i {{ area }}:{% endblocktranslate %} "
                "{{ status.label }}",
            ),
            (
                "safety/mail/withdrawal_code",
                "{% load i18n %}{% autoescape off %}{% blocktranslate %}Din kode til "
                "at afmelde Nabohjælp er {{ code }}.{% endblocktranslate %}",
            ),
            (
                "safety/mail/incident_notification",
                "{% load i18n %}{% autoescape off %}{% blocktranslate with "
                "organisation=organisation %}Til {{ organisation }}"
                "{% endblocktranslate %}",
            ),
        ]
    },
}


def our_python_files():
    for app in OUR_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts:
                yield path


def template_files():
    for folder in [ROOT / "templates", *(ROOT / app / "templates" for app in OUR_APPS)]:
        yield from sorted(folder.rglob("*.html")) if folder.is_dir() else []
        yield from sorted(folder.rglob("*.txt")) if folder.is_dir() else []


def literal_text(node: ast.expr) -> bool:
    """A string literal, or our translation of one: text we wrote."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", "") in {"_", "gettext", "gettext_lazy"}
        and bool(node.args)
        and literal_text(node.args[0])
    )


def called(node: ast.Call) -> str:
    return getattr(node.func, "id", None) or getattr(node.func, "attr", "")


class Unescaping(ast.NodeVisitor):
    """The lines of a module where text becomes HTML without escaping."""

    def __init__(self):
        self.lines: list[int] = []

    def visit_Call(self, node):
        name = called(node)
        if name in {"mark_safe", "SafeString", "SafeText", "Markup"}:
            self.lines.append(node.lineno)
        elif name in {"format_html", "Fieldset"} and not (
            node.args and literal_text(node.args[0])
        ):
            # format_html escapes its arguments, never its format; crispy shows a
            # fieldset's legend unescaped.
            self.lines.append(node.lineno)
        elif name == "format_html_join" and not (
            len(node.args) > 1 and literal_text(node.args[1])
        ):
            self.lines.append(node.lineno)
        for keyword in node.keywords:
            if keyword.arg in {"is_safe", "needs_autoescape", "autoescape"}:
                self.lines.append(node.lineno)
            elif keyword.arg == "help_text" and not self.escaped(keyword.value):
                self.lines.append(node.lineno)
        self.generic_visit(node)

    def visit_Assign(self, node):
        # Django's and crispy's templates show a help text unescaped.
        for target in node.targets:
            if getattr(target, "attr", "") == "help_text" and not self.escaped(
                node.value
            ):
                self.lines.append(node.lineno)
        self.generic_visit(node)

    @staticmethod
    def escaped(node: ast.expr) -> bool:
        return literal_text(node) or (
            isinstance(node, ast.Call) and called(node) == "escape"
        )


def unescaping_uses() -> set[tuple[str, str]]:
    found = set()
    for path in our_python_files():
        source = path.read_text()
        visitor = Unescaping()
        visitor.visit(ast.parse(source))
        lines = source.splitlines()
        relative = str(path.relative_to(ROOT))
        found |= {(relative, lines[n - 1].strip()) for n in visitor.lines}
    for path in template_files():
        relative = str(path.relative_to(ROOT))
        for line in path.read_text().splitlines():
            if TEMPLATE_UNSAFE.search(line):
                found.add((relative, line.strip()))
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        relative = str(path.relative_to(ROOT))
        for line in path.read_text().splitlines():
            if SCRIPT_UNSAFE.search(line):
                found.add((relative, line.strip()))
    return found


def test_every_way_around_escaping_in_our_code_is_reviewed():
    assert unescaping_uses() == ALLOWED.keys()


def test_the_check_finds_what_switches_escaping_off():
    visitor = Unescaping()
    visitor.visit(
        ast.parse(
            "mark_safe(x)\n"
            "format_html(f'<b>{x}</b>')\n"
            "format_html('<b>{}</b>', x)\n"
            "forms.CharField(help_text=obj.name)\n"
            "forms.CharField(help_text=_('Tekst'))\n"
            "field.help_text = obj.name\n"
            "Fieldset(obj.name, 'a')\n"
        )
    )
    assert visitor.lines == [1, 2, 4, 6, 7]
    assert TEMPLATE_UNSAFE.search("{{ note|safe }}")
    assert TEMPLATE_UNSAFE.search("{% autoescape off %}")
    assert not TEMPLATE_UNSAFE.search("{{ note|safe_name }}")
    assert SCRIPT_UNSAFE.search("el.innerHTML = text;")
