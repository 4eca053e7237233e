"""Nabohjælp's figures for a set of areas and a year, counted in the database.

Three queries whatever the number of sign-ups: the areas with their households,
one grouped aggregate over the sign-ups (every month's active count, ambassadors,
new sign-ups by channel, sign-ups waiting for confirmation), and the targets.
The Nabohjælp page shows them; the dashboards and reports will call the same
function. Below them, Tryghedsvandringer's: walks held against the target, and
the findings by category, status and responsible organisation.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from boligsocial.models import Area

from .models import Channel, SignUp, SignUpTarget, Status, active_on


@dataclass
class AreaSignUps:
    area: Area | None  # None: the total of several areas
    households: int
    monthly: list[int | None]  # active at each month's end; None for months ahead
    active: int  # at the end of the year, or today in the current year
    ambassadors: int
    to_confirm: int
    new_by_channel: dict[str, int]
    target: int | None = None

    @property
    def share(self) -> float | None:
        """Active sign-ups per household of the area's departments."""
        return self.active / self.households if self.households else None

    @property
    def share_percent(self) -> float | None:
        return None if self.share is None else 100 * self.share

    @property
    def new(self) -> int:
        return sum(self.new_by_channel.values())


@dataclass
class SignUpFigures:
    year: int
    months: list[datetime.date]  # each month's last day
    rows: list[AreaSignUps]
    total: AreaSignUps | None = field(default=None)

    @property
    def channels(self) -> list[tuple[str, str]]:
        return list(Channel.choices)


def month_ends(year: int) -> list[datetime.date]:
    return [
        datetime.date(year, month, calendar.monthrange(year, month)[1])
        for month in range(1, 13)
    ]


def signup_figures(
    *, areas, year: int, today: datetime.date | None = None
) -> SignUpFigures:
    today = today or timezone.localdate()
    ends = month_ends(year)
    counted = [end for end in ends if end.replace(day=1) <= today]
    last = min(ends[-1], today)
    start, stop = datetime.date(year, 1, 1), ends[-1]
    aggregates = {
        **{f"m{end.month}": Count("pk", filter=active_on(end)) for end in counted},
        "active": Count("pk", filter=active_on(last)),
        "ambassadors": Count("pk", filter=Q(status=Status.ACTIVE, is_ambassador=True)),
        "to_confirm": Count("pk", filter=Q(status=Status.TO_CONFIRM)),
        **{
            f"new_{value}": Count(
                "pk",
                filter=Q(
                    channel=value,
                    signed_up_on__range=(start, stop),
                    status__in=[Status.ACTIVE, Status.WITHDRAWN],
                ),
            )
            for value in Channel.values
        },
    }
    area_list = list(Area.objects.filter(pk__in=areas).with_figures())
    counts = {
        row["area"]: row
        for row in SignUp.objects.filter(area__in=[a.pk for a in area_list])
        .values("area")
        .annotate(**aggregates)
        .order_by()
    }
    targets = dict(
        SignUpTarget.objects.filter(area__in=area_list, year=year).values_list(
            "area", "value"
        )
    )
    due = {end.month for end in counted}
    rows = [
        _row(area, counts.get(area.pk, {}), due, targets.get(area.pk))
        for area in area_list
    ]
    return SignUpFigures(year=year, months=ends, rows=rows, total=_total(rows))


def _row(area: Area, count: dict, due: set[int], target: int | None) -> AreaSignUps:
    return AreaSignUps(
        area=area,
        households=area.households or 0,
        monthly=[
            count.get(f"m{month}", 0) if month in due else None
            for month in range(1, 13)
        ],
        active=count.get("active", 0),
        ambassadors=count.get("ambassadors", 0),
        to_confirm=count.get("to_confirm", 0),
        new_by_channel={v: count.get(f"new_{v}", 0) for v in Channel.values},
        target=target,
    )


def _total(rows: list[AreaSignUps]) -> AreaSignUps | None:
    """All the areas together (no area); a target only when every area has one."""
    if not rows:
        return None
    targets = [row.target for row in rows]
    return AreaSignUps(
        area=None,
        households=sum(row.households for row in rows),
        monthly=[
            None if values[0] is None else sum(values)
            for values in zip(*(row.monthly for row in rows), strict=True)
        ],
        active=sum(row.active for row in rows),
        ambassadors=sum(row.ambassadors for row in rows),
        to_confirm=sum(row.to_confirm for row in rows),
        new_by_channel={
            v: sum(row.new_by_channel[v] for row in rows) for v in Channel.values
        },
        target=None if None in targets else sum(targets),
    )


# --- Tryghedsvandringer: walks against the target, findings and how fast they are
# fixed. Three queries for the walks and three for the findings, whatever the number
# of rows; the figures page shows them and the dashboards and reports will call the
# same functions. Only counts leave here: no finding's description or place, so
# partners may see the figures of every finding in their areas.
