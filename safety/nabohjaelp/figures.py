"""Nabohjælp in figures, for a set of areas and a period, counted in the database.

One function, `signup_figures`, for the Nabohjælp page, the dashboard and both PDF
reports, so they cannot disagree. Three queries whatever the number of sign-ups:
the areas with their households, one grouped aggregate over the sign-ups (active
at the period's start, at its end and at each month's end in it, ambassadors, new
sign-ups by channel, sign-ups waiting for confirmation), and the targets.

The target is a level (active sign-ups at the year's end): a quarter is compared
with its year's target, never with a share of it.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, DateField, Q, Value, When
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from boligsocial.charts import progress_bars
from boligsocial.models import Area, areas_by_name
from boligsocial.periods import Period, summed_target
from boligsocial.tables import Table, per_area_table

from .models import Channel, SignUp, SignUpTarget, Status, active_on


@dataclass
class AreaSignUps:
    area: Area | None  # None: the total of several areas
    households: int
    active_at_start: int  # active at the end of the day before the period
    active: int  # at the period's end, or today in a running period
    monthly: list[int | None]  # active at each month's end; None for months ahead
    ambassadors: int  # active ambassadors today
    to_confirm: int  # waiting for confirmation today
    new_by_channel: dict[str, int]  # signed up in the period (withdrawn later too)
    target: int | None = None  # active sign-ups to reach by the period's end

    @property
    def new(self) -> int:
        return sum(self.new_by_channel.values())

    @property
    def growth(self) -> int:
        return self.active - self.active_at_start

    @property
    def share(self) -> float | None:
        """Active sign-ups per household of the area's departments."""
        return self.active / self.households if self.households else None

    @property
    def share_percent(self) -> float | None:
        return None if self.share is None else 100 * self.share


@dataclass
class SignUpFigures:
    period: Period
    months: list[datetime.date]  # the last day of each month in the period
    rows: list[AreaSignUps]
    total: AreaSignUps | None = None

    @property
    def channels(self) -> list[tuple[str, str]]:
        return list(Channel.choices)


def month_ends(period: Period) -> list[datetime.date]:
    """The last day of each month that ends in the period."""
    ends, year, month = [], period.start.year, period.start.month
    while True:
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        if end > period.end:
            return ends
        ends.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def signup_figures(
    *,
    areas,
    period: Period,
    today: datetime.date | None = None,
    details: bool = True,
) -> SignUpFigures:
    """The sign-ups of the areas (ids, areas or a queryset) in the period; without
    `details` (a period only compared with), only those active at its end and
    new in it (no months, no counts of today's ambassadors and waiting ones)."""
    today = today or timezone.localdate()
    ends = month_ends(period) if details else []
    by_months = {}
    if ends:
        # The months before the period count as its first (begun or withdrawn by
        # its first month's end), and those after it as one after the last: ten
        # years of sign-ups come back in a few rows per area.
        first, after = ends[0].replace(day=1), ends[-1] + datetime.timedelta(days=1)
        by_months = {
            "began": _between("began_in", first, after),
            "ended": Case(
                When(ended_in=None, then=None),
                default=_between("ended_in", first, after),
                output_field=DateField(),
            ),
        }
    counted = [end for end in ends if end.replace(day=1) <= today]
    last = min(period.end, today)
    aggregates = {
        "active_at_start": Count(
            "pk", filter=active_on(period.start - datetime.timedelta(days=1))
        ),
        "active": Count("pk", filter=active_on(last)),
        "ambassadors": Count("pk", filter=Q(status=Status.ACTIVE, is_ambassador=True)),
        "to_confirm": Count("pk", filter=Q(status=Status.TO_CONFIRM)),
        **{
            f"new_{value}": Count(
                "pk",
                filter=Q(
                    channel=value,
                    signed_up_on__range=(period.start, period.end),
                    status__in=[Status.ACTIVE, Status.WITHDRAWN],
                ),
            )
            for value in Channel.values
        },
        # For each month's end: by the months they began and were withdrawn in.
        "counted": Count("pk", filter=Q(status__in=[Status.ACTIVE, Status.WITHDRAWN])),
    }
    signups = SignUp.objects.all()
    if not details:
        # What a comparison shows, over the sign-ups begun by the period's end.
        aggregates = {
            key: aggregates[key]
            for key in aggregates
            if key == "active" or key.startswith("new_")
        }
        signups = signups.filter(signed_up_on__lte=period.end)
    area_list = areas_by_name(areas)
    counts: dict[int, dict] = {}
    began: dict[int, dict[datetime.date, int]] = {}
    ended: dict[int, dict[datetime.date, int]] = {}
    for row in (
        signups.filter(area__in=[a.pk for a in area_list])
        .values("area", **by_months)
        .annotate(**aggregates)
        .order_by()
    ):
        area, lasting = row["area"], row.get("counted", 0)
        mine = counts.setdefault(area, dict.fromkeys(aggregates, 0))
        for key in aggregates:
            mine[key] += row[key]
        if lasting and by_months:
            month = row["began"]
            began.setdefault(area, {}).setdefault(month, 0)
            began[area][month] += lasting
            if row["ended"] is not None:
                month = max(month, row["ended"])
                ended.setdefault(area, {}).setdefault(month, 0)
                ended[area][month] += lasting
    for area, mine in counts.items():
        begun = _up_to(began.get(area, {}), counted)
        gone = _up_to(ended.get(area, {}), counted)
        for n, (joined, left) in enumerate(zip(begun, gone, strict=True)):
            mine[f"m{n}"] = joined - left
    targets = SignUpTarget.for_period(area_list, period)
    rows = [
        _row(area, counts.get(area.pk, {}), len(ends), len(counted), targets[area.pk])
        for area in area_list
    ]
    return SignUpFigures(period=period, months=ends, rows=rows, total=_total(rows))


def _between(month: str, first: datetime.date, after: datetime.date) -> Least:
    """The month (a first day) no earlier than `first` and no later than `after`."""
    return Least(Greatest(month, Value(first)), Value(after))


def _up_to(by_month: dict[datetime.date, int], ends: list[datetime.date]) -> list[int]:
    """For each of `ends` (in order), the counts of the months up to the one it
    ends, as a running total. Active at a month's last day is begun by then and
    not withdrawn by then (`active_on`): compared with a month's last day, a day
    is as early as its month."""
    months = sorted(by_month)
    totals, running, taken = [], 0, 0
    for end in ends:
        while taken < len(months) and months[taken] <= end:
            running += by_month[months[taken]]
            taken += 1
        totals.append(running)
    return totals


def _row(area: Area, count: dict, months: int, due: int, target) -> AreaSignUps:
    return AreaSignUps(
        area=area,
        households=area.households or 0,
        active_at_start=count.get("active_at_start", 0),
        active=count.get("active", 0),
        monthly=[count.get(f"m{n}", 0) if n < due else None for n in range(months)],
        ambassadors=count.get("ambassadors", 0),
        to_confirm=count.get("to_confirm", 0),
        new_by_channel={v: count.get(f"new_{v}", 0) for v in Channel.values},
        target=target,
    )


def _total(rows: list[AreaSignUps]) -> AreaSignUps | None:
    """All the areas together (no area); a target only when every area has one."""
    if not rows:
        return None
    return AreaSignUps(
        area=None,
        households=sum(row.households for row in rows),
        active_at_start=sum(row.active_at_start for row in rows),
        active=sum(row.active for row in rows),
        monthly=[
            None if values[0] is None else sum(values)
            for values in zip(*(row.monthly for row in rows), strict=True)
        ],
        ambassadors=sum(row.ambassadors for row in rows),
        to_confirm=sum(row.to_confirm for row in rows),
        new_by_channel={
            v: sum(row.new_by_channel[v] for row in rows) for v in Channel.values
        },
        target=summed_target([row.target for row in rows]),
    )


# --- As tables: the same on the Nabohjælp page, the dashboard and in the PDFs ------


def signup_table(figures: SignUpFigures) -> Table:
    return per_area_table(
        figures,
        lambda row: [
            row.households,
            row.active_at_start,
            row.active,
            row.growth,
            row.new,
            row.share_percent,
            row.target,
        ],
        slug="signups",
        title=_("Nabohjælp"),
        caption=_(
            "Aktive tilmeldinger ved periodens start og slutning (i en løbende "
            "periode: i dag), nye tilmeldinger, andelen af husstandene og målet: "
            "aktive tilmeldinger ved årets udgang."
        ),
        columns=[
            _("Område"),
            _("Husstande"),
            _("Aktive ved start"),
            _("Aktive ved slut"),
            _("Vækst"),
            _("Nye"),
            _("Andel af husstande, %"),
            _("Mål"),
        ],
    )


def signup_month_table(figures: SignUpFigures) -> Table:
    return per_area_table(
        figures,
        lambda row: row.monthly,
        slug="signup_months",
        title=_("Aktive tilmeldinger måned for måned"),
        caption=_("Aktive tilmeldinger ved hver måneds udgang."),
        columns=[
            _("Område"),
            *[date_format(month, "M Y") for month in figures.months],
        ],
    )


def signup_channel_table(figures: SignUpFigures) -> Table:
    return per_area_table(
        figures,
        lambda row: [*row.new_by_channel.values(), row.new],
        slug="signup_channels",
        title=_("Nye tilmeldinger efter kanal"),
        caption=_(
            "Tilmeldinger i perioden efter, hvordan beboeren blev nået (også dem, "
            "der siden er udmeldt)."
        ),
        columns=[
            _("Område"),
            *[str(label) for _value, label in figures.channels],
            _("I alt"),
        ],
    )


def signup_state_table(figures: SignUpFigures, *, waiting: bool) -> Table:
    """The active ambassadors, and for those who keep the sign-ups the ones
    waiting for them to confirm."""
    return per_area_table(
        figures,
        lambda row: [row.ambassadors, *([row.to_confirm] if waiting else [])],
        slug="signup_state",
        title=_("Ambassadører og ventende") if waiting else _("Ambassadører"),
        caption=_(
            "Aktive ambassadører og tilmeldinger, der venter på bekræftelse, i dag."
        )
        if waiting
        else _("Aktive ambassadører i dag."),
        columns=[
            _("Område"),
            _("Ambassadører"),
            *([_("Venter på bekræftelse")] if waiting else []),
        ],
    )


def signup_chart(figures: SignUpFigures) -> SafeString:
    """Active sign-ups per area against the level to reach."""
    return progress_bars([(r.area.name, r.active, r.target) for r in figures.rows])
