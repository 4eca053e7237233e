"""The gains' first unit values: the figures of KL's catalogue "Gevinster ved
boligsociale indsatser" (2016) that fit a count the portal keeps, marked as
examples for the coordinators to review and not in use: nothing reaches a page
or a report until a coordinator has judged it and put it in use. Where the
indicators they multiply are not there (a plan renamed in the admin), the
example is left out.

Left out on purpose: the catalogue's 2.8 kr back per krone in Bydelsmødre (it
multiplies kroner spent, which the portal does not keep), and the evictions it
names without an amount."""

from django.db import migrations
from django.utils import timezone

PLAN = "Boligsocial helhedsplan 2024–2028"
KL = {
    "source_title": "Gevinster ved boligsociale indsatser. Et inspirationskatalog "
    "til kommunernes arbejde i udsatte by- og boligområder",
    "source_publisher": "KL",
    "source_year": 2016,
    "source_page": "5",
}
EXAMPLES = [
    {
        "name": "Ung fra kanten af samfundet til et almindeligt liv",
        "description": (
            "Langsigtet gevinst for samfundet, hver gang en ung flyttes fra kanten af "
            "samfundet til et mere normalt liv: CBS' beregning med Skandia-modellen, "
            "som KL's katalog gengiver. Prisåret er katalogets; CBS' eget "
            "står ikke i kataloget. Gennemgå, om det opnåede på indikatoren svarer "
            "til det, beregningen forudsætter."
        ),
        "low": 15_000_000,
        "high": 15_000_000,
        "price_year": 2016,
        "indicators": [
            ("Ungerådgivning", "Unge i gang med eller fastholdt i ungdomsuddannelse"),
        ],
        "order": 10,
    },
    {
        "name": "Beboer fra offentlig forsørgelse til uddannelse eller job",
        "description": (
            "Et års offentlig forsørgelse: en borger i de udsatte boligområder kostede "
            "i 2014 kommunen 65.000 kr. om året mod 29.000 kr. i hele landet (KL's egne "
            "beregninger). Det lave skøn er forskellen (36.000 kr.), det høje hele "
            "beløbet. Gennemgå, om de, der starter, kom fra offentlig forsørgelse."
        ),
        "low": 36_000,
        "high": 65_000,
        "price_year": 2014,
        "indicators": [
            (
                "Uddannelses- og beskæftigelsesmentorforløb for aktivitetsparate",
                "Beboere der er startet i uddannelse eller job",
            ),
            (
                "Uddannelses- og beskæftigelsesmentorforløb for jobparate",
                "Beboere der er startet i uddannelse eller job",
            ),
            ("Beskæftigelsesrådgivning", "Beboere der er startet i uddannelse eller job"),
        ],
        "order": 20,
    },
]


def add_examples(apps, schema_editor):
    UnitValue = apps.get_model("reports", "UnitValue")
    UnitValueVersion = apps.get_model("reports", "UnitValueVersion")
    Indicator = apps.get_model("activities", "Indicator")
    now = timezone.now()
    for example in EXAMPLES:
        example = dict(example)
        wanted = example.pop("indicators")
        indicators = [
            Indicator.objects.filter(
                activity__focus_area__plan_period__name=PLAN,
                activity__name=activity,
                name=name,
            ).first()
            for activity, name in wanted
        ]
        if None in indicators or UnitValue.objects.filter(name=example["name"]).exists():
            continue
        value = UnitValue.objects.create(
            **example,
            **KL,
            basis="indicator",
            needs_review=True,
            is_active=False,
            changed_at=now,
        )
        value.indicators.set(indicators)
        counted = ", ".join(f"{i.activity.name}: {i.name}" for i in indicators)
        UnitValueVersion.objects.create(
            unit_value=value,
            revision=1,
            changed_at=now,
            low=value.low,
            high=value.high,
            price_year=value.price_year,
            counted=f"Opnået på {counted}",
            source=f"{KL['source_title']}, KL 2016, s. 5",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_unit_values"),
        ("activities", "0003_plan_structure"),
    ]

    operations = [migrations.RunPython(add_examples, migrations.RunPython.noop)]
