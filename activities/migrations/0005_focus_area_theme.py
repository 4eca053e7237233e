from django.db import migrations, models

# The themes of the focus areas the sources name, for the municipality's report.
THEMES = {
    "Uddannelse og livschancer": "education",
    "Beskæftigelse": "employment",
    "Kriminalitetsforebyggelse": "crime_prevention",
    "Sammenhængskraft og medborgerskab": "community",
    "Boligsocial beredskabsplan": "preparedness",
    "Tryghed og trivsel": "safety",
    "Kriminalpræventiv indsats": "crime_prevention",
}


def set_themes(apps, schema_editor):
    FocusArea = apps.get_model("activities", "FocusArea")
    for name, theme in THEMES.items():
        FocusArea.objects.filter(name=name).update(theme=theme)


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_records_status_events")]

    operations = [
        migrations.AddField(
            model_name="focusarea",
            name="theme",
            field=models.CharField(
                blank=True,
                choices=[
                    ("education", "Uddannelse"),
                    ("employment", "Beskæftigelse"),
                    ("crime_prevention", "Kriminalitetsforebyggelse"),
                    ("safety", "Tryghed og trivsel"),
                    ("community", "Fællesskaber og medborgerskab"),
                    ("preparedness", "Beredskab"),
                ],
                help_text="Hvor indsatsområdets aktiviteter står i kommunens statusrapport.",
                max_length=20,
                verbose_name="tema i rapporterne",
            ),
        ),
        migrations.RunPython(set_themes, migrations.RunPython.noop),
    ]
