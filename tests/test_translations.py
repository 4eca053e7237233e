"""The English translation is complete and compiled (msgids are Danish)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
SOURCES = ["boligsocial", "activities", "safety", "advice", "reports", "templates"]


def test_every_danish_text_has_an_english_translation():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parts[-3])
def test_the_compiled_catalogue_matches_the_translations(catalogue):
    po = {
        (e.msgid, e.msgstr) for e in polib.pofile(str(catalogue)) if not e.msgid_plural
    }
    mo = {(e.msgid, e.msgstr) for e in polib.mofile(str(catalogue.with_suffix(".mo")))}
    assert po <= mo, "run: make messages"


@pytest.mark.parametrize(
    "catalogue",
    [c for c in CATALOGUES if c.parts[-3] != "en"],
    ids=lambda p: p.parts[-3],
)
def test_the_residents_languages_translate_only_texts_the_portal_has(catalogue):
    """The residents' catalogues (kept by hand, only the texts of their pages)
    hold no text the portal no longer has: Danish of ours, or Django's own."""
    ours = {e.msgid for e in polib.pofile(str(PO))}
    kept = polib.pofile(str(catalogue))
    stale = [e.msgid for e in kept if e.msgid not in ours and not e.comment]
    assert stale == []
    assert len(CATALOGUES) == 4


def test_no_text_in_the_code_is_missing_from_the_catalogue(tmp_path):
    """makemessages over a copy of the code finds nothing the catalogue lacks."""
    for name in SOURCES:
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("tests")
        )
    shutil.copy(ROOT / "manage.py", tmp_path)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    found = {e.msgid for e in polib.pofile(str(tmp_path / PO.relative_to(ROOT)))}
    known = {e.msgid for e in polib.pofile(str(PO))}
    assert len(found) > 100  # the copy was really scanned
    assert found - known == set(), "run: make messages, then translate"
