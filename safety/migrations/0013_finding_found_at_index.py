"""An index on when findings were found: the header's search narrows findings to
a day, month or year (boligsocial/search.py) without reading every row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0012_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                fields=["found_at"], name="safety_find_found_a_b1e54e_idx"
            ),
        ),
    ]
