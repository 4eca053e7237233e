"""The first wording of the consent residents accept when they join Nabohjælp."""

from django.db import migrations

TEXT = (
    "Jeg giver BoligSocialt Hus lov til at registrere mit navn, min adresse og mine "
    "kontaktoplysninger, så BoligSocialt Hus kan kontakte mig om Nabohjælp i mit "
    "boligområde. Oplysningerne bruges kun til det og deles ikke med andre. Jeg kan "
    "til enhver tid trække mit samtykke tilbage ved at kontakte BoligSocialt Hus; så "
    "slettes mine oplysninger, og kun et anonymt antal bliver tilbage i statistikken."
)


def add(apps, schema_editor):
    apps.get_model("safety", "ConsentText").objects.create(text=TEXT)


def remove(apps, schema_editor):
    apps.get_model("safety", "ConsentText").objects.filter(text=TEXT).delete()


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
