"""Økonomisk rådgivning in figures: cases and outcomes per area for a period.

Three queries whatever the number of cases: the areas, one grouped aggregate over
the cases (opened, closed, open at the period's end, how they came in, repeat
households) and one over the outcomes achieved in the period (evictions avoided,
payment plans, the amounts). The advice figures page shows them; the dashboards
and reports will call the same function. Anonymised cases count like any other:
what the figures need (area, dates, source, outcomes, amounts) survives erasure.

Outcome figures count *cases*: a case with two payment plans in the period counts
once under payment plans, and a sum is "based on" the cases it comes from.

Small-count suppression (`suppress=True`, for everyone outside the advice team):
a count of 1–4 becomes `SMALL` ("<5"); 0 stays 0, since it says nothing about a
person. A sum in kroner becomes `FEW` when it comes from 1–4 cases.

Complementary suppression: no hidden figure may be worked out by subtraction,
from one table or from two (the readers choose their areas, so two tables can
differ by one area).
- A total (the areas added up) is shown only when every figure under it is
  shown; else it is hidden (`HIDDEN`, "..", the mark Danmarks Statistik uses for
  figures withheld for confidentiality). Shown, it is the sum of figures on the
  page and tells nothing new, whichever areas are chosen; a rule that also
  showed totals over hidden figures would let two choices of areas that differ
  by one area give that area's figure away.
- In each row the sources of the cases add up to the cases opened. A reader who
  knows these rules knows a "<5" is 1–4 and a ".." in a row at least 5; while
  that pins a hidden figure (one alone, or hidden figures that can only be all
  at their least or all at their most, such as four sources of "<5" under a
  "<5"), the smallest source shown that is not 0 is hidden too, and when none
  is left, the cases opened (as "..").
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

from boligsocial.models import Area
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

    @property
    def sources(self) -> list[tuple[str, str]]:
        return list(Source.choices)


def case_figures(
    *, areas, start: datetime.date, end: datetime.date, suppress: bool
) -> CaseFigures:
    """The advice figures for the areas from start to end (both days included);
    suppressed for readers outside the advice team."""
    area_list = list(Area.objects.filter(pk__in=areas))
    cases = _case_counts(area_list, start, end)
    outcomes = _outcome_counts(area_list, start, end)
    exact = [
        {**EMPTY, **cases.get(area.pk, {}), **outcomes.get(area.pk, {})}
        for area in area_list
    ]
    exact_total = {key: sum(row[key] for row in exact) for key in EMPTY}
    shown, shown_total = exact, exact_total
    if suppress:
        shown, shown_total = _suppress(exact, exact_total)
    return CaseFigures(
        start=start,
        end=end,
        suppressed=suppress,
        rows=[_row(area, row) for area, row in zip(area_list, shown, strict=True)],
        total=_row(None, shown_total) if area_list else None,
    )


def _case_counts(area_list, start, end) -> dict[int, dict]:
    in_period = Q(opened_on__gte=start, opened_on__lte=end)
    # An earlier case of the same household (the same day counts by number).
    earlier = Case.objects.filter(household=OuterRef("household")).filter(
        Q(opened_on__lt=OuterRef("opened_on"))
        | Q(opened_on=OuterRef("opened_on"), pk__lt=OuterRef("pk"))
    )
    rows = (
        Case.objects.filter(household__department__area__in=area_list)
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


def _outcome_counts(area_list, start, end) -> dict[int, dict]:
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


# --- Suppression ----------------------------------------------------------------------


def _hide_small(row: dict) -> dict:
    shown = {key: SMALL if _small(row[key]) else row[key] for key in COUNTS + SOURCES}
    for key, basis in SUMS.items():
        shown[key] = FEW if _small(row[basis]) else row[key]
    return shown


def _small(count: int) -> bool:
    return 0 < count < SMALL_BELOW


def _suppress(exact: list[dict], exact_total: dict) -> tuple[list[dict], dict]:
    rows = [_hide_small(row) for row in exact]
    for shown, row in zip(rows, exact, strict=True):
        _protect_sources(shown, row)
    return rows, _total(rows, exact_total)


def _hidden(value) -> bool:
    return isinstance(value, Suppressed)


def _total(rows: list[dict], exact_total: dict) -> dict:
    """The total of each figure, unless a figure under it is hidden."""
    total = dict(exact_total)
    for key in FIGURES:
        if any(_hidden(row[key]) for row in rows):
            total[key] = HIDDEN
    return total


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
