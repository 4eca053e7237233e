"""The log's line format: one record is one line, stamped in UTC.

Log records carry text people typed (a user name at the login, a path with an
encoded newline): a newline in it would start what looks like a new entry of the
reader's choosing. Every control character is written as an escape instead, the
traceback's line breaks too, so a record is always exactly one line. Times are
ISO-8601 in UTC with the offset written out, whatever TIME_ZONE says.
"""

import datetime
import logging
import re

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: every
# character that some reader takes as the end of a line.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    return CONTROL.sub(
        lambda match: NAMED.get(match[0], match[0].encode("unicode_escape").decode()),
        text,
    )


class LineFormatter(logging.Formatter):
    """logging.Formatter with UTC ISO-8601 times, its whole output on one line."""

    def formatTime(self, record: logging.LogRecord, datefmt=None) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        return moment.isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record))
