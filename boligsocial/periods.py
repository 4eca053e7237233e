"""Periods the figures are counted over: a calendar year, a quarter, or any run of
days, each with the period before it to compare against; and how a yearly target
counts for a period."""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .numbers import round_half_up

YEAR, QUARTER, CUSTOM = "year", "quarter", "custom"

# The two kinds of yearly target. A level is a state to reach by the year's end
# (active Nabohjælp sign-ups); an amount is what the year's events add up to
# (walks held, an indicator's values summed over the records).
LEVEL, AMOUNT = "level", "amount"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included
    kind: str = CUSTOM

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), YEAR)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = 3 * (quarter - 1) + 1
        last = first + 2
        return cls(
            datetime.date(year, first, 1),
            datetime.date(year, last, calendar.monthrange(year, last)[1]),
            QUARTER,
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def quarter_number(self) -> int:
        return (self.start.month - 1) // 3 + 1

    def previous(self) -> "Period":
        """The period to compare with: the year or quarter before, or the same
        number of days just before a chosen run of days."""
        if self.kind == YEAR:
            return Period.year(self.start.year - 1)
        if self.kind == QUARTER:
            if self.quarter_number == 1:
                return Period.quarter(self.start.year - 1, 4)
            return Period.quarter(self.start.year, self.quarter_number - 1)
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end, CUSTOM)

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return str(self.start.year)
        if self.kind == QUARTER:
            return _("%(quarter)d. kvartal %(year)d") % {
                "quarter": self.quarter_number,
                "year": self.start.year,
            }
        start = formats.date_format(self.start, "SHORT_DATE_FORMAT")
        end = formats.date_format(self.end, "SHORT_DATE_FORMAT")
        return f"{start}–{end}"

    def share_of_year(self, year: int) -> float:
        """The share of the calendar year's days that lie in the period."""
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        start, end = max(self.start, first), min(self.end, last)
        if end < start:
            return 0.0
        return ((end - start).days + 1) / ((last - first).days + 1)

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


def target_for_period(by_year: dict[int, int], period: Period, kind: str) -> int | None:
    """A yearly target ({year: value}) for the period.

    A level is the level to reach by the period's end: the target of the year the
    period ends in, whatever the period's length (never prorated). An amount counts
    in proportion to the days of each year the period covers (a quarter gets about
    a quarter of the year's), and only when every year it touches has a target.
    None when there is no target to compare with."""
    if kind == LEVEL:
        return by_year.get(period.end.year)
    if any(year not in by_year for year in period.years):
        return None
    return round_half_up(
        sum(by_year[y] * period.share_of_year(y) for y in period.years)
    )


def summed_target(targets: list[int | None]) -> int | None:
    """Several areas' targets added up; none unless every area has one."""
    return None if None in targets else sum(targets)


def year_elapsed(year: int, today: datetime.date | None = None) -> float:
    """How far through the year we are: 0 before it, 1 after it."""
    today = today or timezone.localdate()
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if today < start:
        return 0.0
    if today > end:
        return 1.0
    return (today - start).days / ((end - start).days + 1)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier: where a retention period
    that counts in months begins (the 31st of a shorter month is its last day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))
