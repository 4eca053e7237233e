"""A notification is claimed by the try that sends it, so that no other try can
send it again (safety/beredskab/notifications.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0010_incident_version_from_one"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentnotification",
            name="claimed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="forsøg begyndt"
            ),
        ),
    ]
