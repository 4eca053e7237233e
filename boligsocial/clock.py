"""Local time: the one place that turns a local day and clock time into an instant.

The portal's clock is Copenhagen's, and twice a year it is not one-to-one with
time. On the last Sunday of March the clocks go from 02:00 straight to 03:00, so
02:00–02:59 does not exist; on the last Sunday of October they go back from 03:00
to 02:00, so 02:00–02:59 happens twice, first in summer time (CEST), then in
winter time (CET). The rules, for every form and for the demo data:

- a local time in the skipped hour is refused with a message saying so, never
  moved silently (Django's own make_aware would give another hour than typed);
- a local time in the repeated hour means its first occurrence (summer time), and
  is shown with "sommertid" or "vintertid" after it, so it reads unambiguously;
- days between two moments are counted on the calendar (wall-clock days): from
  Saturday 10:00 to Monday 10:00 is two days, also across a switch.

The wall clock itself is read only through django.utils.timezone (now(),
localdate()), which the tests pin with time-machine and bin/test-clock with
libfaketime.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import DateField, FloatField, Func
from django.db.models.functions import Trunc
from django.forms.fields import BaseTemporalField
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

UTC = datetime.UTC
SKIPPED_MESSAGE = _(
    "Klokken %(time)s fandtes ikke den %(day)s: ved skiftet til sommertid gik "
    "urene fra %(gap_start)s direkte til %(gap_end)s. Skriv tidspunktet, som uret "
    "viste (fx %(suggestion)s)."
)


def _zone() -> datetime.tzinfo:
    return timezone.get_current_timezone()


def _wall(moment: datetime.datetime) -> datetime.datetime:
    """The naive local clock time an instant shows in the portal's time zone."""
    return timezone.localtime(moment).replace(tzinfo=None)


def is_skipped(naive: datetime.datetime) -> bool:
    """True for a local clock time that never happened (the spring switch)."""
    first = naive.replace(tzinfo=_zone(), fold=0)
    return _wall(first.astimezone(UTC)) != naive


def is_repeated(moment: datetime.datetime) -> bool:
    """True for an instant (or a naive local time) in an hour that happens twice."""
    if timezone.is_aware(moment):
        # An instant's own wall time is never skipped; it is repeated where the
        # other reading of the same wall time has another offset.
        local = moment.astimezone(_zone())
        return local.utcoffset() != local.replace(fold=1 - local.fold).utcoffset()
    naive = moment
    if is_skipped(naive):
        return False
    zone = _zone()
    return (
        naive.replace(tzinfo=zone, fold=0).utcoffset()
        != naive.replace(tzinfo=zone, fold=1).utcoffset()
    )


def _gap(naive: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The skipped stretch of local time around a skipped clock time: the wall
    clock just before the switch and just after it (02:00 and 03:00 here)."""
    zone = _zone()
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # The switch lies between the two readings, at most a few hours apart.
    step = datetime.timedelta(minutes=1)
    switch = before
    while switch < after and switch.astimezone(zone).utcoffset() == (
        before.astimezone(zone).utcoffset()
    ):
        switch += step
    offset_before = before.astimezone(zone).utcoffset()
    return (
        (switch + offset_before).replace(tzinfo=None),
        _wall(switch),
    )


def aware(naive: datetime.datetime) -> datetime.datetime:
    """A local clock time as an instant; ValidationError in the skipped hour, the
    first occurrence in the repeated one."""
    if is_skipped(naive):
        gap_start, gap_end = _gap(naive)
        raise ValidationError(
            SKIPPED_MESSAGE,
            code="skipped_time",
            params={
                "time": naive.strftime("%H:%M"),
                "day": formats.date_format(naive.date(), "j. F Y"),
                "gap_start": gap_start.strftime("%H:%M"),
                "gap_end": gap_end.strftime("%H:%M"),
                "suggestion": (naive + (gap_end - gap_start)).strftime("%H:%M"),
            },
        )
    # In UTC: arithmetic on a datetime with a zone's tzinfo is wall-clock
    # arithmetic (Python's rule), which would step into the skipped hour.
    return naive.replace(tzinfo=_zone(), fold=0).astimezone(UTC)


def local_moment(day: datetime.date, clock: datetime.time) -> datetime.datetime:
    """The instant (in UTC) of a local day and clock time (see aware())."""
    return aware(datetime.datetime.combine(day, clock))


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a local day, as an instant."""
    return local_moment(day, datetime.time())


def is_switch_day(day: datetime.date) -> bool:
    """True on the days the clocks go forward or back (23 or 25 hours long)."""
    length = day_start(day + datetime.timedelta(days=1)) - day_start(day)
    return length != datetime.timedelta(days=1)


def clear_of_switches(day: datetime.date) -> datetime.date:
    """The day, or the day before when the clocks switch on it: for made-up times
    (the demo data), which must never fall in a skipped or repeated hour."""
    return day - datetime.timedelta(days=1) if is_switch_day(day) else day


def calendar_days(start: datetime.datetime, end: datetime.datetime) -> float:
    """Days from one instant to another as the wall clock counts them."""
    return (_wall(end) - _wall(start)) / datetime.timedelta(days=1)


class _OnBothEngines(Func):
    """A function written once for PostgreSQL (`template`) and once for SQLite
    (`sqlite_template`)."""

    sqlite_template: str

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template=self.sqlite_template, **extra_context
        )


class EpochSeconds(_OnBothEngines):
    """An instant as seconds since the epoch, so that two of them subtract to the
    time that passed between them (not the wall clock's difference), as numbers
    that compare natively, where SQLite would call Python for every difference
    of two datetimes. On SQLite, to within a millisecond."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    sqlite_template = "(julianday(%(expressions)s) * 86400.0)"


class MonthStart(_OnBothEngines):
    """The first day of a date's month. Unlike Django's TruncMonth, which
    PostgreSQL computes through a time with a time zone, it depends on nothing
    but the date, so a generated column may keep it."""

    output_field = DateField()
    template = "(DATE_TRUNC('month', %(expressions)s::timestamp))::date"
    sqlite_template = "date(%(expressions)s, 'start of month')"


class CalendarDays(Func):
    """calendar_days in the database: from the instant in one field to the
    instant in another, in days as the wall clock counts them (to the second)."""

    output_field = FloatField()

    def __init__(self, start: str, end: str):
        zone = timezone.get_default_timezone()
        super().__init__(
            Trunc(end, "second", tzinfo=zone), Trunc(start, "second", tzinfo=zone)
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM %(expressions)s) / 86400)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def repeated_hour_mark(moment: datetime.datetime | None) -> str:
    """ " (sommertid)" or " (vintertid)" after a time in the repeated hour, else ""."""
    if not isinstance(moment, datetime.datetime) or not timezone.is_aware(moment):
        return ""
    if not is_repeated(moment):
        return ""
    local = timezone.localtime(moment)
    first = _wall(moment).replace(tzinfo=_zone(), fold=0)
    if local.utcoffset() == first.utcoffset():
        season = _("sommertid")
    else:
        season = _("vintertid")
    return f" ({season})"


def skipped_time_error(day, clock) -> ValidationError | None:
    """For a model kept as a day and clock times (activity records, planned
    events): the error for a clock time that was skipped that day, else None."""
    if isinstance(day, datetime.date) and isinstance(clock, datetime.time):
        try:
            local_moment(day, clock)
        except ValidationError as error:
            return error
    return None


class LocalDateTimeField(forms.DateTimeField):
    """Django's DateTimeField, read by aware(): a clear message in the skipped hour
    (Django's own says only "may be ambiguous or may not exist") and the first
    occurrence in the repeated hour (which Django refuses too)."""

    def _clean_bound_field(self, bf):
        # Django's own hook (FileField uses it too): the form's datetime-local
        # input cannot tell the two 02:30s of October apart, so a moment in the
        # repeated hour sent back as it was shown (the second occurrence too: an
        # edited incident, the "now" a new entry starts from) keeps its instant.
        value = super()._clean_bound_field(bf)
        initial = bf.initial
        if (
            isinstance(value, datetime.datetime)
            and isinstance(initial, datetime.datetime)
            and timezone.is_aware(initial)
            and is_repeated(initial)
            and _wall(initial).replace(second=0, microsecond=0) == _wall(value)
        ):
            return initial
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            naive = value
        elif isinstance(value, datetime.date):
            naive = datetime.datetime(value.year, value.month, value.day)
        else:
            try:
                naive = parse_datetime(value.strip())
            except ValueError:
                raise ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
            # Not ISO 8601: the field's input formats, as Django reads them.
            naive = naive or BaseTemporalField.to_python(self, value)
        if timezone.is_aware(naive):
            return naive
        try:
            return aware(naive)
        except OverflowError:  # year 1 at midnight is before the first instant
            raise ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None
