"""Økonomisk rådgivning in figures: cases and outcomes per area for a period.

Four queries whatever the number of cases: the areas (and how many there are in
all, for the totals of the whole plan), one grouped aggregate over
the cases (opened, closed, open at the period's end, how they came in, repeat
households) and one over the outcomes achieved in the period (evictions avoided,
payment plans, the amounts). The advice figures page, the dashboard and the PDFs
take them, and their tables, from here. Anonymised cases count like any other:
what the figures need (area, dates, source, outcomes, amounts) survives erasure.

Outcome figures count *cases*: a case with two payment plans in the period counts
once under payment plans, and a sum is "based on" the cases it comes from.

Small-count suppression (`suppress=True`, for everyone outside the advice team):
a count of 1–4 becomes `SMALL` ("<5"); 0 stays 0, since it says nothing about a
person. A sum in kroner becomes `FEW` when it comes from 1–4 cases.

Complementary suppression: no hidden figure may be worked out by subtraction,
from one table or from two (the readers choose their areas, so two tables can
differ by one area).
- In each row the sources of the cases add up to the cases opened. A reader who
  knows these rules knows a "<5" is 1–4 and a ".." in a row at least 5 (but for
  the cases opened, which a row can hide as ".." when it is "<5"); while
  that pins a hidden figure (one alone, or hidden figures that can only be all
  at their least or all at their most, such as four sources of "<5" under a
  "<5"), the smallest source shown that is not 0 is hidden too, and when none
  is left, the cases opened (as "..").
- A total (the areas added up) over figures that are all shown is shown: it is
  their sum and tells nothing new.
- A total over hidden figures is shown only for the whole plan (every area),
  only when what it leaves the hidden figures is at least 5 (an amount: from at
  least 5 cases), and only when it pins none of them: one hidden
  figure alone under a total is given away by it; several are given away only
  when they must all be at their least or all at their most (two "<5" under a
  total that leaves 2 for them are both 1). For the cases opened, a hidden
  figure's range is also what its row's sources leave it, and the sources are
  checked again against what the total then leaves the cases opened. Over part
  of the areas such a total is hidden (`HIDDEN`, "..", the mark Danmarks
  Statistik uses): the whole plan is one choice of areas, so no other total
  over hidden figures can be subtracted from it, while two choices of some
  areas could, and give one area's figure away.
- The sources' totals are hidden whenever a figure under them is: with the
  cases opened they form a table with sums both ways, whose safe totals need a
  solver of linear programmes (a statistician's tool such as tau-argus), not a
  rule of thumb. And since they add up to the cases opened, the cases opened's
  total is shown over hidden figures only when what it leaves the hidden
  sources' totals is at least 5 and pins none of them.
Every row is suppressed on its own figures, so an area's row reads the same
whichever other areas are chosen.

What this does not cover: figures of different periods. Readers choose any
period, and two periods a day apart, or the cases open at the end of two
periods and those opened between them, can give away a small count of the days
between (advice/tests/test_suppression_property.py shows it). A statistician
should review the rules before figures are published more widely.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from boligsocial.models import Area, areas_by_name
from boligsocial.suppression import (
    FEW,
    HIDDEN,
    SMALL,
    SMALL_BELOW,
    Figure,
    Suppressed,
)
from boligsocial.tables import Table, per_area_table

from .models import AmountKind, Case, CaseOutcome, Source

EVICTION_AVOIDED = "eviction_avoided"
PAYMENT_PLAN = "payment_plan"

COUNTS = (
    "opened",
    "closed",
    "open_at_end",
    "evictions_avoided",
    "payment_plans",
    "repeat_households",
)
# Each sum and the number of cases it comes from.
SUMS = {"financial_gain": "gain_cases", "debt_settled": "debt_cases"}
SOURCES = tuple(f"source_{value}" for value in Source.values)
FIGURES = (*COUNTS, *SUMS, *SOURCES)
EMPTY = dict.fromkeys((*COUNTS, *SUMS, *SUMS.values(), *SOURCES), 0)


@dataclass
class AreaCases:
    area: Area | None  # None: the total of the areas
    opened: Figure
    closed: Figure
    open_at_end: Figure
    evictions_avoided: Figure
    payment_plans: Figure
    repeat_households: Figure  # with a case opened in the period and an earlier one
    financial_gain: Figure  # whole kroner
    debt_settled: Figure  # whole kroner
    by_source: dict[str, Figure] = field(default_factory=dict)  # cases opened


@dataclass
class CaseFigures:
    start: datetime.date
    end: datetime.date
    suppressed: bool
    rows: list[AreaCases]
    total: AreaCases | None
    # The `kinds` asked for (by id): the cases with that outcome in the period,
    # the areas added up, suppressed as every total is (what the gains multiply).
    by_kind: dict[int, Figure] = field(default_factory=dict)

    @property
    def sources(self) -> list[tuple[str, str]]:
        return list(Source.choices)


def case_figures(
    *, areas, start: datetime.date, end: datetime.date, suppress: bool, kinds=()
) -> CaseFigures:
    """The advice figures for the areas from start to end (both days included);
    suppressed for readers outside the advice team. With `kinds` (outcome
    kinds), also the cases with each of them, counted in the same query."""
    area_list = areas_by_name(areas)
    whole_plan = len(area_list) == Area.objects.count()
    kind_keys = [f"kind_{kind.pk}" for kind in kinds]
    empty = {**EMPTY, **dict.fromkeys(kind_keys, 0)}
    cases = _case_counts(area_list, start, end)
    outcomes = _outcome_counts(area_list, start, end, kinds)
    exact = [
        {**empty, **cases.get(area.pk, {}), **outcomes.get(area.pk, {})}
        for area in area_list
    ]
    exact_total = {key: sum(row[key] for row in exact) for key in empty}
    shown, shown_total = exact, exact_total
    if suppress:
        shown, shown_total = _suppress(
            exact, exact_total, whole_plan=whole_plan, more_counts=tuple(kind_keys)
        )
    return CaseFigures(
        start=start,
        end=end,
        suppressed=suppress,
        rows=[_row(area, row) for area, row in zip(area_list, shown, strict=True)],
        total=_row(None, shown_total) if area_list else None,
        by_kind={kind.pk: shown_total[f"kind_{kind.pk}"] for kind in kinds},
    )


def _case_counts(area_list, start, end) -> dict[int, dict]:
    in_period = Q(opened_on__gte=start, opened_on__lte=end)
    # An earlier case of the same household (the same day counts by number).
    earlier = Case.objects.filter(household=OuterRef("household")).filter(
        Q(opened_on__lt=OuterRef("opened_on"))
        | Q(opened_on=OuterRef("opened_on"), pk__lt=OuterRef("pk"))
    )
    # Only the cases that touch the period count: opened by its end, and not
    # closed before its start (a case closes on or after the day it opened).
    touching = Q(opened_on__lte=end) & (
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    rows = (
        Case.objects.filter(touching, household__department__area__in=area_list)
        .values(area=F("household__department__area"))
        .annotate(
            opened=Count("pk", filter=in_period),
            closed=Count("pk", filter=Q(closed_on__gte=start, closed_on__lte=end)),
            open_at_end=Count(
                "pk",
                filter=Q(opened_on__lte=end)
                & (Q(closed_on__isnull=True) | Q(closed_on__gt=end)),
            ),
            repeat_households=Count(
                "household", distinct=True, filter=in_period & Q(Exists(earlier))
            ),
            **{
                f"source_{value}": Count("pk", filter=in_period & Q(source=value))
                for value in Source.values
            },
        )
        .order_by()
    )
    return {row.pop("area"): row for row in rows}


def _outcome_counts(area_list, start, end, kinds=()) -> dict[int, dict]:
    gain = Q(kind__amount_kind=AmountKind.FINANCIAL_GAIN, amount__isnull=False)
    debt = Q(kind__amount_kind=AmountKind.DEBT_SETTLED, amount__isnull=False)
    rows = (
        CaseOutcome.objects.filter(
            case__household__department__area__in=area_list,
            achieved_on__gte=start,
            achieved_on__lte=end,
        )
        .values(area=F("case__household__department__area"))
        .annotate(
            evictions_avoided=Count(
                "case", distinct=True, filter=Q(kind__code=EVICTION_AVOIDED)
            ),
            payment_plans=Count(
                "case", distinct=True, filter=Q(kind__code=PAYMENT_PLAN)
            ),
            financial_gain=Sum("amount", filter=gain, default=Decimal(0)),
            gain_cases=Count("case", distinct=True, filter=gain),
            debt_settled=Sum("amount", filter=debt, default=Decimal(0)),
            debt_cases=Count("case", distinct=True, filter=debt),
            **{
                f"kind_{kind.pk}": Count("case", distinct=True, filter=Q(kind=kind.pk))
                for kind in kinds
            },
        )
        .order_by()
    )
    return {row.pop("area"): row for row in rows}


def _row(area: Area | None, values: dict) -> AreaCases:
    return AreaCases(
        area=area,
        **{key: values[key] for key in COUNTS},
        **{key: _kroner(values[key]) for key in SUMS},
        by_source={value: values[f"source_{value}"] for value in Source.values},
    )


def _kroner(value: Figure | Decimal) -> Figure:
    if isinstance(value, Suppressed):
        return value
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _suppression_note() -> str:
    return " " + _(
        "Uden for rådgivningsteamet vises tal under 5 som <5, og tal, der kunne "
        "afsløre dem, som .."
    )


def advice_table(advice: CaseFigures) -> Table:
    def cells(row) -> list:
        return [
            row.opened,
            row.closed,
            row.open_at_end,
            row.evictions_avoided,
            row.payment_plans,
            row.repeat_households,
            row.financial_gain,
            row.debt_settled,
        ]

    return per_area_table(
        advice,
        cells,
        slug="advice",
        title=_("Økonomisk rådgivning"),
        caption=_(
            "Sager åbnet og lukket i perioden, sager åbne ved periodens slutning, "
            "sager med en afværget udsættelse eller en betalingsaftale i perioden, "
            "husstande, der fik en ny sag efter en tidligere, og beløbene (hele "
            "kroner)."
        )
        + (_suppression_note() if advice.suppressed else ""),
        columns=[
            _("Område"),
            _("Åbnet"),
            _("Lukket"),
            _("Åbne ved slut"),
            _("Udsættelser afværget"),
            _("Betalingsaftaler"),
            _("Husstande, der kom igen"),
            _("Økonomisk gevinst, kr."),
            _("Gæld afviklet, kr."),
        ],
    )


def source_table(advice: CaseFigures) -> Table:
    return per_area_table(
        advice,
        lambda row: [*row.by_source.values(), row.opened],
        slug="advice_sources",
        title=_("Hvordan sagerne kom ind"),
        caption=_("Sager åbnet i perioden efter, hvordan de kom ind."),
        columns=[
            _("Område"),
            *[str(label) for _value, label in advice.sources],
            _("I alt"),
        ],
    )


# --- Two periods side by side ------------------------------------------------------


def protect_turnover(current: CaseFigures, previous: CaseFigures) -> None:
    """Hide a second total where a period and the one before it stand side by
    side (the dashboard's comparison, the municipality's report).

    The cases open at a period's end are those open at the end of the one before,
    plus those opened, less those closed: of these four totals, one hidden alone
    follows from the other three. Then the one before's cases open at its end
    are hidden too, or, when they are the one, the cases closed."""
    if not current.suppressed or current.total is None or previous.total is None:
        return
    four = [
        (previous.total, "open_at_end"),
        (current.total, "opened"),
        (current.total, "closed"),
        (current.total, "open_at_end"),
    ]
    hidden = [pair for pair in four if _hidden(getattr(*pair))]
    if len(hidden) == 1:
        row, key = four[2] if hidden[0] is four[0] else four[0]
        setattr(row, key, HIDDEN)


# --- Suppression ----------------------------------------------------------------------


def _hide_small(row: dict, more_counts: tuple[str, ...] = ()) -> dict:
    counts = COUNTS + SOURCES + more_counts
    shown = {key: SMALL if _small(row[key]) else row[key] for key in counts}
    for key, basis in SUMS.items():
        shown[key] = FEW if _small(row[basis]) else row[key]
    return shown


def _small(count: int) -> bool:
    return 0 < count < SMALL_BELOW


def _suppress(
    exact: list[dict], exact_total: dict, *, whole_plan: bool, more_counts=()
) -> tuple[list[dict], dict]:
    """Every figure suppressed, and `more_counts` (the outcome kinds' counts
    asked for) as every other count."""
    rows = [_hide_small(row, more_counts) for row in exact]
    for shown, row in zip(rows, exact, strict=True):
        _protect_sources(shown, row)
    return rows, _total(
        rows, exact, exact_total, whole_plan=whole_plan, keys=FIGURES + more_counts
    )


def _hidden(value) -> bool:
    return isinstance(value, Suppressed)


def _total(
    rows: list[dict], exact: list[dict], exact_total: dict, *, whole_plan, keys=FIGURES
):
    """The total of each figure: shown over figures that are all shown; over hidden
    ones only for the whole plan, and when it gives none of them away."""
    total = dict(exact_total)
    for key in keys:
        if _total_hidden(key, rows, exact, whole_plan=whole_plan):
            total[key] = HIDDEN
    if not _hidden(total["opened"]) and not _source_totals_kept(rows, total):
        total["opened"] = HIDDEN
    return total


def _total_hidden(key: str, rows: list[dict], exact: list[dict], *, whole_plan) -> bool:
    """Whether the areas' total of `key` is hidden: only when a figure under it
    is, and then unless it is for the whole plan and gives none of them away
    (the sources' totals: whenever one under them is)."""
    hidden = [n for n, row in enumerate(rows) if _hidden(row[key])]
    return bool(hidden) and not (
        whole_plan
        and key not in SOURCES
        and _total_gives_nothing_away(key, hidden, rows, exact)
    )


def _source_totals_kept(rows: list[dict], total: dict) -> bool:
    """The sources' totals add up to the cases opened, as each row's do: with the
    cases opened shown, the hidden sources' totals add up to what it leaves them.
    That must not pin them, nor be under 5 (one alone would be given away)."""
    hidden = [k for k in SOURCES if _hidden(total[k])]
    if not hidden:
        return True
    left = total["opened"] - sum(total[k] for k in SOURCES if k not in hidden)
    ranges = [_column_range(rows, k) for k in hidden]
    return left >= SMALL_BELOW and _unpinned(left, ranges)


def _column_range(rows: list[dict], key: str) -> tuple[float, float]:
    """What a reader who knows the rules knows of a column's hidden total."""
    low = high = 0
    for row in rows:
        if _hidden(row[key]):
            least, most = BOUNDS[row[key]]
            low, high = low + least, high + (math.inf if most is None else most)
        else:
            low, high = low + row[key], high + row[key]
    return low, high


def _total_gives_nothing_away(key, hidden, rows, exact) -> bool:
    """What the total leaves the hidden figures (it less the figures shown) is
    itself a figure of them: a count of at least 5, an amount from at least 5
    cases, and then it must pin none of them."""
    left = sum(exact[n][key] for n in hidden)  # what the total leaves them
    if key in SUMS:
        # Each hidden amount could be any amount, but together they are a sum.
        if sum(exact[n][SUMS[key]] for n in hidden) < SMALL_BELOW:
            return False
        ranges = [(0, math.inf)] * len(hidden)
    elif left < SMALL_BELOW:
        return False
    elif key == "opened":
        ranges = [_opened_range(rows[n], exact[n]) for n in hidden]
    else:
        ranges = [_range(rows[n][key], exact[n][key]) for n in hidden]
    if None in ranges:
        return False
    if not _unpinned(left, ranges):
        return False
    if key == "opened":
        return all(
            _sources_unpinned(rows[n], exact[n], opened)
            for n, opened in zip(hidden, _narrowed(left, ranges), strict=True)
        )
    return True


def _range(shown, value: int) -> tuple[int, float] | None:
    """What a reader who knows the rules knows of a hidden count; None when the
    mark's range leaves the truth out (a cases opened of "<5" hidden as "..",
    which the rules read as at least 5), which no total may then lean on."""
    low, high = BOUNDS[shown]
    high = math.inf if high is None else high
    return (low, high) if low <= value <= high else None


def _opened_range(shown: dict, exact: dict) -> tuple[int, float] | None:
    """What a reader knows of a hidden count of cases opened, narrowed by what
    its row's sources (which add up to it) leave."""
    own = _range(shown["opened"], exact["opened"])
    sources = [_range(shown[k], exact[k]) for k in SOURCES if _hidden(shown[k])]
    if own is None or None in sources:
        return None
    known = sum(shown[k] for k in SOURCES if not _hidden(shown[k]))
    low = known + sum(low for low, _high in sources)
    high = known + sum(high for _low, high in sources)
    return max(own[0], low), min(own[1], high)


def _unpinned(left: float, ranges: list) -> bool:
    """Whether hidden figures in these ranges that add up to `left` can each
    still be more than one value: never one alone; several, unless they must
    all be at their least or all at their most."""
    least = sum(low for low, _high in ranges)
    most = sum(high for _low, high in ranges)
    wide = all(low < high for low, high in ranges)
    return len(ranges) > 1 and wide and least < left < most


def _narrowed(left: float, ranges: list) -> list[tuple[float, float]]:
    """Each figure's range once the others' ranges and their sum are known."""
    least = sum(low for low, _high in ranges)
    most = sum(high for _low, high in ranges)
    return [
        (max(low, left - (most - high)), min(high, left - (least - low)))
        for low, high in ranges
    ]


def _sources_unpinned(shown: dict, exact: dict, opened: tuple) -> bool:
    """Whether the row's hidden sources keep more than one value each when its
    cases opened can only lie in `opened` (narrowed by a shown total)."""
    ranges = [_range(shown[k], exact[k]) for k in SOURCES if _hidden(shown[k])]
    known = sum(shown[k] for k in SOURCES if not _hidden(shown[k]))
    # The hidden sources add up to the cases opened less the sources shown.
    lowest_sum, highest_sum = opened[0] - known, opened[1] - known
    least = sum(low for low, _high in ranges)
    most = sum(high for _low, high in ranges)
    return all(
        max(low, lowest_sum - (most - high)) < min(high, highest_sum - (least - low))
        for low, high in ranges
    )


# What a reader who knows the rules knows of a hidden count: "<5" is 1 to 4, ".."
# (hidden beside a small one) at least 5.
BOUNDS = {SMALL: (1, 4), HIDDEN: (SMALL_BELOW, None)}


def _protect_sources(shown: dict, exact: dict) -> None:
    """Hide more of the row until the sources and the cases opened no longer pin
    a hidden one: the smallest source still shown that is not 0, or else the cases
    opened (even a "<5": four sources of "<5" under a "<5" are all 1)."""
    while _sources_pinned(shown):
        others = [k for k in SOURCES if not _hidden(shown[k]) and exact[k] > 0]
        if others:
            shown[min(others, key=lambda k: exact[k])] = HIDDEN
        elif shown["opened"] != HIDDEN:
            shown["opened"] = HIDDEN
        else:  # with the cases opened at least 5 and unbounded, nothing is pinned
            break


def _sources_pinned(shown: dict) -> bool:
    """Whether the sources, which add up to the cases opened, leave only one value
    for a hidden figure of the row: true when one is hidden, and for several only
    when the figures shown leave them the least (or the most) they can add up to.
    """
    # Σ hidden sources − the cases opened, if hidden = what the figures shown leave.
    terms = [(1, BOUNDS[shown[k]]) for k in SOURCES if _hidden(shown[k])]
    rest = -sum(shown[k] for k in SOURCES if not _hidden(shown[k]))
    if _hidden(shown["opened"]):
        terms.append((-1, BOUNDS[shown["opened"]]))
    else:
        rest += shown["opened"]
    if not terms:
        return False
    least = sum(low if sign > 0 else -_or_inf(high) for sign, (low, high) in terms)
    most = sum(_or_inf(high) if sign > 0 else -low for sign, (low, high) in terms)
    return len(terms) == 1 or rest in (least, most)


def _or_inf(high: int | None) -> float:
    return math.inf if high is None else high
