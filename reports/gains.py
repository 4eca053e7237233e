"""Gevinster: the plan's outcomes in kroner, estimated in the open.

For each unit value in use (`UnitValue`, kept by coordinators), the count it
multiplies in the period and areas, from the figures of the app that keeps it:
- cases with an outcome in the advice team's records (`advice.figures`, counted
  in its own query and suppressed as every advice total is: "..", and then no
  kroner);
- what the chosen indicators reached (`activities.figures`);
- the participants, or new participants, of the chosen activities.
The count times the value's low and high estimate is its gain, as a range; the
totals are the ranges added up over the rows whose count is shown. Nothing is
typed: every gain follows from the records and the value in use when it is
computed, and a report keeps the versions it used in its figure record.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from activities.figures import ActivityFigures
from advice.figures import CaseFigures
from boligsocial.charts import range_bars
from boligsocial.suppression import HIDDEN, Figure, Suppressed
from boligsocial.tables import Table

from .models import GainBasis, UnitValue


@dataclass
class GainRow:
    value: UnitValue
    count: Figure

    @property
    def shown(self) -> bool:
        return not isinstance(self.count, Suppressed)

    @property
    def low(self) -> Figure:
        return self.count * self.value.low if self.shown else HIDDEN

    @property
    def high(self) -> Figure:
        return self.count * self.value.high if self.shown else HIDDEN


@dataclass
class GainFigures:
    rows: list[GainRow]

    @property
    def low(self) -> int:
        return sum(row.low for row in self.rows if row.shown)

    @property
    def high(self) -> int:
        return sum(row.high for row in self.rows if row.shown)

    @property
    def some_hidden(self) -> bool:
        return any(not row.shown for row in self.rows)

    @property
    def to_review(self) -> int:
        return sum(row.value.needs_review for row in self.rows)


def gain_figures(
    *, values: list[UnitValue], activities: ActivityFigures, advice: CaseFigures
) -> GainFigures:
    """The gains of the unit values in use (`values`, from `unit_values_in_use`),
    from the figures of the same areas and period (`figures_for`): the outcome
    counts are the advice figures' (asked for by kind), the indicators' and
    participants' the activities'."""
    reached, participants, new = {}, {}, {}
    for focus_area in activities.focus_areas:
        for row in focus_area.activities:
            participants[row.activity.pk] = row.total.participants
            new[row.activity.pk] = row.total.new
            for indicator in row.indicators:
                reached[indicator.indicator_id] = indicator.reached

    def count(value: UnitValue) -> Figure:
        if value.basis == GainBasis.OUTCOME:
            return advice.by_kind[value.outcome_kind_id]
        if value.basis == GainBasis.INDICATOR:
            return sum(reached.get(i.pk, 0) for i in value.indicators.all())
        parts = participants if value.basis == GainBasis.PARTICIPANTS else new
        return sum(parts.get(a.pk, 0) for a in value.activities.all())

    return GainFigures(rows=[GainRow(value, count(value)) for value in values])


def unit_values_in_use() -> tuple[list[UnitValue], list]:
    """The unit values in use with what they multiply (three queries), and the
    outcome kinds the advice figures are to count for them."""
    values = list(UnitValue.objects.in_use().for_figures())
    kinds = {v.outcome_kind for v in values if v.basis == GainBasis.OUTCOME}
    return values, sorted(kinds, key=lambda kind: kind.pk)


# --- As tables and a chart: the same on the dashboard and in the PDF -------------


def _name(value: UnitValue) -> str:
    if value.needs_review:
        return _("%(name)s (eksempel, ikke gennemgået)") % {"name": value.name}
    return value.name


def gain_table(gains: GainFigures) -> Table:
    caption = _(
        "Skønnede gevinster i perioden og de valgte områder: antallet fra "
        "portalens registreringer gange enhedsværdiens lave og høje skøn, i "
        "hele kroner. Vejledende, ikke målte effekter."
    )
    if gains.some_hidden:
        caption += " " + _(
            "Et antal fra rådgivningen, der ikke vises (..), fordi et tal under 5 "
            "ellers kunne regnes ud, har heller ingen gevinst; summen er uden det."
        )
    return Table(
        slug="gains",
        title=_("Gevinster"),
        caption=caption,
        columns=[
            _("Enhedsværdi"),
            _("Antal"),
            _("Lavt skøn, kr."),
            _("Højt skøn, kr."),
        ],
        rows=[[_name(row.value), row.count, row.low, row.high] for row in gains.rows],
        total=[_("I alt"), None, gains.low, gains.high] if gains.rows else None,
    )


def unit_value_table(gains: GainFigures) -> Table:
    """The values the gains were computed with, their versions and sources: what
    a report says it used."""
    return Table(
        slug="unit_values",
        title=_("Enhedsværdier og kilder"),
        caption=_(
            "Hvad hver enhedsværdi ganges med, dens skøn pr. enhed i kroner, året "
            "for dens priser, kilden og den version, tallene er regnet med."
        ),
        columns=[
            _("Enhedsværdi"),
            _("Ganges med"),
            _("Kilde"),
            _("Prisår"),
            _("Lavt skøn pr. enhed, kr."),
            _("Højt skøn pr. enhed, kr."),
            _("Version"),
        ],
        rows=[
            [
                _name(row.value),
                row.value.counted_label(),
                row.value.source_label(),
                str(row.value.price_year),
                row.value.low,
                row.value.high,
                row.value.revision,
            ]
            for row in gains.rows
        ],
        text_columns=(1, 2),
    )


def gain_chart(gains: GainFigures) -> SafeString | str:
    """Each gain shown that is not 0 as a bar to its low estimate, reaching on
    to its high; nothing when there is none."""
    rows = [
        (_name(row.value), row.low, row.high)
        for row in gains.rows
        if row.shown and row.high
    ]
    if not rows:
        return ""
    return range_bars(rows, unit=_("kr."))


def unit_values_used(record: dict) -> list[dict]:
    """The unit values a report run recorded it used (its `unit_values` table),
    for its page: name, low, high, price year and version."""
    table = (record or {}).get("tables", {}).get("unit_values") or {"rows": []}
    return [
        {
            "name": name,
            "source": source,
            "price_year": price_year,
            "low": low,
            "high": high,
            "version": version,
        }
        for name, _counted, source, price_year, low, high, version in table["rows"]
    ]
