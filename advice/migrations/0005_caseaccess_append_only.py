"""The access log is append-only in the database itself, for every client of it.

On PostgreSQL a trigger refuses UPDATE and DELETE on advice_caseaccess, raising
insufficient_privilege (Django's ProgrammingError), with two exceptions:

- UPDATE that only sets case_id to NULL: a case deleted outright (demo data
  reloaded) is ON DELETE SET NULL for its entries; every fact in them stays.
- DELETE of an entry older than ACCESS_LOG_RETENTION (advice.models, 1830 days):
  the retention job's rule (`CaseAccess.objects.delete_expired`, whose Now() is
  this statement_timestamp(): the two agree within the one DELETE).

TRUNCATE is left alone: the tests' flush empties every table with it, and the app
never truncates. A later migration that must rewrite entries drops the trigger and
installs it again. SQLite (quick local test runs) gets no trigger; the model's own
refusals (CaseAccess.save/delete, its queryset's update/delete) apply everywhere.
Changing ACCESS_LOG_RETENTION takes a migration that replaces the function.
"""

from django.db import migrations

INSTALL = """
CREATE FUNCTION advice_caseaccess_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.case_id IS NULL
           AND to_jsonb(NEW) - 'case_id' = to_jsonb(OLD) - 'case_id' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'advice_caseaccess: an access-log entry cannot be changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.at < statement_timestamp() - interval '1830 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'advice_caseaccess: an access-log entry is kept for 1830 days'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER advice_caseaccess_append_only
    BEFORE UPDATE OR DELETE ON advice_caseaccess
    FOR EACH ROW EXECUTE FUNCTION advice_caseaccess_append_only();
"""

REMOVE = """
DROP TRIGGER IF EXISTS advice_caseaccess_append_only ON advice_caseaccess;
DROP FUNCTION IF EXISTS advice_caseaccess_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE)


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0004_caseaccess_purpose"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
