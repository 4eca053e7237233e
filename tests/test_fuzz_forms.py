"""Every form of the portal, fuzzed: whatever is sent, the answer is never a
server error (security checklist item 17).

The URLs that take a POST are found by walking the URL resolver; each is in
TARGETS (the forms its view binds, posted as a role that may use them) or in
READS_NO_POST with the reason, and a test fails when a new one is in neither.
The forms sent with GET (filters, figures' periods, searches) are in GET_FORMS.
For each, Hypothesis sends through the test client what `from_form` makes of the
forms (well-formed values, which reach the saving code), that with one field
hostile, or hostile values in every field (tests/fuzzing.py), with a few extra
fields besides. Each example runs in a savepoint that is rolled back, so examples
do not see each other's rows. Any 5xx, or an exception out of a view, fails with
the example that caused it.

The number of examples comes from a Hypothesis profile: a small, derandomized one
by default (CI), and a long one with HYPOTHESIS_PROFILE=thorough (make fuzz).
"""

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from activities.event_forms import CalendarFilterForm, PlannedEventForm
from activities.forms import (
    RecordFilter,
    RecordForm,
    ReopenForm,
    SendBackForm,
    TargetsForm,
    YearStatusForm,
)
from activities.models import ActivityRecord, PlannedEvent
from advice.figure_views import PeriodForm
from advice.forms import (
    CaseForm,
    CaseListFilter,
    CloseForm,
    HouseholdForm,
    JoinForm,
    OutcomeForm,
)
from advice.meeting_forms import (
    DropInVisitForm,
    MeetingForm,
    ReferralForm,
    ReferralMoveForm,
)
from advice.models import CaseOutcome, EvictionReport, Meeting, Referral
from advice.network_forms import EvictionReportForm
from advice.record_forms import AccessLogFilter, EraseForm, LookupForm
from boligsocial import spreadsheets
from boligsocial.models import Invitation, Role, User
from boligsocial.notification_views import PreferencesForm
from boligsocial.people_forms import ConfirmForm, PersonForm
from boligsocial.two_factor import ENROL_SESSION_KEY, SetupForm, VerifyForm
from conftest import TwoFactorClient
from reports.forms import DashboardForm, ReportRequestForm, ScheduleForm
from safety.beredskab.figure_views import BeredskabFiguresForm
from safety.beredskab.filters import ContactFilter, IncidentFilter, TaskFilter
from safety.beredskab.incident_forms import CloseForm as IncidentCloseForm
from safety.beredskab.incident_forms import (
    EntryForm,
    IncidentForm,
    NewIncidentForm,
    NotifyForm,
)
from safety.beredskab.network_forms import ContactForm, TaskForm
from safety.beredskab.network_forms import MeetingForm as NetworkMeetingForm
from safety.meldinger.forms import DeclineForm, ResidentReportForm
from safety.models import Finding, IncidentEntry, NetworkMeeting, SignUp, Walk
from safety.nabohjaelp.forms import (
    PublicSignUpForm,
    SignUpFilter,
    SignUpForm,
    WithdrawalCodeForm,
    WithdrawalContactForm,
)
from safety.walks.filters import FindingFilter, WalkFilter
from safety.walks.forms import FindingForm, StatusForm, WalkForm
from safety.walks.photos import PhotoForm
from tests.fuzzing import SAMPLE_FILES, form_fields, post_data
from tests.url_walk import methods, views
from tests.world import NOW, TODAY, World, build_world

# Its figures add up over the module: under pytest-xdist it runs in one process.
pytestmark = pytest.mark.xdist_group("fuzz")

# --- Profiles -----------------------------------------------------------------------

HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.function_scoped_fixture,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
]
settings.register_profile(
    "forms-ci",
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    # A failure is reported as found: shrinking slow examples can take minutes.
    # The thorough profile shrinks it to the smallest input that still fails.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=HEALTH,
)
settings.register_profile(
    "forms-thorough",
    max_examples=300,
    deadline=None,
    database=DirectoryBasedExampleDatabase(
        Path(__file__).resolve().parent.parent / "var" / "hypothesis"
    ),
    print_blob=True,
    suppress_health_check=HEALTH,
)
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
PROFILE = settings.get_profile("forms-thorough" if THOROUGH else "forms-ci")

# --- The targets --------------------------------------------------------------------


def fields_of(**declared) -> type[forms.Form]:
    """A form naming what a view without a form class reads from the POST."""
    return type("Posted", (forms.Form,), declared)


@dataclass(frozen=True)
class Target:
    """A URL that takes a POST, the role that posts to it, and the forms its view
    binds (form class, the arguments the view gives it), from the world."""

    url: str
    role: str | None  # None: a visitor who is not logged in
    forms: Callable[[World], list[tuple[type, dict]]] = lambda w: []
    kwargs: Callable[[World], dict] = lambda w: {}
    fixed: Callable[[World], dict] = lambda w: {}
    setup: Callable[[Client, World], None] | None = None
    # The view renews the session (a password changed): log in again each time.
    relogin: bool = False
    logs_out: bool = False
    two_factor_done: bool = True
    # Nobody may (an admin page for records made elsewhere): the answer is 403.
    refused: bool = False
    # The share of the profile's examples: the admin's pages are Django's code
    # around our models, a view without a form reads a field or two.
    share: float = 1.0
    method: str = "post"


def pk(name: str) -> Callable[[World], dict]:
    return lambda w: {"pk": getattr(w, name).pk}


def version_of(name: str) -> Callable[[World], dict]:
    return lambda w: {"version": getattr(w, name).version}


def pending_import(url: str) -> Callable[[Client, World], None]:
    """An uploaded sheet waiting in the session, so confirm and cancel find one."""

    def upload(client: Client, world: World) -> None:
        sheet = SimpleUploadedFile("a.xlsx", SAMPLE_FILES["empty workbook"])
        client.post(reverse(url), {"file": sheet})

    return upload


def allow_app_setup(client: Client, user: User) -> None:
    """The session a link from the person's e-mail opened: it may set up an app."""
    session = client.session
    session[ENROL_SESSION_KEY] = user.pk
    session.save()


def a_join_link(user: User) -> str:
    """The token of an invitation link for the person, as their e-mail has it."""
    return Invitation.issue(user, kind=Invitation.Kind.JOIN, by=None)[1]


def reset_link(client: Client, world: World) -> None:
    """Open the reset link once: the token moves into the session."""
    user = world.people[Role.STAFF]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    client.get(reverse("password_reset_confirm", args=[uid, token]))


STAFF, ADVISOR, KEEPER = Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR
COORDINATOR, ADMIN = Role.COORDINATOR, Role.ADMIN
TOKEN = fields_of(token=forms.CharField())
VERSION = fields_of(version=forms.IntegerField())
NEXT = fields_of(next=forms.CharField())
NONE = fields_of()
SHOWN = fields_of(shown=forms.CharField())
# A decision on a status text: the version it was shown at, and where from.
DECISION = fields_of(version=forms.CharField(), **{"from": forms.CharField()})

PORTAL = [
    # activities
    Target(
        "activities:targets_edit",
        COORDINATOR,
        lambda w: [(TargetsForm, {"activity": w.activity})],
        pk("activity"),
    ),
    Target(
        "activities:status_edit",
        STAFF,
        lambda w: [(YearStatusForm, {"instance": w.year_status})],
        lambda w: {"pk": w.activity.pk, "year": 2026},
    ),
    Target(
        "activities:status_approve",
        COORDINATOR,
        lambda w: [(DECISION, {})],
        lambda w: {"pk": w.activity.pk, "year": 2026},
    ),
    Target(
        "activities:status_send_back",
        COORDINATOR,
        lambda w: [(SendBackForm, {})],
        lambda w: {"pk": w.activity.pk, "year": 2026},
    ),
    Target(
        "notification_settings",
        STAFF,
        lambda w: [(PreferencesForm, {"user": w.people[STAFF]})],
        lambda w: {},
    ),
    Target("notification_read_all", STAFF, lambda w: [(NONE, {})], lambda w: {}),
    Target(
        "activities:status_reopen",
        COORDINATOR,
        lambda w: [(ReopenForm, {})],
        lambda w: {"pk": w.activity.pk, "year": 2025},
    ),
    Target(
        "activities:record_create",
        STAFF,
        lambda w: [
            (
                RecordForm,
                {
                    "instance": ActivityRecord(created_by=w.people[STAFF]),
                    "activity": w.activity,
                },
            )
        ],
    ),
    Target(
        "activities:record_edit",
        STAFF,
        lambda w: [(RecordForm, {"instance": w.record})],
        pk("record"),
    ),
    Target("activities:record_delete", STAFF, kwargs=pk("record")),
    Target(
        "activities:event_create",
        STAFF,
        lambda w: [
            (
                PlannedEventForm,
                {"instance": PlannedEvent(), "user": w.people[STAFF]},
            )
        ],
    ),
    Target(
        "activities:event_edit",
        STAFF,
        lambda w: [(PlannedEventForm, {"instance": w.event, "user": w.people[STAFF]})],
        pk("event"),
    ),
    Target("activities:event_delete", STAFF, kwargs=pk("event")),
    Target("activities:event_cancel", STAFF, lambda w: [(VERSION, {})], pk("event")),
    Target(
        "activities:record_import",
        STAFF,
        lambda w: [(spreadsheets.ImportForm, {})],
    ),
    Target(
        "activities:record_import_columns",
        STAFF,
        lambda w: [(TOKEN, {})],
        setup=pending_import("activities:record_import"),
    ),
    Target(
        "activities:record_import_confirm",
        STAFF,
        lambda w: [(TOKEN, {})],
        setup=pending_import("activities:record_import"),
    ),
    Target(
        "activities:record_import_cancel",
        STAFF,
        lambda w: [(TOKEN, {})],
        setup=pending_import("activities:record_import"),
    ),
    Target(
        "activities:history_import",
        COORDINATOR,
        lambda w: [(spreadsheets.ImportForm, {})],
    ),
    Target(
        "activities:history_import_columns",
        COORDINATOR,
        lambda w: [(TOKEN, {})],
        setup=pending_import("activities:history_import"),
    ),
    Target(
        "activities:history_import_confirm",
        COORDINATOR,
        lambda w: [(TOKEN, {})],
        setup=pending_import("activities:history_import"),
    ),
    Target(
        "activities:history_import_cancel",
        COORDINATOR,
        lambda w: [(TOKEN, {})],
        setup=pending_import("activities:history_import"),
    ),
    Target(
        "organisation_import",
        COORDINATOR,
        lambda w: [(spreadsheets.ImportForm, {})],
    ),
    Target(
        "organisation_import_columns",
        COORDINATOR,
        lambda w: [(TOKEN, {})],
        setup=pending_import("organisation_import"),
    ),
    Target(
        "organisation_import_confirm",
        COORDINATOR,
        lambda w: [(TOKEN, {})],
        setup=pending_import("organisation_import"),
    ),
    Target(
        "organisation_import_cancel",
        COORDINATOR,
        lambda w: [(TOKEN, {})],
        setup=pending_import("organisation_import"),
    ),
    # safety: Nabohjælp
    Target(
        "safety:signup_create",
        KEEPER,
        lambda w: [(SignUpForm, {"instance": SignUp()})],
    ),
    Target(
        "safety:signup_edit",
        KEEPER,
        lambda w: [(SignUpForm, {"instance": w.signup})],
        pk("signup"),
    ),
    Target("safety:signup_confirm", KEEPER, kwargs=pk("pending_signup")),
    Target("safety:signup_reject", KEEPER, kwargs=pk("pending_signup")),
    Target("safety:signup_withdraw", KEEPER, kwargs=pk("signup")),
    # Erasure on request: the sign-ups the page listed, as "id:version" each.
    Target("safety:signup_erase", KEEPER, lambda w: [(SHOWN, {})], pk("signup")),
    Target(
        "safety:signup_import",
        KEEPER,
        lambda w: [(spreadsheets.ImportForm, {})],
    ),
    Target(
        "safety:signup_import_columns",
        KEEPER,
        lambda w: [(TOKEN, {})],
        setup=pending_import("safety:signup_import"),
    ),
    Target(
        "safety:signup_import_confirm",
        KEEPER,
        lambda w: [(TOKEN, {})],
        setup=pending_import("safety:signup_import"),
    ),
    Target(
        "safety:signup_import_cancel",
        KEEPER,
        lambda w: [(TOKEN, {})],
        setup=pending_import("safety:signup_import"),
    ),
    Target(
        "nabohjaelp:signup",
        None,
        lambda w: [(PublicSignUpForm, {"area": w.rising})],
        lambda w: {"slug": "rising"},
    ),
    Target("nabohjaelp:withdraw_start", None, lambda w: [(WithdrawalContactForm, {})]),
    Target(
        "meld:report",
        None,
        lambda w: [(ResidentReportForm, {"area": w.rising})],
        lambda w: {"slug": "rising"},
    ),
    Target(
        "safety:report_to_finding",
        KEEPER,
        lambda w: [
            (FindingForm, {"instance": Finding(area=w.rising), "area": w.rising})
        ],
        pk("resident_report"),
    ),
    Target(
        "safety:report_decline",
        KEEPER,
        lambda w: [(DeclineForm, {})],
        pk("resident_report"),
    ),
    Target(
        "nabohjaelp:withdraw_code",
        None,
        lambda w: [(WithdrawalCodeForm, {"known": False})],
    ),
    # safety: walks and findings
    Target(
        "safety:walk_create",
        KEEPER,
        lambda w: [(WalkForm, {"instance": Walk()})],
    ),
    Target(
        "safety:walk_edit",
        KEEPER,
        lambda w: [(WalkForm, {"instance": w.walk})],
        pk("walk"),
    ),
    Target(
        "safety:finding_create",
        KEEPER,
        lambda w: [(FindingForm, {"instance": Finding(walk=w.walk), "area": w.rising})],
        pk("walk"),
    ),
    Target(
        "safety:finding_edit",
        KEEPER,
        lambda w: [(FindingForm, {"instance": w.finding, "area": w.rising})],
        pk("finding"),
        fixed=version_of("finding"),
    ),
    Target(
        "safety:finding_status",
        KEEPER,
        lambda w: [(StatusForm, {"finding": w.finding, "user": w.people[KEEPER]})],
        pk("finding"),
    ),
    Target(
        "safety:finding_confirm_fix",
        KEEPER,
        lambda w: [
            (fields_of(version=forms.IntegerField(), walk=forms.IntegerField()), {})
        ],
        pk("fixed_finding"),
    ),
    Target(
        "safety:finding_photo_add",
        KEEPER,
        lambda w: [(PhotoForm, {})],
        pk("finding"),
    ),
    # safety: beredskab
    Target(
        "safety:incident_create",
        KEEPER,
        lambda w: [(NewIncidentForm, {})],
    ),
    Target(
        "safety:incident_edit",
        KEEPER,
        lambda w: [(IncidentForm, {"instance": w.incident})],
        pk("incident"),
    ),
    Target(
        "safety:entry_create",
        KEEPER,
        lambda w: [(EntryForm, {"instance": IncidentEntry(incident=w.incident)})],
        pk("incident"),
    ),
    Target(
        "safety:incident_notify",
        KEEPER,
        lambda w: [(NotifyForm, {"incident": w.incident, "told": [w.police.pk]})],
        pk("incident"),
    ),
    Target(
        "safety:notification_retry",
        KEEPER,
        kwargs=lambda w: {
            "pk": w.incident.pk,
            "notification_pk": w.failed_notification.pk,
        },
    ),
    Target(
        "safety:incident_close",
        KEEPER,
        lambda w: [(IncidentCloseForm, {})],
        pk("incident"),
    ),
    Target("safety:incident_reopen", KEEPER, kwargs=pk("closed_incident")),
    Target(
        "safety:contact_create",
        KEEPER,
        lambda w: [(ContactForm, {})],
    ),
    Target(
        "safety:contact_edit",
        KEEPER,
        lambda w: [(ContactForm, {"instance": w.contact})],
        pk("contact"),
    ),
    Target("safety:contact_delete", KEEPER, kwargs=pk("contact")),
    Target(
        "safety:meeting_create",
        KEEPER,
        lambda w: [(NetworkMeetingForm, {"instance": NetworkMeeting()})],
    ),
    Target(
        "safety:meeting_edit",
        KEEPER,
        lambda w: [(NetworkMeetingForm, {"instance": w.meeting})],
        pk("meeting"),
    ),
    Target(
        "safety:task_create",
        KEEPER,
        lambda w: [(TaskForm, {"meeting": w.meeting})],
        pk("meeting"),
    ),
    Target(
        "safety:task_edit",
        KEEPER,
        lambda w: [(TaskForm, {"instance": w.task, "meeting": w.meeting})],
        pk("task"),
    ),
    Target("safety:task_done", KEEPER, lambda w: [(NEXT, {})], pk("task")),
    Target("safety:task_reopen", KEEPER, lambda w: [(NEXT, {})], pk("task")),
    # advice
    Target(
        "advice:case_create",
        ADVISOR,
        lambda w: [(HouseholdForm, {}), (CaseForm, {})],
    ),
    Target(
        "advice:case_edit",
        ADVISOR,
        lambda w: [
            (HouseholdForm, {"instance": w.household}),
            (CaseForm, {"instance": w.case}),
        ],
        pk("case"),
    ),
    Target(
        "advice:case_followup",
        ADVISOR,
        lambda w: [(CaseForm, {})],
        pk("case"),
    ),
    Target(
        "advice:outcome_create",
        ADVISOR,
        lambda w: [(OutcomeForm, {"instance": CaseOutcome(case=w.case)})],
        pk("case"),
    ),
    Target(
        "advice:case_close",
        ADVISOR,
        lambda w: [(CloseForm, {"case": w.case})],
        pk("case"),
    ),
    Target(
        "advice:case_reopen",
        ADVISOR,
        lambda w: [(VERSION, {})],
        pk("closed_case"),
    ),
    Target(
        "advice:case_join",
        ADVISOR,
        lambda w: [(JoinForm, {})],
        pk("colleagues_case"),
    ),
    Target(
        "advice:meeting_create",
        ADVISOR,
        lambda w: [(MeetingForm, {"instance": Meeting(case=w.case)})],
        pk("case"),
    ),
    Target(
        "advice:meeting_edit",
        ADVISOR,
        lambda w: [(MeetingForm, {"instance": w.advice_meeting})],
        lambda w: {"pk": w.case.pk, "meeting_pk": w.advice_meeting.pk},
    ),
    Target(
        "advice:drop_in_visit",
        ADVISOR,
        lambda w: [
            (
                DropInVisitForm,
                {
                    "instance": Meeting(
                        place=Meeting.Place.DROP_IN, drop_in=w.drop_in, held_on=TODAY
                    ),
                    "cases": [w.case],
                    "prefix": f"visit-{w.drop_in.pk}",
                },
            )
        ],
        lambda w: {"drop_in_pk": w.drop_in.pk},
    ),
    Target(
        "advice:referral_create",
        ADVISOR,
        lambda w: [(ReferralForm, {"instance": Referral(case=w.case)})],
        pk("case"),
    ),
    Target(
        "advice:referral_move",
        ADVISOR,
        lambda w: [(ReferralMoveForm, {"referral": w.referral})],
        lambda w: {"pk": w.case.pk, "referral_pk": w.referral.pk},
    ),
    Target(
        "advice:household_erase",
        ADVISOR,
        lambda w: [(EraseForm, {})],
        pk("case"),
    ),
    Target(
        "advice:network_report",
        "housing_partner",
        lambda w: [
            (
                EvictionReportForm,
                {"instance": EvictionReport(organisation=w.department.organisation)},
            )
        ],
        lambda w: {"year": 2026},
    ),
    # reports
    Target(
        "reports:run_list",
        COORDINATOR,
        lambda w: [
            (ReportRequestForm, {"user": w.people[COORDINATOR], "today": TODAY})
        ],
    ),
    Target("reports:run_retry", COORDINATOR, kwargs=pk("run")),
    Target(
        "reports:schedule_create",
        COORDINATOR,
        lambda w: [(ScheduleForm, {"user": w.people[COORDINATOR]})],
    ),
    Target("reports:schedule_pause", COORDINATOR, kwargs=pk("schedule")),
    Target("reports:schedule_resume", COORDINATOR, kwargs=pk("schedule")),
    Target("reports:schedule_delete", COORDINATOR, kwargs=pk("schedule")),
    # logging in and out, the second factor, passwords, the language
    Target(
        "login",
        None,
        lambda w: [(auth_views.LoginView.form_class, {"request": None})],
    ),
    Target("logout", STAFF, logs_out=True),
    Target(
        "two_factor_setup",
        "other_advisor",
        lambda w: [(SetupForm, {"device": None})],
        setup=lambda client, w: allow_app_setup(client, w.people["other_advisor"]),
        two_factor_done=False,
    ),
    Target(
        "invitation_accept",
        None,
        lambda w: [(SetPasswordForm, {"user": w.people[STAFF]})],
        lambda w: {"token": a_join_link(w.people[STAFF])},
    ),
    # people: coordinators invite, change and deactivate
    Target(
        "person_invite",
        COORDINATOR,
        lambda w: [(PersonForm, {"by": w.people[COORDINATOR]})],
    ),
    Target(
        "person_edit",
        COORDINATOR,
        lambda w: [
            (PersonForm, {"instance": w.people[STAFF], "by": w.people[COORDINATOR]})
        ],
        lambda w: {"pk": w.people[STAFF].pk},
    ),
    *[
        Target(
            name,
            COORDINATOR,
            lambda w: [(ConfirmForm, {})],
            lambda w: {"pk": w.people[STAFF].pk},
            share=0.2,
        )
        for name in (
            "person_deactivate",
            "person_reactivate",
            "person_reset_app",
            "person_invitation_resend",
            "person_invitation_revoke",
        )
    ],
    Target(
        "two_factor_verify",
        STAFF,
        lambda w: [(VerifyForm, {"user": w.people[STAFF]})],
        two_factor_done=False,
    ),
    Target(
        "password_change",
        STAFF,
        lambda w: [
            (auth_views.PasswordChangeView.form_class, {"user": w.people[STAFF]})
        ],
        relogin=True,
    ),
    Target(
        "password_reset",
        None,
        lambda w: [(auth_views.PasswordResetView.form_class, {})],
    ),
    Target(
        "password_reset_confirm",
        None,
        lambda w: [
            (
                auth_views.PasswordResetConfirmView.form_class,
                {"user": w.people[STAFF]},
            )
        ],
        lambda w: {
            "uidb64": urlsafe_base64_encode(force_bytes(w.people[STAFF].pk)),
            "token": "set-password",
        },
        setup=reset_link,
    ),
    Target(
        "set_language",
        None,
        lambda w: [
            (
                fields_of(
                    language=forms.ChoiceField(choices=[("da", "da"), ("en", "en")]),
                    next=forms.CharField(),
                ),
                {},
            )
        ],
    ),
]


# --- The admin ----------------------------------------------------------------------

# Who may do what in the admin is decided by role (RoleGatedAdmin) or, for other
# apps' models, by Django's permissions (the admin role is a superuser).
ADMIN_ROLES = {
    ADMIN: User(role=ADMIN, is_active=True, is_superuser=True, is_staff=True),
    COORDINATOR: User(role=COORDINATOR, is_active=True),
}


def admin_request(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def first(model):
    return model._default_manager.order_by("pk").first()


def admin_role(model, permission: str) -> tuple[str, bool]:
    """The first of the admin's two roles allowed to, and whether none is."""
    model_admin = admin.site._registry[model]
    for role, user in ADMIN_ROLES.items():
        request = admin_request(user)
        check = getattr(model_admin, f"has_{permission}_permission")
        # An unsaved row stands for the row the page is about.
        if check(request) if permission == "add" else check(request, model()):
            return role, False
    return ADMIN, True


def on_first(model) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        row = first(model)
        return {"object_id": row.pk if row else 1}

    return kwargs


def admin_form(model, role: str, *, change: bool) -> Callable[[World], list]:
    def form(world: World) -> list:
        model_admin = admin.site._registry[model]
        row = first(model) if change else None
        request = admin_request(world.people[role])
        form_class = model_admin.get_form(request, row, change=change)
        return [(form_class, {"instance": row} if change else {})]

    return form


def admin_actions(model, role: str) -> Callable[[World], list]:
    """The changelist's POST: an action on ticked rows, or its editable columns."""

    def form(world: World) -> list:
        model_admin = admin.site._registry[model]
        request = admin_request(world.people[role])
        rows = [(o.pk, o.pk) for o in model._default_manager.order_by("pk")[:3]]
        rows = rows or [(1, 1)]
        declared = {
            "action": forms.ChoiceField(
                choices=model_admin.get_action_choices(request, [])
            ),
            "_selected_action": forms.MultipleChoiceField(choices=rows),
            "index": forms.IntegerField(),
            "select_across": forms.BooleanField(),
            "post": forms.ChoiceField(choices=[("yes", "yes")]),
        }
        for name in model_admin.list_editable:
            declared |= {
                "_save": forms.CharField(),
                "form-TOTAL_FORMS": forms.IntegerField(),
                "form-INITIAL_FORMS": forms.IntegerField(),
                "form-0-id": forms.ChoiceField(choices=rows),
                f"form-0-{name}": forms.CharField(),
            }
        return [(fields_of(**declared), {})]

    return form


def admin_targets() -> list[Target]:
    """Each registered model's add, change, delete and list pages."""
    targets = []
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        add, no_add = admin_role(model, "add")
        change, no_change = admin_role(model, "change")
        delete, no_delete = admin_role(model, "delete")
        view, no_view = admin_role(model, "view")
        targets += [
            Target(
                f"{info}_add",
                add,
                (lambda w: []) if no_add else admin_form(model, add, change=False),
                refused=no_add,
                share=0.5,
            ),
            Target(
                f"{info}_change",
                change,
                (lambda w: []) if no_change else admin_form(model, change, change=True),
                on_first(model),
                # A model the role may only view shows its page, and refuses a POST.
                refused=no_change,
                share=0.5,
            ),
            Target(
                f"{info}_delete",
                delete,
                lambda w: [(fields_of(post=forms.CharField()), {})],
                on_first(model),
                refused=no_delete,
                share=0.2,
            ),
            Target(
                f"{info}_changelist",
                view,
                admin_actions(model, view),
                refused=no_view,
                share=0.2,
            ),
        ]
    return targets


ADMIN_SITE = [
    Target("admin:logout", ADMIN, logs_out=True, share=0.2),
    Target(
        "admin:password_change",
        ADMIN,
        lambda w: [(AdminPasswordChangeForm, {"user": w.people[ADMIN]})],
        relogin=True,
        share=0.5,
    ),
    # Nobody sets another person's password: they choose it by their own link.
    Target(
        "admin:auth_user_password_change",
        ADMIN,
        lambda w: [(AdminPasswordChangeForm, {"user": w.people[STAFF]})],
        lambda w: {"id": w.people[STAFF].pk},
        refused=True,
        share=0.2,
    ),
]

# --- Forms that are sent with GET: filters, periods, searches ----------------------


def filter_form(filterset, **kwargs) -> Callable[[World], list]:
    def form(world: World) -> list:
        form_class = filterset(**kwargs).get_form_class()
        return [(form_class, {}), (PAGE, {})]

    return form


PAGE = fields_of(page=forms.IntegerField())
YEAR = fields_of(year=forms.IntegerField())


def get(url: str, role: str, forms_, kwargs=lambda w: {}) -> Target:
    # Figures pages are slow to draw, and their forms are few fields.
    return Target(url, role, forms_, kwargs, method="get", share=0.25)


CSV_FORMAT = lambda w: {"fmt": "csv"}  # noqa: E731 - the exports' one keyword

GET_FORMS = [
    get(
        "activities:calendar",
        STAFF,
        lambda w: [(CalendarFilterForm, {"user": w.people[STAFF]})],
    ),
    get("activities:record_list", STAFF, filter_form(RecordFilter)),
    get(
        "activities:record_export",
        STAFF,
        filter_form(RecordFilter),
        lambda w: {"fmt": "csv"},
    ),
    get("activities:activity_detail", STAFF, lambda w: [(YEAR, {})], pk("activity")),
    get("safety:nabohjaelp", STAFF, lambda w: [(YEAR, {})]),
    get("safety:signup_list", KEEPER, filter_form(SignUpFilter)),
    get(
        "safety:signup_export",
        KEEPER,
        filter_form(SignUpFilter),
        lambda w: {"fmt": "csv"},
    ),
    get("safety:safety_figures", KEEPER, lambda w: [(YEAR, {})]),
    get(
        "safety:beredskab_figures",
        KEEPER,
        lambda w: [
            (
                BeredskabFiguresForm,
                {"user": w.people[KEEPER], "today": TODAY},
            )
        ],
    ),
    get("safety:incident_list", KEEPER, filter_form(IncidentFilter)),
    get("safety:contact_list", KEEPER, filter_form(ContactFilter)),
    get("safety:task_list", KEEPER, filter_form(TaskFilter)),
    get("safety:finding_map", KEEPER, filter_form(FindingFilter)),
    # Every list's export reads the list's filter (boligsocial.exports).
    get("safety:walk_list", KEEPER, filter_form(WalkFilter)),
    *[
        get(f"safety:{name}_export", KEEPER, filter_form(form), CSV_FORMAT)
        for name, form in [
            ("walk", WalkFilter),
            ("finding", FindingFilter),
            ("incident", IncidentFilter),
            ("contact", ContactFilter),
            ("task", TaskFilter),
        ]
    ],
    get(
        "activities:event_export",
        STAFF,
        lambda w: [(CalendarFilterForm, {"user": w.people[STAFF]})],
        lambda w: {"fmt": "xlsx"},
    ),
    get(
        "advice:access_log_export",
        COORDINATOR,
        filter_form(AccessLogFilter),
        CSV_FORMAT,
    ),
    get("advice:network_export", ADVISOR, lambda w: [(YEAR, {})], CSV_FORMAT),
    get(
        "advice:advice_figures_export",
        ADVISOR,
        lambda w: [(PeriodForm, {"today": TODAY})],
        lambda w: {"slug": "advice", "fmt": "csv"},
    ),
    get("advice:case_list", ADVISOR, lambda w: [(CaseListFilter, {}), (PAGE, {})]),
    get("advice:access_log", COORDINATOR, filter_form(AccessLogFilter)),
    get("advice:case_lookup", STAFF, lambda w: [(LookupForm, {})]),
    get("advice:advice_figures", ADVISOR, lambda w: [(PeriodForm, {"today": TODAY})]),
    get("advice:network", ADVISOR, lambda w: [(YEAR, {})]),
    get("activities:year_close", COORDINATOR, lambda w: [(YEAR, {})]),
    get(
        "reports:dashboard",
        COORDINATOR,
        lambda w: [(DashboardForm, {"user": w.people[COORDINATOR], "today": TODAY})],
    ),
    get(
        "reports:dashboard_export",
        COORDINATOR,
        lambda w: [(DashboardForm, {"user": w.people[COORDINATOR], "today": TODAY})],
        lambda w: {"slug": "activities", "fmt": "csv"},
    ),
]

TARGETS = PORTAL + ADMIN_SITE + admin_targets() + GET_FORMS

# Views that answer a POST as they answer a GET: they read nothing posted.
READS_NO_POST = {
    "nabohjaelp:withdraw_confirm": "the link's button: the secret is in a cookie",
    "notification_read": "marks one's own notification read; reads nothing posted",
    "export_job_retry": "asks again for one's own failed export; reads nothing posted",
    "two_factor_new_link": "mails the person a link to set up an app; reads nothing",
    "activities:calendar_feed_renew": "a new calendar feed address; reads nothing",
    "activities:calendar_feed_stop": "stops one's calendar feed; reads nothing posted",
    "admin:index": "the admin's front page",
    "admin:app_list": "an app's page in the admin",
    "admin:jsi18n": "the admin's JavaScript catalogue",
    "admin:autocomplete": "reads its search from the query string",
    "admin:view_on_site": "a redirect to the object's page",
    "admin:password_change_done": "a page that says the password was changed",
    "admin:login": "PortalAdminSite.login sends everyone to the portal's login page",
    "health_live": "the monitor's health check",
    "health_ready": "the monitor's health check",
    **{
        f"admin:{m._meta.app_label}_{m._meta.model_name}_history": (
            "an object's history in the admin"
        )
        for m in admin.site._registry
    },
}


# --- Which URLs take a POST ---------------------------------------------------------


def takes_post(view) -> bool:
    """A view that names its methods takes a POST if POST is one of them; any
    other (the admin's, Django's set_language) takes every method."""
    allowed = methods(view)
    return allowed is None or "POST" in allowed


def post_urls() -> set[str]:
    return {name for name, view in views() if takes_post(view)}


def test_the_walk_tells_post_urls_from_get_only_ones():
    found = post_urls()
    assert {"advice:case_create", "login", "admin:boligsocial_area_add"} <= found
    assert not {"home", "activities:record_list", "advice:case_detail"} & found


def test_every_url_that_takes_a_post_is_fuzzed_or_reads_nothing_posted():
    fuzzed = [target.url for target in TARGETS if target.method == "post"]
    found = post_urls()
    assert found - set(fuzzed) - READS_NO_POST.keys() == set(), "add to TARGETS"
    assert (set(fuzzed) | READS_NO_POST.keys()) - found == set(), "gone: remove"
    assert len(set(fuzzed)) == len(fuzzed), "a URL is in TARGETS twice"


# --- The fuzzing --------------------------------------------------------------------

# Per URL: how many examples were answered 2xx (the form again, with its
# errors), 3xx (saved, or done) and 4xx (refused).
FIGURES: dict[str, Counter] = {}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole module, in a transaction rolled back at its end;
    each test runs in a savepoint of it (pytest-django's `db`)."""
    media = tmp_path_factory.mktemp("media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers),
        time_machine.travel(NOW, tick=False),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def log_in(client: Client, target: Target, world: World) -> None:
    if target.role is None:
        return
    user = world.people[target.role]
    if target.two_factor_done:
        client.force_login(user)
    else:  # past the password only: the code prompt is what is fuzzed
        Client.force_login(client, user)


def send_and_roll_back(client: Client, target: Target, url: str, data: dict):
    cache.clear()  # the public page's rate limit counts in the cache
    with transaction.atomic():
        response = getattr(client, target.method)(url, data)
        transaction.set_rollback(True)
    return response


def assert_reachable(target: Target, response) -> None:
    """The persona may use the form: an empty POST is not refused or sent away to
    log in (else the fuzzing would test the refusal only)."""
    if target.refused:
        assert response.status_code == 403, target.url
        return
    assert response.status_code not in (403, 404, 405), target.url
    location = response.get("Location", "")
    if not target.logs_out:
        for page in ("login", "two_factor_verify", "two_factor_setup"):
            assert not location.startswith(reverse(page)), (target.url, location)


def examples(target: Target, forms_: list) -> int:
    has_fields = any(form_fields(cls(**kwargs)) for cls, kwargs in forms_)
    share = target.share if has_fields else min(target.share, 0.2)
    return max(round(PROFILE.max_examples * share), 2)


@pytest.mark.parametrize(
    "target", TARGETS, ids=[f"{t.method.upper()} {t.url}" for t in TARGETS]
)
def test_nothing_sent_to_a_form_gives_a_server_error(target, world, db, artefacts):
    client = TwoFactorClient()
    log_in(client, target, world)
    url = reverse(target.url, kwargs=target.kwargs(world))
    if target.setup:
        target.setup(client, world)
    fixed = target.fixed(world)
    assert_reachable(target, send_and_roll_back(client, target, url, fixed))
    forms_ = target.forms(world)
    answers = Counter()

    @settings_for(examples(target, forms_))
    @given(data=post_data(forms_))
    def send_anything(data):
        if target.relogin or target.logs_out:
            log_in(client, target, world)
        response = send_and_roll_back(client, target, url, {**fixed, **data})
        assert response.status_code < 500, (target.url, response.status_code)
        answers[f"{response.status_code // 100}xx"] += 1

    send_anything()
    FIGURES[target.url] = answers
    line = figure_line()
    (artefacts / "fuzz.txt").write_text(line + "\n")
    print(line)


def figure_line() -> str:
    total = sum(FIGURES.values(), Counter())
    return (
        f"{len(FIGURES)} forms × up to {PROFILE.max_examples} examples: "
        f"{total.total()} requests ({total['3xx']} saved or done, {total['2xx']} "
        f"shown again, {total['4xx']} refused), 0 server errors"
    )


def settings_for(count: int):
    return settings(PROFILE, max_examples=count)
