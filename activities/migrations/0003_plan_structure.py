"""The real structure of both helhedsplaner, as the sources name it.

Names of plans, focus areas, activities and areas come from the sources; the
descriptions are written in our own words. Indicators are the portal's proposal
for what each activity counts; coordinators adjust them in the admin. Targets
(måltal) are typed by coordinators and are not loaded here.
"""

import datetime

from django.db import migrations

BSH = "BoligSocialt Hus"
BUF = "Odense Kommune, Børn- og Ungeforvaltningen"
BSF = "Odense Kommune, Beskæftigelses- og Socialforvaltningen"
SUF = "Odense Kommune, Sundhedsforvaltningen"
POLICE = "Fyns Politi"
SSP = "SSP Odense"

AREAS_2024 = [
    "vollsmose",
    "rising",
    "korslokkeparken",
    "ejerslykke",
    "hojemarksvej-kvarteret",
    "skjoldsparken",
    "stadionvej",
]
# The 2017–2021 crime-prevention forum spanned these four; the sources name no others.
AREAS_2017 = ["korslokkeparken", "ejerslykke", "rising", "skt-klemensparken"]


def activity(name, purpose, target_group, *, indicators, areas=None, responsible=BSH,
             partners=(), status="ongoing"):
    return {
        "name": name,
        "purpose": purpose,
        "target_group": target_group,
        "indicators": indicators,
        "areas": areas,
        "responsible": responsible,
        "partners": partners,
        "status": status,
    }


PLANS = [
    {
        "name": "Boligsocial helhedsplan 2024–2028",
        "start": datetime.date(2024, 1, 1),
        "end": datetime.date(2028, 12, 31),
        "areas": AREAS_2024,
        "description": (
            "22 boligafdelinger med omkring 12.000 beboere. Visionen er, at beboerne "
            "får samme muligheder og livschancer som resten af Odense."
        ),
        "focus_areas": [
            {
                "name": "Uddannelse og livschancer",
                "goals": "Børn og unge får et fagligt løft, så flere tager en uddannelse.",
                "activities": [
                    activity(
                        "Rådgivning i forælderrollen",
                        "Forældre får redskaber til at støtte børnenes trivsel, sprog, "
                        "fremmøde og skolegang.",
                        "Forældre med børn på 0–17 år",
                        indicators=[
                            ("Forældre i rådgivningsforløb", "personer"),
                            ("Rådgivningssamtaler", "samtaler"),
                        ],
                        partners=[BUF],
                    ),
                    activity(
                        "Ungerådgivning",
                        "Unge trives i skole og ungdomsuddannelse, færre falder fra, og "
                        "færre begår kriminalitet.",
                        "Unge på 13–17 år",
                        indicators=[
                            ("Unge i rådgivningsforløb", "personer"),
                            ("Unge i gang med eller fastholdt i ungdomsuddannelse",
                             "personer"),
                        ],
                        partners=[BUF],
                    ),
                    activity(
                        "Bydelsløftere for kvinder",
                        "Et kursusforløb, hvor lokale kvinder får viden om rettigheder, "
                        "ligestilling og børns skolegang og bringer den videre.",
                        "Kvindelige beboere",
                        indicators=[
                            ("Kvinder der har gennemført forløbet", "personer"),
                            ("Gennemførte forløb", "forløb"),
                        ],
                    ),
                    activity(
                        "Bydelsløftere for mænd",
                        "Et kursusforløb, der styrker positive fædre- og manderoller og "
                        "viden om trivsel, sundhed og digital risikoadfærd.",
                        "Mandlige beboere",
                        indicators=[
                            ("Mænd der har gennemført forløbet", "personer"),
                            ("Gennemførte forløb", "forløb"),
                        ],
                    ),
                    activity(
                        "Fremskudt kommunal trivsels- og forebyggelsesindsats",
                        "Kommunale medarbejdere er ekstra til stede i områderne for "
                        "børn og unges trivsel.",
                        "Børn og unge og deres familier",
                        indicators=[
                            ("Børn og unge i kontakt med indsatsen", "personer"),
                        ],
                        responsible=BUF,
                        partners=[SUF, BSH],
                    ),
                ],
            },
            {
                "name": "Beskæftigelse",
                "goals": (
                    "Flere beboere bliver tilknyttet arbejdsmarkedet.\n"
                    "Gennemsnitsindkomsten i områderne stiger."
                ),
                "activities": [
                    activity(
                        "Uddannelses- og beskæftigelsesmentorforløb for aktivitetsparate",
                        "Længere forløb mod konkrete mål, aftalt med beboerens "
                        "jobrådgiver.",
                        "Aktivitetsparate beboere",
                        indicators=[
                            ("Beboere i mentorforløb", "personer"),
                            ("Beboere der er startet i uddannelse eller job", "personer"),
                        ],
                        partners=[BSF],
                    ),
                    activity(
                        "Uddannelses- og beskæftigelsesmentorforløb for jobparate",
                        "Længere forløb mod konkrete mål, aftalt med beboerens "
                        "jobrådgiver.",
                        "Jobparate beboere",
                        indicators=[
                            ("Beboere i mentorforløb", "personer"),
                            ("Beboere der er startet i uddannelse eller job", "personer"),
                        ],
                        partners=[BSF],
                    ),
                    activity(
                        "Beskæftigelsesrådgivning",
                        "Kort hjælp til konkrete forhindringer på vejen mod "
                        "arbejdsmarkedet.",
                        "Beboere i den erhvervsaktive alder",
                        indicators=[
                            ("Rådgivningsforløb", "forløb"),
                            ("Beboere der er startet i uddannelse eller job", "personer"),
                        ],
                    ),
                    activity(
                        "Fremskudt kommunal uddannelses- og beskæftigelsesindsats",
                        "Kommunale uddannelsesrådgivere er til stede i områderne med en "
                        "særlig indsats for målgruppen.",
                        "Beboere uden job eller uddannelse",
                        indicators=[
                            ("Beboere i kontakt med de fremskudte rådgivere", "personer"),
                        ],
                        responsible=BSF,
                        partners=[BSH],
                    ),
                ],
            },
            {
                "name": "Kriminalitetsforebyggelse",
                "goals": (
                    "Børn og unge støttes i et liv uden kriminalitet.\n"
                    "Områderne opleves som trygge."
                ),
                "activities": [
                    activity(
                        "Fritidsjobrådgivning",
                        "Unge, der ikke selv kan finde et fritidsjob, får hjælp i grupper "
                        "og individuelt og ser sammenhængen mellem skole, uddannelse og "
                        "job.",
                        "Unge uden forudsætninger for selv at finde fritidsjob",
                        indicators=[
                            ("Unge i fritidsjobrådgivning", "personer"),
                            ("Unge der har fået et fritidsjob", "personer"),
                        ],
                    ),
                    activity(
                        "Kriminalitetsforebyggelse i netværk",
                        "Kommune, Fyns Politi og civilsamfund arbejder ud fra et fælles "
                        "mål om trygge områder; tryghedsrådgiveren koordinerer.",
                        "Børn, unge og beboere i områderne",
                        indicators=[
                            ("Netværksmøder", "møder"),
                            ("Tryghedsvandringer", "vandringer"),
                        ],
                        partners=[POLICE, SSP, BUF, BSF],
                    ),
                ],
            },
            {
                "name": "Sammenhængskraft og medborgerskab",
                "goals": "Flere beboere bliver en del af fællesskabet og deltager aktivt "
                "i samfundet.",
                "activities": [
                    activity(
                        "Medborgerskab og frivillighed",
                        "Åbne fællesskaber på tværs af afdelinger og bro til foreninger "
                        "i hele Odense; med et særligt ungefællesskab i Vollsmose.",
                        "Alle beboere, særligt de ikke-foreningsvante",
                        indicators=[
                            ("Deltagere i fællesskaber", "personer"),
                            ("Aktive frivillige", "personer"),
                        ],
                    ),
                    activity(
                        "Fælles om bæredygtighed",
                        "Byhaver og beboerdrevne aktiviteter om social og miljømæssig "
                        "bæredygtighed.",
                        "Alle beboere",
                        indicators=[
                            ("Beboerdrevne aktiviteter", "aktiviteter"),
                            ("Deltagere", "personer"),
                        ],
                    ),
                ],
            },
            {
                "name": "Boligsocial beredskabsplan",
                "kind": "cross_cutting",
                "goals": (
                    "Samarbejdspartnere orienteres på forhånd om situationer, der kræver "
                    "fælles opmærksomhed.\n"
                    "Beboere, institutioner og presse får korrekt og rettidig "
                    "information.\n"
                    "Lokale civile netværk aktiveres og hjælper med at skabe ro."
                ),
                "activities": [
                    activity(
                        "Boligsocial beredskabsplan",
                        "En sammenhængende og koordineret indsats ved lokale kriser.",
                        "Beboere, institutioner og samarbejdspartnere",
                        indicators=[("Hændelser håndteret efter planen", "hændelser")],
                        partners=[POLICE, SSP, BUF],
                    ),
                ],
            },
        ],
    },
    {
        "name": "Boligsocial helhedsplan 2017–2021",
        "start": datetime.date(2017, 1, 1),
        "end": datetime.date(2021, 12, 31),
        "areas": AREAS_2017,
        "description": (
            "Den forrige helhedsplan. Kilderne nævner indsatsområdet Tryghed og trivsel "
            "og den kriminalpræventive indsats; en del af arbejdet fortsætter."
        ),
        "focus_areas": [
            {
                "name": "Tryghed og trivsel",
                "goals": (
                    "Færre fogedudsættelser.\n"
                    "Lavere fraflytning fra boligområderne.\n"
                    "Mindre kriminalitet, bl.a. ved at udsatte familier får overblik "
                    "over deres økonomi.\n"
                    "Bedre trivsel i boligområderne.\n"
                    "Flere børn og unge med et aktivt skole- og fritidsliv."
                ),
                "activities": [
                    activity(
                        "Økonomisk rådgivning og forebyggelse af fogedudsættelser",
                        "Uafhængig rådgivning, oftest i beboerens hjem, der giver "
                        "overblik over økonomien, forebygger udsættelser og henviser "
                        "videre til specialiseret hjælp.",
                        "Beboere i boligorganisationernes afdelinger",
                        indicators=[
                            ("Husstande der har fået rådgivning", "husstande"),
                            ("Fogedudsættelser afværget", "sager"),
                        ],
                    ),
                    activity(
                        "Udsættelsesnetværket",
                        "Boligorganisationer og kommune mødes 1–2 gange om året om "
                        "udsættelser, rykkerskrivelser og nye forebyggende tiltag.",
                        "Boligorganisationer og Odense Kommune",
                        indicators=[("Netværksmøder", "møder")],
                        partners=[BSF],
                    ),
                    activity(
                        "Gadeplansarbejde",
                        "Opsøgende og familieinddragende relationsarbejde med en afgrænset "
                        "gruppe unge, der skaber utryghed.",
                        "Ungegrupper, primært i Rising",
                        indicators=[("Unge i kontakt", "personer")],
                        areas=["rising"],
                        partners=[SSP, POLICE],
                        status="ended",
                    ),
                    activity(
                        "Aktiviteter til styrkelse af naboskab",
                        "Netværksskabende aktiviteter og to årlige arrangementer, sommer "
                        "og vinter, der bygger bro mellem beboergrupper.",
                        "Beboere i Rising og Skt. Klemensparken",
                        indicators=[
                            ("Arrangementer", "arrangementer"),
                            ("Deltagere", "personer"),
                        ],
                        areas=["rising", "skt-klemensparken"],
                        status="ended",
                    ),
                ],
            },
            {
                "name": "Kriminalpræventiv indsats",
                "kind": "cross_cutting",
                "goals": (
                    "Kriminalpræventive udfordringer løses lokalt og på tværs af "
                    "områderne.\n"
                    "Civilsamfundet aktiveres systematisk, når der sker hændelser.\n"
                    "Færre parallelle indsatser gennem et forpligtende forum."
                ),
                "activities": [
                    activity(
                        "Kriminalitetsforebyggelse i netværk",
                        "Et forpligtende boligsocialt forum på tværs af områderne med "
                        "hovedfokus på Rising og Korsløkkeparken.",
                        "Samarbejdspartnere og beboere",
                        indicators=[("Forummøder", "møder")],
                        partners=[POLICE, SSP, BUF, BSF],
                        status="ended",
                    ),
                    activity(
                        "Nabohjælp",
                        "Beboerne tilskyndes til at tilmelde sig Det Kriminalpræventive "
                        "Råds og TrygFondens Nabohjælp og tage aktivt del.",
                        "Alle beboere",
                        indicators=[("Aktive tilmeldinger", "tilmeldinger")],
                        partners=["Det Kriminalpræventive Råd", "TrygFonden"],
                    ),
                    activity(
                        "Direkte i Job",
                        "Unge kommer direkte i arbejde i byggefagene med støtte og "
                        "efterværn, i stedet for først at gå i aktivering.",
                        "Unge uden fast tilknytning til arbejdsmarkedet",
                        indicators=[
                            ("Unge i job i byggefagene", "personer"),
                            ("Unge fastholdt i job eller uddannelse", "personer"),
                        ],
                        status="ended",
                    ),
                    activity(
                        "Tryghedsvandringer",
                        "En ugentlig gåtur med beboere, BoligSocialt Hus og Fyns Politis "
                        "Civile Forebyggere med fokus på den oplevede tryghed.",
                        "Beboere i Korsløkkeparken og andre interesserede",
                        indicators=[
                            ("Vandringer", "vandringer"),
                            ("Registrerede fund", "fund"),
                        ],
                        areas=["korslokkeparken"],
                        partners=[POLICE],
                    ),
                ],
            },
        ],
    },
]


def load(apps, schema_editor):
    Area = apps.get_model("boligsocial", "Area")
    Organisation = apps.get_model("boligsocial", "Organisation")
    PlanPeriod = apps.get_model("activities", "PlanPeriod")
    FocusArea = apps.get_model("activities", "FocusArea")
    Activity = apps.get_model("activities", "Activity")
    Indicator = apps.get_model("activities", "Indicator")
    organisations = {o.name: o for o in Organisation.objects.all()}
    areas = {a.slug: a for a in Area.objects.all()}

    for plan_data in PLANS:
        plan, _ = PlanPeriod.objects.update_or_create(
            name=plan_data["name"],
            defaults={
                "start": plan_data["start"],
                "end": plan_data["end"],
                "description": plan_data["description"],
            },
        )
        plan.areas.set([areas[slug] for slug in plan_data["areas"]])
        for fa_order, fa_data in enumerate(plan_data["focus_areas"], start=1):
            focus_area, _ = FocusArea.objects.update_or_create(
                plan_period=plan,
                name=fa_data["name"],
                defaults={
                    "kind": fa_data.get("kind", "focus_area"),
                    "goals": fa_data["goals"],
                    "order": fa_order,
                },
            )
            for order, data in enumerate(fa_data["activities"], start=1):
                act, _ = Activity.objects.update_or_create(
                    focus_area=focus_area,
                    name=data["name"],
                    defaults={
                        "purpose": data["purpose"],
                        "target_group": data["target_group"],
                        "responsible": organisations[data["responsible"]],
                        "status": data["status"],
                        "order": order,
                    },
                )
                act.areas.set([areas[s] for s in data["areas"] or plan_data["areas"]])
                act.partners.set([organisations[name] for name in data["partners"]])
                for i_order, (name, unit) in enumerate(data["indicators"], start=1):
                    Indicator.objects.update_or_create(
                        activity=act, name=name, defaults={"unit": unit, "order": i_order}
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_initial"),
        ("boligsocial", "0002_areas_and_organisations"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
