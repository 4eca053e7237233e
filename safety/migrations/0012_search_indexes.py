"""GIN indexes for the header's search (boligsocial/search.py): on PostgreSQL,
each on exactly the full-text vector the search matches (Danish for text, the
'simple' configuration for the sign-ups' names), so a search reads the index
instead of every row. Nothing on SQLite, the development default, which
searches in Python."""

from django.db import migrations

# Table → the configuration and the columns of its vector, in the order
# boligsocial/search.py gives them.
VECTORS = {
    "safety_finding": ("danish", ("description", "place")),
    "safety_walk": ("danish", ("route", "clear_stretches", "notes")),
    "safety_incident": ("danish", ("title", "place", "description")),
    "safety_networkmeeting": (
        "danish",
        ("forum", "agenda", "decisions", "participants"),
    ),
    "safety_signup": ("simple", ("name",)),
}


def vector(config: str, columns) -> str:
    """The SQL of Django's SearchVector(*columns, config=config)."""
    text = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('{config}'::regconfig, {text})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (config, columns) in VECTORS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search ON {table} "
            f"USING gin ({vector(config, columns)})"
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
