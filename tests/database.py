"""A search through every table of the test database, for tests that prove
personal data is gone (a withdrawn sign-up, an anonymised advice case); and the
URL of another database on the test's server, for a process of the portal's."""

from collections.abc import Iterable
from urllib.parse import quote

import psycopg
from django.db import connection


def on_server(dbname: str, statement: str, params=()) -> list[tuple]:
    """A statement on another database of the test database's PostgreSQL server,
    on a connection of its own (autocommit: CREATE and ALTER DATABASE too); the
    rows it returned."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    ) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def database_url(name: str) -> str:
    """DATABASE_URL for the database `name` on the test database's server."""
    db = connection.settings_dict
    user = quote(db["USER"])
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    if host.startswith("/"):  # a socket folder: django-environ reads the path
        return f"postgres://{user}@/{quote(host, safe='')}/{name}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}@{host}{port}/{name}"


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
