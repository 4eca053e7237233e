"""Incidents take their version from the shared edit guard (boligsocial.editing):
versions start at 1, and 0 stands for a form that carried none, so every
incident's version moves up by one."""

from django.db import migrations, models


def move_up(apps, schema_editor):
    Incident = apps.get_model("safety", "Incident")
    Incident.objects.update(version=models.F("version") + 1)


def move_down(apps, schema_editor):
    Incident = apps.get_model("safety", "Incident")
    Incident.objects.update(version=models.F("version") - 1)


class Migration(migrations.Migration):
    dependencies = [("safety", "0009_versions_and_submissions")]

    operations = [
        migrations.AlterField(
            model_name="incident",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(move_up, move_down),
    ]
