"""How the figures round: one rule for pages, PDFs, exports and targets."""

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, places: int = 0):
    """Rounded as people round: halves up (85.95 → 86.0 at one place), not to the
    even neighbour or cut off. Through the decimal the float prints as, so a float
    that is a hair under its printed half still rounds up. An int at no places,
    else a Decimal."""
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return int(exact) if places == 0 else exact


def percent(part, whole) -> float | None:
    """A count as a percentage of another, unrounded (the page rounds it); none
    when either is hidden or the whole is 0."""
    if not isinstance(part, int) or not isinstance(whole, int) or not whole:
        return None
    return 100 * part / whole
