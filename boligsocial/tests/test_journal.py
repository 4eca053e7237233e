"""The deletion journal: an entry per erasure, each a file of its own in the
journal's storage, read back oldest first, with the one file of lines an earlier
version wrote read too."""

import datetime
import json

import pytest
import time_machine

from boligsocial import journal
from boligsocial.models import Organisation
from tests.privacy import deletion_journal  # noqa: F401 - autouse: the test's own

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)


def test_each_erasure_is_a_file_of_its_own_holding_nothing_personal(
    deletion_journal,  # noqa: F811
):
    org = Organisation.objects.get(name="Fyns Politi")
    with time_machine.travel(AT, tick=False):
        journal.record(org, journal.DELETE)
        journal.record(org, journal.WITHDRAW, on=datetime.date(2026, 3, 28))

    files = sorted(path.name for path in deletion_journal.iterdir())
    assert len(files) == 2
    assert all(name.startswith("20260329T013000.000000Z-") for name in files)
    assert list(journal.entries()) == [
        {
            "at": "2026-03-29T01:30:00+00:00",
            "model": "boligsocial.organisation",
            "pk": org.pk,
            "action": "delete",
        },
        {
            "at": "2026-03-29T01:30:00+00:00",
            "model": "boligsocial.organisation",
            "pk": org.pk,
            "action": "withdraw",
            "on": "2026-03-28",
        },
    ]


def test_entries_come_back_in_the_order_they_were_made_across_midnight():
    org = Organisation.objects.get(name="Fyns Politi")
    for at in ("2026-12-31T23:59:59.999999+00:00", "2027-01-01T00:00:00+00:00"):
        with time_machine.travel(datetime.datetime.fromisoformat(at), tick=False):
            journal.record(org, journal.DELETE)

    assert [entry["at"] for entry in journal.entries()] == [
        "2026-12-31T23:59:59+00:00",
        "2027-01-01T00:00:00+00:00",
    ]


def test_the_lines_an_earlier_version_appended_to_one_file_are_read_first(
    deletion_journal,  # noqa: F811
):
    deletion_journal.mkdir(parents=True, exist_ok=True)
    old = [
        {
            "at": "2025-01-02T10:00:00+00:00",
            "model": "safety.contact",
            "pk": 7,
            "action": "delete",
        },
    ]
    (deletion_journal / "deletion-journal.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in old)
    )
    org = Organisation.objects.get(name="Fyns Politi")
    journal.record(org, journal.DELETE)

    found = list(journal.entries())

    assert found[0] == old[0]
    assert found[1]["model"] == "boligsocial.organisation"


def test_a_paused_journal_writes_nothing():
    with journal.paused():
        journal.record(Organisation.objects.get(name="Fyns Politi"), journal.DELETE)

    assert list(journal.entries()) == []
