"""The real areas and partner organisations named in the plan's sources.

Housing organisations and departments are not named in the sources: they come
from the demo data command, marked as demo, and are kept by coordinators.
"""

from django.db import migrations

AREAS = [
    ("Vollsmose", "vollsmose", "Odenses største almene boligområde, i planen siden 2024."),
    ("Rising", "rising", "Her ligger hovedvægten af gadeplansarbejdet blandt unge."),
    (
        "Korsløkkeparken",
        "korslokkeparken",
        "Også kaldet Korsløkken; her går den ugentlige tryghedsvandring.",
    ),
    ("Ejerslykke", "ejerslykke", ""),
    ("Højemarksvej-kvarteret", "hojemarksvej-kvarteret", "Nyt område i 2024–2028."),
    ("Skjoldsparken", "skjoldsparken", "Nyt område i 2024–2028."),
    ("Stadionvej", "stadionvej", "Nyt område i 2024–2028."),
    (
        "Skt. Klemensparken",
        "skt-klemensparken",
        "Med i helhedsplanen 2017–2021, ikke i 2024–2028.",
    ),
]

ORGANISATIONS = [
    ("BoligSocialt Hus", "boligsocialt_hus"),
    ("Odense Kommune, Børn- og Ungeforvaltningen", "municipality"),
    ("Odense Kommune, Beskæftigelses- og Socialforvaltningen", "municipality"),
    ("Odense Kommune, Sundhedsforvaltningen", "municipality"),
    ("Fyns Politi", "police"),
    ("SSP Odense", "ssp"),
    ("Landsbyggefonden", "other"),
    ("Det Kriminalpræventive Råd", "civil_society"),
    ("TrygFonden", "civil_society"),
]


def load(apps, schema_editor):
    Area = apps.get_model("boligsocial", "Area")
    Organisation = apps.get_model("boligsocial", "Organisation")
    for name, slug, description in AREAS:
        Area.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for name, kind in ORGANISATIONS:
        Organisation.objects.update_or_create(name=name, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("boligsocial", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
