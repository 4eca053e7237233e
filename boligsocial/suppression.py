"""The marks of a figure left out, the same in pages, exports and PDFs.

Small counts about people do not leave the team that holds them: a count of 1 to 4
points too closely to a household. The rules of what is left out belong to the
figures that use them (`advice.figures`); the marks are shared by every page,
table and PDF that shows a figure.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

# A count of 1 to 4 points too closely to a household to leave the advice team.
SMALL_BELOW = 5


@dataclass(frozen=True)
class Suppressed:
    """A figure left out.

    `small`: a count of 1–4 ("<5"); `few`: a sum of kroner from 1–4 cases
    ("<5 sager", never read as "less than 5 kr."); `complement`: a figure hidden
    so that a small one cannot be worked out from it, mostly a larger one ("..",
    the mark Danmarks Statistik uses for figures withheld for confidentiality).
    """

    reason: str

    def __str__(self) -> str:
        if self.reason == "few":
            return gettext("<5 sager")
        return ".." if self.reason == "complement" else "<5"


SMALL = Suppressed("small")
FEW = Suppressed("few")
HIDDEN = Suppressed("complement")

Figure = int | Suppressed
