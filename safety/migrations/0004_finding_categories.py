"""The finding categories the seeds name for tryghedsvandringer; coordinators keep
the list in the admin."""

from django.db import migrations

CATEGORIES = [
    "Hærværk",
    "Belysning",
    "Stier og adgangsforhold",
    "Grønne arealer",
    "Affald",
    "Utryg adfærd",
    "Andet",
]


def add(apps, schema_editor):
    FindingCategory = apps.get_model("safety", "FindingCategory")
    for order, name in enumerate(CATEGORIES):
        FindingCategory.objects.get_or_create(name=name, defaults={"order": order})


def remove(apps, schema_editor):
    apps.get_model("safety", "FindingCategory").objects.filter(
        name__in=CATEGORIES, findings__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("safety", "0003_walks_and_findings")]

    operations = [migrations.RunPython(add, remove)]
