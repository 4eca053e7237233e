"""Right of access: everything the portal holds on a household, as one workbook;
and, at the end, the access log as a list export (boligsocial.exports).

The resident asked for all their data, so every case of the household is in it,
whoever worked on it: the household, its cases, meetings, outcomes and referrals,
and the access log of its cases, one sheet each (tablib Databook).

The access log gives when each case was looked up or changed and why, not by
whom: Datatilsynet's guidance on access logs leaves the employee's identity out
of what the resident gets. `EXPORTED` names every model the workbook holds rows
of; a test walks the models linked to a household and fails on one not in it.
"""

import datetime

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boligsocial import spreadsheets
from boligsocial.exports import ListExport, register

from .access import require_access_log_reader
from .models import Case, CaseAccess, CaseOutcome, Household, Meeting, Referral
from .record_forms import AccessLogFilter, who

# The models whose rows linked to the household are in the workbook, and where:
# the advisors on a case (the many-to-many table) are a column of its sheet.
EXPORTED = {
    Household: "household",
    Case: "cases",
    Case.advisors.through: "cases",
    Meeting: "meetings",
    CaseOutcome: "outcomes",
    Referral: "referrals",
    CaseAccess: "access_log",
}


def household_workbook(household: Household, cases: list[Case]) -> bytes:
    """cases: the household's cases with their advisors, meetings (with drop-in
    and advisor), outcomes (with kind and recorder) and referrals loaded
    (`_cases_for_export` in record_views)."""
    book = tablib.Databook(
        [
            spreadsheets.neutralised(_household_sheet(household), "xlsx"),
            spreadsheets.neutralised(_cases_sheet(cases), "xlsx"),
            spreadsheets.neutralised(_meetings_sheet(cases), "xlsx"),
            spreadsheets.neutralised(_outcomes_sheet(cases), "xlsx"),
            spreadsheets.neutralised(_referrals_sheet(cases), "xlsx"),
            spreadsheets.neutralised(_access_sheet(cases), "xlsx"),
        ]
    )
    return book.export("xlsx")


def _headers(model, fields: list[str]) -> list[str]:
    return [
        str(model._meta.get_field(name).verbose_name).capitalize() for name in fields
    ]


def _household_sheet(household: Household) -> tablib.Dataset:
    fields = ["name", "street", "number", "floor_door", "phone", "composition"]
    data = tablib.Dataset(
        headers=[
            *_headers(Household, fields),
            _("Boligafdeling"),
            _("Område"),
            _("Oprettet"),
            _("Anonymiseret"),
        ],
        title=_("Husstand"),
    )
    department = household.department
    data.append(
        [
            household.name,
            household.street,
            household.number,
            household.floor_door,
            spreadsheets.phone_text(household.phone),
            household.get_composition_display(),
            f"{department.number} {department.name}",
            department.area.name,
            _local(household.created_at),
            _local(household.anonymised_at),
        ]
    )
    return data


def _cases_sheet(cases: list[Case]) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            _("Sagsnummer"),
            *_headers(
                Case,
                [
                    "opened_on",
                    "closed_on",
                    "status",
                    "source",
                    "eviction_risk",
                    "bailiff_date",
                    "arrears_at_start",
                    "arrears_now",
                    "note",
                    "colleagues_may_know",
                    "advisors",
                    "anonymised_at",
                ],
            ),
            _("Emner"),
        ],
        title=_("Sager"),
    )
    for case in cases:
        data.append(
            [
                case.number,
                case.opened_on,
                case.closed_on,
                case.get_status_display(),
                case.get_source_display(),
                case.get_eviction_risk_display(),
                case.bailiff_date,
                case.arrears_at_start,
                case.arrears_now,
                case.note,
                _yes_no(case.colleagues_may_know),
                ", ".join(_name(user) for user in case.advisors.all()),
                _local(case.anonymised_at),
                ", ".join(case.issues),
            ]
        )
    return data


def _meetings_sheet(cases: list[Case]) -> tablib.Dataset:
    fields = ["held_on", "place", "drop_in", "duration_minutes", "note", "held_by"]
    data = tablib.Dataset(
        headers=[_("Sagsnummer"), *_headers(Meeting, fields)], title=_("Møder")
    )
    for case in cases:
        for meeting in case.meetings.all():
            data.append(
                [
                    case.number,
                    meeting.held_on,
                    meeting.get_place_display(),
                    str(meeting.drop_in or ""),
                    meeting.duration_minutes,
                    meeting.note,
                    _name(meeting.held_by),
                ]
            )
    return data


def _outcomes_sheet(cases: list[Case]) -> tablib.Dataset:
    fields = ["kind", "amount", "achieved_on", "note", "recorded_by"]
    data = tablib.Dataset(
        headers=[_("Sagsnummer"), *_headers(CaseOutcome, fields)],
        title=_("Resultater"),
    )
    for case in cases:
        for outcome in case.outcomes.all():
            data.append(
                [
                    case.number,
                    outcome.kind.name,
                    outcome.amount,
                    outcome.achieved_on,
                    outcome.note,
                    _name(outcome.recorded_by),
                ]
            )
    return data


REFERRAL_STAMPS = [
    "proposed_at",
    "consented_at",
    "sent_at",
    "answered_at",
    "completed_at",
    "withdrawn_at",
]


def _referrals_sheet(cases: list[Case]) -> tablib.Dataset:
    fields = ["to", "recipient", "status", "note", "consent_note", *REFERRAL_STAMPS]
    data = tablib.Dataset(
        headers=[_("Sagsnummer"), *_headers(Referral, fields)],
        title=_("Henvisninger"),
    )
    for case in cases:
        for referral in case.referrals.all():
            data.append(
                [
                    case.number,
                    referral.get_to_display(),
                    referral.recipient,
                    referral.get_status_display(),
                    referral.note,
                    referral.consent_note,
                    *(_local(getattr(referral, stamp)) for stamp in REFERRAL_STAMPS),
                ]
            )
    return data


def _access_sheet(cases: list[Case]) -> tablib.Dataset:
    """Every entry of the cases' access log, by case number (an entry outlives
    its case): when, what was done and the reason given, without the employee."""
    data = tablib.Dataset(
        headers=[
            _("Sagsnummer"),
            *_headers(CaseAccess, ["at", "action", "reason"]),
        ],
        title=_("Adgangslog"),
    )
    entries = CaseAccess.objects.filter(
        case_number__in=[case.pk for case in cases]
    ).order_by("at", "pk")
    for entry in entries:
        data.append(
            [
                entry.number,
                _local(entry.at),
                entry.get_action_display(),
                entry.reason,
            ]
        )
    return data


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: the Danish wall-clock time."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nej")


# --- The access log, for the coordinators who review it ---------------------------


def access_log_dataset(entries) -> tablib.Dataset:
    """Every raw row under the filter, one line each, as the log holds it: case
    numbers and people, never a household."""
    headers = [
        _("Tidspunkt"),
        _("Sagsnummer"),
        _("Bruger"),
        _("Handling"),
        _("Formål"),
        _("Begrundelse"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Adgangslog"))
    for entry in entries:
        data.append(
            [
                timezone.localtime(entry.at),
                entry.case_number,
                who(entry.user),
                entry.get_action_display(),
                entry.get_purpose_display(),
                entry.reason,
            ]
        )
    return data


ACCESS_LOG = register(
    ListExport(
        name="advice.access_log",
        title=gettext_lazy("Adgangslog"),
        filename="adgangslog",
        back="advice:access_log",
        allowed=require_access_log_reader,
        filtered=lambda user, data: AccessLogFilter(
            data, queryset=CaseAccess.objects.for_list()
        ),
        dataset=access_log_dataset,
    )
)
