"""Text as the portal keeps it: without the invisible characters that reorder or
hide what a person reads.

A name typed after a right-to-left override (U+202E) shows reversed in a staff
list, and a zero-width space makes two names look alike that are not. These are
removed from everything typed into a form (boligsocial.middleware.CleanInput-
Middleware) and from every cell of an imported sheet (spreadsheets.sheet_rows):
one rule, `clean`, for both ways in. The zero-width joiner and non-joiner stay:
Persian, Arabic and many emoji need them.
"""

import re

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
# the directional marks (U+200E, U+200F, U+061C), the zero-width space (U+200B),
# the word joiner and invisible operators (U+2060-U+2064) and the byte-order mark
# used as a zero-width no-break space (U+FEFF).
INVISIBLE = re.compile(
    "[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]"
)


def clean(text: str) -> str:
    return INVISIBLE.sub("", text)
