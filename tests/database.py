"""A search through every table of the test database, for tests that prove
personal data is gone (a withdrawn sign-up, an anonymised advice case)."""

from collections.abc import Iterable

from django.db import connection


def found_in_database(needles: Iterable[str]) -> list[tuple[str, str]]:
    """(table, needle) for each needle found in some row of some table, as text:
    every column of every table, Django's and other apps' included."""
    needles = list(needles)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own names
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                found += [(table, n) for n in needles if n in text]
    return found
