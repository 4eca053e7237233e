""" "Mit arbejde": each role's queue on its landing page — what waits for this
person, each row one click from acting on it. A section costs one or two
queries, however much data there is (boligsocial/tests/test_my_work.py pins it).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    ActivityRecord,
    Indicator,
    PlannedEvent,
    PlanPeriod,
    YearStatus,
)
from advice.models import Case, EvictionReport, Referral
from reports.models import ReportRun
from safety.models import Finding, FollowUpTask, Incident, ResidentReport, Walk

from .models import ImportJob, Role

ROWS = 10  # a section shows this many; its link leads to the rest


@dataclass
class Row:
    text: str
    url: str
    note: str = ""  # a date, an area
    badge: str = ""  # what makes it urgent
    danger: bool = False


@dataclass
class Section:
    title: str
    count: int
    link: str = ""  # the full list
    rows: list[Row] = field(default_factory=list)
    empty: str = ""
    waiting: bool = True  # counted beside "Mit arbejde" in the menu


def waiting_count(request) -> int:
    """What waits for the person to act on: the count in the menu."""
    return sum(section.count for section in my_work(request) if section.waiting)


def _day(value: datetime.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _moment(value: datetime.datetime | None) -> str:
    return _day(timezone.localdate(value)) if value else ""


def _finding_rows(findings, today: datetime.date) -> list[Row]:
    week = today + datetime.timedelta(days=7)
    rows = []
    for finding in findings:
        due = finding.due_date
        badge, danger = "", False
        if due and due < today:
            badge, danger = _("Over fristen"), True
        elif due and due <= week:
            badge = _("Frist denne uge")
        elif finding.status == Finding.Status.SENT:
            badge = _("Ny")
        rows.append(
            Row(
                f"{finding.category.name}: {finding.place}",
                finding.get_absolute_url(),
                f"{finding.area.name} · {_('frist')} {_day(due) or '–'}",
                str(badge),
                danger,
            )
        )
    return rows


def _overdue_by_organisation(today: datetime.date) -> Section:
    counts = (
        Finding.objects.overdue(today)
        .values("responsible__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "responsible__name")
    )
    rows = [
        Row(c["responsible__name"], reverse("safety:finding_worklist"), str(c["n"]))
        for c in counts
    ]
    return Section(
        _("Fund over fristen, efter organisation"),
        sum(c["n"] for c in counts),
        reverse("safety:finding_worklist"),
        rows,
        _("Ingen fund over fristen."),
    )


def _incident_rows(incidents) -> list[Row]:
    rows = []
    for incident in incidents:
        badge = ""
        if getattr(incident, "notifications_failed", 0):
            badge = _("Underretning fejlet")
        elif getattr(incident, "notifications_pending", 0):
            badge = _("Underretning venter")
        rows.append(
            Row(
                incident.title,
                incident.get_absolute_url(),
                f"{incident.area.name} · {_moment(incident.occurred_at)}",
                str(badge),
                bool(getattr(incident, "notifications_failed", 0)),
            )
        )
    return rows


def _task_rows(tasks, today: datetime.date) -> list[Row]:
    return [
        Row(
            task.description,
            task.get_absolute_url(),
            f"{task.owner.name} · {_('frist')} {_day(task.due_on)}",
            str(_("Over fristen")) if task.due_on < today else "",
            task.due_on < today,
        )
        for task in tasks
    ]


# --- Each role's queue ---------------------------------------------------------------


def partner(user, today: datetime.date) -> list[Section]:
    findings = (
        Finding.objects.visible_to(user)
        .open()
        .select_related("area", "category")
        .order_by(F("due_date").asc(nulls_last=True), "found_at")
    )
    recheck = (
        Finding.objects.visible_to(user)
        .filter(status=Finding.Status.FIXED, recheck_on__isnull=False)
        .select_related("area", "category")
        .order_by("recheck_on")
    )
    incidents = Incident.objects.visible_to(user).open().select_related("area")
    tasks = (
        FollowUpTask.objects.open()
        .filter(owner_id=user.organisation_id)
        .select_related("owner", "meeting")
        .order_by("due_on", "pk")
    )
    sections = [
        Section(
            _("Fund til %(organisation)s") % {"organisation": user.organisation},
            findings.count(),
            reverse("safety:finding_worklist"),
            _finding_rows(findings[:ROWS], today),
            _("Ingen åbne fund."),
        ),
        Section(
            _("Udbedret, tjekkes igen på en vandring"),
            recheck.count(),
            rows=_finding_rows(recheck[:ROWS], today),
            empty=_("Intet venter på at blive tjekket."),
            waiting=False,  # the next walk's to check, not the partner's
        ),
        Section(
            _("Åbne hændelser, I er underrettet om"),
            incidents.count(),
            reverse("safety:incident_list"),
            _incident_rows(incidents.order_by("-occurred_at")[:ROWS]),
            _("Ingen åbne hændelser."),
        ),
        Section(
            _("Jeres opgaver fra netværket"),
            tasks.count(),
            reverse("safety:task_list"),
            _task_rows(tasks[:ROWS], today),
            _("Ingen åbne opgaver."),
        ),
    ]
    if user.can_report_evictions:
        year = today.year - 1
        reported = EvictionReport.objects.filter(
            organisation_id=user.organisation_id, year=year
        ).exists()
        rows = (
            []
            if reported
            else [
                Row(
                    _("Indberet udsættelsestal for %(year)s") % {"year": year},
                    reverse("advice:network_report", args=[year]),
                    badge=str(_("Mangler")),
                )
            ]
        )
        sections.append(
            Section(
                _("Udsættelsesnetværket"),
                len(rows),
                reverse("advice:network"),
                rows,
                _("Tallene for %(year)s er indberettet.") % {"year": year},
            )
        )
    return sections


def staff(user, today: datetime.date) -> list[Section]:
    monday = today - datetime.timedelta(days=today.weekday())
    records = (
        ActivityRecord.objects.filter(
            created_by=user, date__gte=monday, date__lte=today
        )
        .select_related("activity", "area")
        .order_by("-date", "-pk")
    )
    events = (
        PlannedEvent.objects.filter(created_by=user)
        .upcoming(today)
        .not_cancelled()
        .select_related("area")
        .order_by("date", "start_time")
    )
    statuses = _status_texts_to_write(user, today)
    due = (
        Finding.objects.open()
        .filter(area__in=user.areas.all(), due_date__lte=today + datetime.timedelta(7))
        .select_related("area", "category")
        .order_by("due_date", "pk")
    )
    return [
        Section(
            _("Dine registreringer i denne uge"),
            records.count(),
            reverse("activities:record_list"),
            [
                Row(str(r.activity), r.get_absolute_url(), _day(r.date))
                for r in records[:ROWS]
            ],
            _("Ingen registreringer endnu i denne uge."),
            waiting=False,
        ),
        Section(
            _("Dine planlagte aktiviteter"),
            events.count(),
            reverse("activities:calendar"),
            [
                Row(
                    e.title, reverse("activities:event_edit", args=[e.pk]), _day(e.date)
                )
                for e in events[:ROWS]
            ],
            _("Intet planlagt."),
            waiting=False,
        ),
        statuses,
        Section(
            _("Fund med frist i dine områder"),
            due.count(),
            reverse("safety:finding_worklist"),
            _finding_rows(due[:ROWS], today),
            _("Ingen fund med frist den næste uge."),
        ),
    ]


def _status_texts_to_write(user, today: datetime.date) -> Section:
    """The year's status texts of the activities in the person's areas that are
    missing or sent back, and earlier years' texts sent back (two queries)."""
    plan = PlanPeriod.objects.current()
    rows = []
    if plan:
        year = plan.current_year()
        texts = YearStatus.objects.filter(activity=OuterRef("pk"), year=year)
        activities = (
            Activity.objects.filter(focus_area__plan_period=plan)
            .in_areas(user.areas.all())
            .annotate(
                written=Exists(texts),
                sent_back=Exists(texts.filter(sent_back_at__isnull=False)),
            )
            .filter(Q(written=False) | Q(sent_back=True))
            .order_by("focus_area__order", "order")
        )
        # A text of an earlier year sent back in the year's close (in January,
        # last year's) waits for its writer too.
        earlier = (
            YearStatus.objects.filter(
                activity__in=Activity.objects.filter(
                    focus_area__plan_period=plan
                ).in_areas(user.areas.all()),
                year__lt=year,
                sent_back_at__isnull=False,
                approved_at__isnull=True,
            )
            .select_related("activity")
            .order_by("-year", "activity__focus_area__order", "activity__order")
        )
        for text in earlier:
            url = reverse("activities:status_edit", args=[text.activity_id, text.year])
            rows.append(
                Row(
                    text.activity.name,
                    url,
                    str(text.year),
                    str(_("Sendt tilbage")),
                    True,
                )
            )
        for activity in activities:
            url = reverse("activities:status_edit", args=[activity.pk, year])
            badge = _("Sendt tilbage") if activity.sent_back else _("Mangler")
            rows.append(
                Row(activity.name, url, str(year), str(badge), activity.sent_back)
            )
    return Section(
        _("Statustekster, der mangler eller er sendt tilbage"),
        len(rows),
        rows=rows[:ROWS],
        empty=_("Alle statustekster for året er skrevet."),
    )


def _resident_reports(*, waiting: bool = True) -> Section:
    """Residents' reports waiting to be turned into findings or declined, the
    oldest first; `waiting=False`: shown, not counted in the menu (a
    coordinator's, who is told of them only where there is no tryghedsrådgiver)."""
    reports = (
        ResidentReport.objects.waiting()
        .select_related("area", "category")
        .order_by("created_at", "pk")
    )
    return Section(
        _("Meldinger fra beboere, der venter"),
        reports.count(),
        reverse("safety:report_list"),
        [
            Row(
                str(report),
                report.get_absolute_url(),
                f"{report.area.name} · {_moment(report.created_at)}",
            )
            for report in reports[:ROWS]
        ],
        _("Ingen meldinger venter."),
        waiting=waiting,
    )


def safety_advisor(user, today: datetime.date) -> list[Section]:
    incidents = (
        Incident.objects.open()
        .for_list()
        .filter(Q(notifications_pending__gt=0) | Q(notifications_failed__gt=0))
    )
    walks = (
        Walk.objects.filter(status=Walk.Status.PLANNED, starts_at__gte=timezone.now())
        .select_related("area")
        .order_by("starts_at")
    )
    tasks = (
        FollowUpTask.objects.open()
        .filter(due_on__lte=today + datetime.timedelta(days=7))
        .select_related("owner", "meeting")
        .order_by("due_on", "pk")
    )
    return [
        _resident_reports(),
        Section(
            _("Hændelser med underretninger, der venter eller fejlede"),
            incidents.count(),
            reverse("safety:incident_list"),
            _incident_rows(incidents[:ROWS]),
            _("Alle underretninger er sendt."),
        ),
        Section(
            _("Planlagte tryghedsvandringer"),
            walks.count(),
            reverse("safety:walk_list"),
            [
                Row(
                    w.area.name,
                    w.get_absolute_url(),
                    _day(timezone.localdate(w.starts_at)),
                )
                for w in walks[:ROWS]
            ],
            _("Ingen planlagte vandringer."),
            waiting=False,
        ),
        _overdue_by_organisation(today),
        Section(
            _("Netværkets opgaver med frist"),
            tasks.count(),
            reverse("safety:task_list"),
            _task_rows(tasks[:ROWS], today),
            _("Ingen opgaver med frist den næste uge."),
        ),
    ]


def advisor(user, today: datetime.date) -> list[Section]:
    cases = (
        Case.objects.worked_by(user)
        .open()
        .order_by(F("bailiff_date").asc(nulls_last=True), "-eviction_risk", "pk")
    )
    referrals = (
        Referral.objects.filter(
            case__in=Case.objects.worked_by(user), status=Referral.Status.SENT
        )
        .select_related("case")
        .order_by("sent_at", "pk")
    )
    return [
        Section(
            _("Dine åbne sager, de mest presserende først"),
            cases.count(),
            reverse("advice:case_list"),
            [
                Row(
                    str(case),
                    case.get_absolute_url(),
                    case.get_eviction_risk_display(),
                    (
                        _("Fogedret %(day)s") % {"day": _day(case.bailiff_date)}
                        if case.bailiff_date
                        else ""
                    ),
                    case.bailiff_date is not None,
                )
                for case in cases[:ROWS]
            ],
            _("Ingen åbne sager."),
        ),
        Section(
            _("Henvisninger, der venter på svar"),
            referrals.count(),
            rows=[
                Row(
                    str(r),
                    r.case.get_absolute_url(),
                    _day(timezone.localdate(r.sent_at)),
                )
                for r in referrals[:ROWS]
            ],
            empty=_("Ingen henvisninger venter på svar."),
        ),
    ]


def _imports_waiting(user) -> Section:
    """The person's uploaded sheets on their way in: columns to place, rows being
    checked or imported, a preview to confirm (import_steps keeps them as jobs)."""
    jobs = list(
        ImportJob.objects.visible_to(user)
        .waiting()
        .only("pk", "sheet", "name", "status", "requested_at")
    )
    rows = [
        Row(
            job.name,
            reverse(f"{job.sheet}_job", args=[job.pk]),
            _day(timezone.localdate(job.requested_at)),
            badge=job.get_status_display(),
        )
        for job in jobs
    ]
    return Section(
        _("Regneark på vej ind"),
        len(rows),
        rows=rows,
        empty=_("Ingen regneark er på vej ind."),
    )


def _targets_missing_next_year(today: datetime.date) -> Section:
    """The indicators of the plan that has next year with no target for it: the
    targets are set before the year begins."""
    year = today.year + 1
    plan = PlanPeriod.objects.filter(start__year__lte=year, end__year__gte=year).first()
    missing = Indicator.objects.none()
    if plan:
        missing = (
            Indicator.objects.filter(activity__focus_area__plan_period=plan)
            .exclude(targets__year=year)
            .select_related("activity")
            .order_by("activity__focus_area__order", "activity__order", "order")
        )
    return Section(
        _("Indikatorer uden måltal for %(year)s") % {"year": year},
        missing.count(),
        rows=[
            Row(
                f"{i.activity.name}: {i.name}",
                reverse("activities:targets_edit", args=[i.activity_id]),
            )
            for i in missing[:ROWS]
        ],
        empty=_("Alle indikatorer har måltal for %(year)s.") % {"year": year},
    )


def coordinator(user, today: datetime.date) -> list[Section]:
    awaiting = (
        YearStatus.objects.awaiting_approval()
        .select_related("activity")
        .order_by("year", "activity__name")
    )
    runs = ReportRun.objects.filter(
        requested_by=user,
        status__in=[ReportRun.Status.READY, ReportRun.Status.FAILED],
        finished_at__gte=timezone.now() - datetime.timedelta(days=14),
    ).order_by("-finished_at")
    return [
        Section(
            _("Statustekster, der venter på godkendelse"),
            awaiting.count(),
            reverse("activities:year_close"),
            rows=[
                Row(str(s.activity), s.get_absolute_url(), str(s.year))
                for s in awaiting[:ROWS]
            ],
            empty=_("Ingen statustekster venter."),
        ),
        Section(
            _("Dine rapporter de seneste 14 dage"),
            runs.count(),
            reverse("reports:run_list"),
            [
                Row(
                    str(run),
                    run.get_absolute_url(),
                    _day(timezone.localdate(run.finished_at)),
                    str(run.get_status_display()),
                    run.status == ReportRun.Status.FAILED,
                )
                for run in runs[:ROWS]
            ],
            _("Ingen færdige rapporter."),
        ),
        _targets_missing_next_year(today),
        _overdue_by_organisation(today),
        _resident_reports(waiting=False),
    ]


QUEUES = {
    Role.PARTNER: partner,
    Role.STAFF: staff,
    Role.SAFETY_ADVISOR: safety_advisor,
    Role.ADVISOR: advisor,
    Role.COORDINATOR: coordinator,
}


def my_work(request) -> list[Section]:
    user = request.user
    queue = QUEUES.get(user.role)
    if queue is None:
        return []
    sections = queue(user, timezone.localdate())
    if user.role == Role.COORDINATOR:
        sections.insert(2, _imports_waiting(user))
    return sections
