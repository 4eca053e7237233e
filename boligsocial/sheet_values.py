"""Cells as people write them, read into the values our forms take.

Staff keep their sheets their own way: dates as 15-01-2025, 15.01.2025,
15/1/2025, 2025-01-15, "15. januar 2025" or an Excel date; counts as "8", "8,0"
or " 8 "; yes as ja, x, 1 or sand. Each reader returns the form's text and, when
it changed what was written, a note the preview shows ("15-01-2025 → 15.01.2025").
A cell that cannot be read goes to the form as written, to be refused there with
the form's own message.
"""

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

# Excel counts days from here (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serials of 1954–2119: a number outside them in a date column is not a date.
EXCEL_SERIALS = range(20_000, 80_000)

MONTHS = {
    **dict.fromkeys(["januar", "jan", "january"], 1),
    **dict.fromkeys(["februar", "feb", "february"], 2),
    **dict.fromkeys(["marts", "mar", "march"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["maj", "may"], 5),
    **dict.fromkeys(["juni", "jun", "june"], 6),
    **dict.fromkeys(["juli", "jul", "july"], 7),
    **dict.fromkeys(["august", "aug"], 8),
    **dict.fromkeys(["september", "sep", "sept"], 9),
    **dict.fromkeys(["oktober", "okt", "oct", "october"], 10),
    **dict.fromkeys(["november", "nov"], 11),
    **dict.fromkeys(["december", "dec"], 12),
}
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMERIC_DATE = re.compile(r"(\d{1,2})([-./])(\d{1,2})\2(\d{4}|\d{2})")
WORDS_DATE = re.compile(r"(\d{1,2})\.?\s*([^\W\d_]+)\.?\s*(\d{4})")

# Day before month, as Danes write; month before day, as an American sheet does.
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"

YES = {"ja", "j", "x", "1", "sand", "yes", "y", "true"}
NO = {"nej", "n", "0", "falsk", "no", "false", "-"}


def text_of(value) -> str:
    """A cell as text: 8.0 as 8, no spaces around."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def shown(day: datetime.date) -> str:
    return f"{day:%d.%m.%Y}"


def _day(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    # Two digits are this century's: nobody logs 1925.
    return int(text) + 2000 if len(text) == 2 else int(text)


def slash_parts(value) -> tuple[int, int] | None:
    """The two leading numbers of a date written with slashes (15/1/2025), the
    only way of writing where day and month may be either way round."""
    if not isinstance(value, str):
        return None
    match = NUMERIC_DATE.fullmatch(value.strip())
    if not match or match[2] != "/":
        return None
    return int(match[1]), int(match[3])


def date_order(values) -> str | None:
    """How a column's slash dates are written: DAY_FIRST when one of them can only
    be read so (13/05/2025), MONTH_FIRST when one can only be read that way
    (05/13/2025), None when every one could be either and at least one reads two
    ways (04/05/2025): then the person is asked. Day first when nothing says."""
    day_first = month_first = ambiguous = False
    for value in values:
        parts = slash_parts(value)
        if parts is None:
            continue
        first, second = parts
        day_first |= first > 12
        month_first |= second > 12
        ambiguous |= first <= 12 and second <= 12 and first != second
    if month_first and not day_first:
        return MONTH_FIRST
    if ambiguous and not day_first:
        return None
    return DAY_FIRST


def read_date(value, order: str = DAY_FIRST) -> tuple[str, str | None]:
    """A date cell as the form's ISO text, and a note if it was written otherwise
    than an Excel date or dd.mm.yyyy."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat(), None
    if isinstance(value, datetime.date):
        return value.isoformat(), None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == int(value) and int(value) in EXCEL_SERIALS:
            day = EXCEL_EPOCH + datetime.timedelta(days=int(value))
            return day.isoformat(), _("Excel-dato %(serial)s → %(date)s") % {
                "serial": text_of(value),
                "date": shown(day),
            }
        return text_of(value), None
    text = text_of(value)
    day = _parse_text_date(text, order)
    if day is None:
        return text, None
    note = None if text in (shown(day), day.isoformat()) else f"{text} → {shown(day)}"
    return day.isoformat(), note


def _parse_text_date(text: str, order: str) -> datetime.date | None:
    if match := ISO_DATE.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := NUMERIC_DATE.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        if match[2] == "/" and order == MONTH_FIRST:
            first, second = second, first
        return _day(year, second, first)
    if match := WORDS_DATE.fullmatch(text):
        month = MONTHS.get(match[2].casefold())
        return _day(int(match[3]), month, int(match[1])) if month else None
    return None


def read_time(value) -> tuple[str, str | None]:
    """A time cell as HH:MM; Danes write 10.30 as often as 10:30, and kl. 10."""
    if isinstance(value, datetime.datetime):
        value = value.time()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M"), None
    text = text_of(value)
    bare = re.sub(r"^kl\.?\s*", "", text, flags=re.IGNORECASE)
    if match := re.fullmatch(r"(\d{1,2})(?:[.:](\d{2}))?", bare):
        hours, minutes = int(match[1]), int(match[2] or 0)
        if hours < 24 and minutes < 60:
            result = f"{hours:02d}:{minutes:02d}"
            same = text in (result, result.replace(":", "."))
            return result, None if same else f"{text} → {result}"
    return text, None


def read_count(value) -> tuple[str, str | None]:
    """A count as whole-number text: "8,0", " 8 " and 8.0 are 8; "1.200" is 1200.
    Anything else goes on as written, for the form to refuse."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text_of(value), None
    written = text_of(value)
    text = re.sub(r"[\s\u00a0]", "", written)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    elif re.fullmatch(r"\d+[.,]0+", text):
        text = re.split(r"[.,]", text)[0]
    if text == written or not text.isdigit():
        return written, None
    return text, f"{written} → {text}"


def read_flag(value) -> tuple[str, str | None]:
    """Yes or no as "ja" / "nej" (empty is no); other text goes on as written."""
    written = text_of(value)
    key = written.casefold()
    if key == "" or key in NO:
        result = _("nej")
    elif key in YES:
        result = _("ja")
    else:
        return written, None
    return result, None if key in ("", result.casefold()) else f"{written} → {result}"


def is_yes(text: str) -> bool:
    return text.casefold() in YES | {_("ja").casefold()}


def is_no(text: str) -> bool:
    return text.casefold() in NO | {"", _("nej").casefold()}


def name_key(text: str) -> str:
    """Names compare without case, accents' forms, spaces or punctuation: "Antal
    deltagere", "antal-deltagere" and "ANTAL DELTAGERE:" are one."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(char for char in text if char.isalnum())


# --- Addresses ----------------------------------------------------------------------

HOUSE = re.compile(r"(\d+\s?[A-Za-zÆØÅæøå]?)\b\.?\s*,?\s*(.*)")
ADDRESS = re.compile(
    r"(?P<street>.+?)\s+(?P<number>\d+\s?[A-Za-zÆØÅæøå]?)\b\.?\s*,?\s*(?P<rest>.*)"
)


def split_address(text: str, streets: list[str]) -> tuple[str, str, str] | None:
    """An address written in one cell ("Rugårdsvej 12, 2. tv") as street, house
    number and floor/door. A street the departments list is matched first, so a
    street name of several words stays whole however it is spaced or spelt in
    case; None if no house number is found."""
    text = " ".join(text.split())
    key = name_key(text)
    for street in sorted(streets, key=len, reverse=True):
        street_key = name_key(street)
        if street_key and key.startswith(street_key):
            rest = _after_street(text, street)
            match = HOUSE.fullmatch(rest or "")
            if match:
                return street, match[1].replace(" ", ""), match[2].strip(" ,")
    match = ADDRESS.fullmatch(text)
    if not match:
        return None
    return (
        match["street"].strip(" ,"),
        match["number"].replace(" ", ""),
        match["rest"].strip(" ,"),
    )


def _after_street(text: str, street: str) -> str | None:
    """What follows the street's name in text, compared letter by letter."""
    wanted = name_key(street)
    seen = ""
    for index, char in enumerate(text):
        if seen == wanted:
            return text[index:].strip(" ,")
        if char.isalnum():
            seen += unicodedata.normalize("NFKC", char).casefold()
            if not wanted.startswith(seen):
                return None
    return "" if seen == wanted else None
