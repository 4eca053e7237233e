"""The one helper for local time: the skipped hour of the spring switch is refused
with a message, the repeated hour of the autumn switch means its first occurrence
and is shown with its season, and days are counted on the calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from boligsocial import clock
from conftest import summer_time_switches

# The switches of the year the suite runs in: no literal year, and still the same
# facts (02:00-02:59 skipped in March, repeated in October) every year.
SPRING, AUTUMN = summer_time_switches(timezone.localdate().year)
UTC = datetime.UTC


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute))


def test_the_switches_are_on_sundays_in_march_and_october():
    assert (SPRING.month, SPRING.isoweekday()) == (3, 7)
    assert (AUTUMN.month, AUTUMN.isoweekday()) == (10, 7)


@pytest.mark.parametrize("minute", [0, 30, 59])
def test_a_time_in_the_skipped_hour_is_refused_with_a_message_that_says_why(minute):
    with pytest.raises(ValidationError) as refused:
        clock.local_moment(SPRING, datetime.time(2, minute))
    message = refused.value.messages[0]
    assert f"02:{minute:02d}" in message
    assert "02:00" in message and "03:00" in message
    assert "sommertid" in message
    assert f"03:{minute:02d}" in message  # what the clock on the wall showed
    assert refused.value.code == "skipped_time"


@pytest.mark.parametrize(("hour", "minute"), [(1, 59), (3, 0), (3, 1), (12, 0)])
def test_the_times_around_the_skipped_hour_exist(hour, minute):
    moment = clock.local_moment(SPRING, datetime.time(hour, minute))
    assert timezone.localtime(moment).time() == datetime.time(hour, minute)
    assert not clock.is_repeated(moment)


def test_a_minute_before_and_after_the_skipped_hour_are_one_minute_apart():
    before = clock.local_moment(SPRING, datetime.time(1, 59))
    after = clock.local_moment(SPRING, datetime.time(3, 0))
    assert after - before == datetime.timedelta(minutes=1)


def test_a_time_in_the_repeated_hour_is_its_first_occurrence_in_summer_time():
    moment = clock.local_moment(AUTUMN, datetime.time(2, 30))
    assert timezone.localtime(moment).utcoffset() == datetime.timedelta(hours=2)
    assert clock.is_repeated(moment)
    assert clock.repeated_hour_mark(moment) == " (sommertid)"


def test_the_second_occurrence_of_the_repeated_hour_is_marked_as_winter_time():
    first = clock.local_moment(AUTUMN, datetime.time(2, 30))
    second = first + datetime.timedelta(hours=1)
    assert timezone.localtime(second).time() == datetime.time(2, 30)
    assert clock.repeated_hour_mark(second) == " (vintertid)"


@pytest.mark.parametrize(("day", "hour"), [(AUTUMN, 1), (AUTUMN, 3), (SPRING, 3)])
def test_times_outside_the_repeated_hour_carry_no_mark(day, hour):
    assert clock.repeated_hour_mark(clock.local_moment(day, datetime.time(hour))) == ""
    assert clock.repeated_hour_mark(None) == ""


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_an_instant_is_in_the_repeated_hour_exactly_when_its_wall_time_is(day):
    """Every five minutes of both switch days, instants and their wall times agree."""
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=UTC)
    instants = [start + datetime.timedelta(minutes=5 * n) for n in range(-24, 300)]
    repeated = [moment for moment in instants if clock.is_repeated(moment)]
    for moment in instants:
        wall = timezone.localtime(moment).replace(tzinfo=None)
        assert clock.is_repeated(moment) == clock.is_repeated(wall), moment
    # The autumn hour twice over (two times twelve five-minute steps); none in spring.
    assert len(repeated) == (24 if day == AUTUMN else 0)


def test_a_day_starts_at_local_midnight_on_the_switch_days_too():
    for day in (SPRING, AUTUMN):
        start = clock.day_start(day)
        assert timezone.localtime(start).time() == datetime.time(0)
        assert timezone.localdate(start) == day
    # The spring day has 23 hours, the autumn day 25.
    one_day = datetime.timedelta(days=1)
    assert clock.day_start(SPRING + one_day) - clock.day_start(SPRING) == (
        datetime.timedelta(hours=23)
    )
    assert clock.day_start(AUTUMN + one_day) - clock.day_start(AUTUMN) == (
        datetime.timedelta(hours=25)
    )


@pytest.mark.parametrize("switch", [SPRING, AUTUMN])
def test_days_are_counted_on_the_calendar_across_a_switch(switch):
    saturday = clock.local_moment(
        switch - datetime.timedelta(days=1), datetime.time(10)
    )
    monday = clock.local_moment(switch + datetime.timedelta(days=1), datetime.time(10))
    assert clock.calendar_days(saturday, monday) == 2.0
    assert (monday - saturday) != datetime.timedelta(days=2)  # 47 or 49 hours


def test_a_skipped_time_error_names_the_field_of_a_day_and_clock_model():
    assert clock.skipped_time_error(SPRING, datetime.time(2, 15)) is not None
    assert clock.skipped_time_error(SPRING, datetime.time(3, 15)) is None
    assert clock.skipped_time_error(None, datetime.time(2, 15)) is None
    assert clock.skipped_time_error(SPRING, None) is None


def test_the_form_field_refuses_the_skipped_hour_and_reads_the_repeated_one():
    field = clock.LocalDateTimeField()
    with pytest.raises(ValidationError, match="sommertid"):
        field.clean(f"{SPRING.isoformat()}T02:30")
    repeated = field.clean(f"{AUTUMN.isoformat()}T02:30")
    assert timezone.localtime(repeated).utcoffset() == datetime.timedelta(hours=2)
    assert field.clean(f"{SPRING.isoformat()}T03:30").astimezone(UTC).hour == 1
    with pytest.raises(ValidationError):
        field.clean("not a time")
    assert clock.LocalDateTimeField(required=False).clean("") is None
