"""Incidents are anonymised once closed longer than INCIDENT_RETENTION_MONTHS
(safety.tasks.apply_retention): when, and the rules that let an anonymised
incident (and its press texts) be without the texts they needed before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0013_finding_found_at_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="incident",
            name="incident_closed_with_evaluation",
        ),
        migrations.RemoveConstraint(
            model_name="incidententry",
            name="entry_press_is_approved",
        ),
        migrations.AddField(
            model_name="incident",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="anonymiseret"
            ),
        ),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("closed_at__isnull", True), ("status", "open")),
                    models.Q(
                        ("closed_at__isnull", False),
                        ("status", "closed"),
                        models.Q(
                            models.Q(("evaluation", ""), _negated=True),
                            ("anonymised_at__isnull", False),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="incident_closed_with_evaluation",
            ),
        ),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("anonymised_at__isnull", True),
                    models.Q(
                        ("description", ""),
                        ("evaluation", ""),
                        ("place", ""),
                        ("status", "closed"),
                    ),
                    _connector="OR",
                ),
                name="incident_anonymised_is_anonymous",
            ),
        ),
        migrations.AddConstraint(
            model_name="incidententry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "press"), _negated=True),
                    models.Q(("approved_by", ""), _negated=True),
                    ("text", ""),
                    _connector="OR",
                ),
                name="entry_press_is_approved",
            ),
        ),
    ]
