"""The English translation is complete and compiled (msgids are Danish)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
SOURCES = ["boligsocial", "activities", "safety", "advice", "reports", "templates"]


def test_every_danish_text_has_an_english_translation():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_the_compiled_catalogue_matches_the_translations():
    po = {(e.msgid, e.msgstr) for e in polib.pofile(str(PO)) if not e.msgid_plural}
    mo = {(e.msgid, e.msgstr) for e in polib.mofile(str(PO.with_suffix(".mo")))}
    assert po <= mo, "run: make messages"


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
