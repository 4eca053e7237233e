"""A GIN index for the header's search (boligsocial/search.py) of planned events:
on PostgreSQL, on exactly the Danish full-text vector the search matches.
Nothing on SQLite, the development default, which searches in Python. (The
plan's activities are a few dozen rows: they need none.)"""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS activities_plannedevent_search "
    "ON activities_plannedevent USING gin (to_tsvector('danish'::regconfig, "
    "COALESCE(title, '') || ' ' || COALESCE(place, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS activities_plannedevent_search")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_calendar_share"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
