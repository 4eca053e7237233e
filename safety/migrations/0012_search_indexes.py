"""GIN indexes for the header's search (boligsocial/search.py): on PostgreSQL,
each on exactly the Danish full-text vector the search matches, so a search
reads the index instead of every row. Nothing on SQLite, the development
default, which searches in Python."""

from django.db import migrations

# Table → the columns of its vector, in the order boligsocial/search.py gives them.
VECTORS = {
    "safety_finding": ("description", "place"),
    "safety_walk": ("route", "clear_stretches", "notes"),
    "safety_incident": ("title", "place", "description"),
    "safety_networkmeeting": ("forum", "agenda", "decisions", "participants"),
}


def vector(columns) -> str:
    """The SQL of Django's SearchVector(*columns, config="danish")."""
    text = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('danish'::regconfig, {text})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in VECTORS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search ON {table} "
            f"USING gin ({vector(columns)})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VECTORS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0011_notification_claim"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
