"""The plan's lists as CSV or Excel (boligsocial.exports): activity records and
the calendar's planned events, each under its list's filter."""

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boligsocial.exports import ListExport, register

from .access import require_logger
from .event_forms import CalendarFilterForm
from .event_views import CALENDAR_SPAN
from .forms import RecordFilter
from .models import AGE_BANDS, GENDERS, NEW_OR_RETURNING, ActivityRecord, PlannedEvent


def records_dataset(records) -> tablib.Dataset:
    breakdowns = {**AGE_BANDS, **GENDERS, **NEW_OR_RETURNING}
    headers = [
        _("Dato"),
        _("Fra kl."),
        _("Til kl."),
        _("Helhedsplan"),
        _("Indsatsområde"),
        _("Aktivitet"),
        _("Område"),
        _("Boligafdeling"),
        _("Deltagere"),
        *[str(label) for label in breakdowns.values()],
        _("Frivillige"),
        _("Samarbejdspartnere"),
        _("Indikatorværdier"),
        _("Note"),
        _("Registreret af"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Registreringer")[:31])
    records = records.prefetch_related("partners", "values__indicator")
    for r in records:
        data.append(
            [
                r.date,
                r.start_time,
                r.end_time,
                r.activity.focus_area.plan_period.name,
                r.activity.focus_area.name,
                r.activity.name,
                r.area.name,
                str(r.department) if r.department else "",
                r.participants,
                *[getattr(r, name) for name in breakdowns],
                r.volunteers,
                ", ".join(p.name for p in r.partners.all()),
                "; ".join(f"{v.indicator.name}: {v.value}" for v in r.values.all()),
                r.note,
                r.created_by.get_full_name() or r.created_by.username,
            ]
        )
    return data


RECORDS = register(
    ListExport(
        name="activities.records",
        title=gettext_lazy("Aktivitetsregistreringer"),
        filename="aktivitetsregistreringer",
        back="activities:record_list",
        allowed=require_logger,
        filtered=lambda user, data: RecordFilter(
            data, queryset=ActivityRecord.objects.visible_to(user).for_list()
        ),
        dataset=records_dataset,
    )
)


class CalendarRows:
    """The calendar's events under its filter, as the calendar shows them: the
    weeks from the chosen day (never before today), the area and the activity."""

    def __init__(self, user, data):
        self.user = user
        self.form = CalendarFilterForm(data, user=user)

    def is_valid(self) -> bool:
        return self.form.is_valid()

    @property
    def errors(self):
        return self.form.errors

    @property
    def qs(self):
        filters = self.form.cleaned_data
        today = timezone.localdate()
        start = max(filters.get("start") or today, today)
        events = (
            PlannedEvent.objects.visible_to(self.user)
            .upcoming(start)
            .filter(date__lt=start + CALENDAR_SPAN)
            .for_calendar()
        )
        if filters.get("area"):
            events = events.filter(area=filters["area"])
        if filters.get("activity"):
            events = events.filter(activity=filters["activity"])
        return events


def events_dataset(events) -> tablib.Dataset:
    """events: for_calendar() rows (activity, area, organiser, the parallel mark)."""
    headers = [
        _("Dato"),
        _("Fra kl."),
        _("Til kl."),
        _("Titel"),
        _("Aktivitet"),
        _("Område"),
        _("Sted"),
        _("Arrangør"),
        _("Flere arrangører samme dag"),
        _("Aflyst"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Kalender"))
    for e in events:
        data.append(
            [
                e.date,
                e.start_time,
                e.end_time,
                e.title,
                e.activity.name,
                e.area.name,
                e.place,
                e.organiser.name if e.organiser_id else "",
                _("ja") if e.parallel else _("nej"),
                timezone.localtime(e.cancelled_at) if e.cancelled_at else None,
            ]
        )
    return data


EVENTS = register(
    ListExport(
        name="activities.events",
        title=gettext_lazy("Kalender"),
        filename="kalender",
        back="activities:calendar",
        allowed=lambda user: None,  # every signed-in person: their areas' events
        filtered=CalendarRows,
        dataset=events_dataset,
    )
)
