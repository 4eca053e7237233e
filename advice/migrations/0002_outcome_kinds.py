"""The outcomes the advice team records, as the first version of the admin's list."""

from django.db import migrations

OUTCOMES = [
    # code, name, amount kind, amount required
    ("eviction_avoided", "Udsættelse afværget", "none", False),
    ("payment_plan", "Betalingsaftale indgået", "debt_settled", False),
    ("arrears_cleared", "Restance betalt", "debt_settled", True),
    ("debt_settled", "Gæld afviklet eller nedskrevet", "debt_settled", True),
    ("budget_made", "Budget lagt", "none", False),
    ("benefit_obtained", "Ydelse opnået", "financial_gain", True),
    ("referred_onwards", "Henvist videre", "none", False),
    ("moved_out", "Fraflyttet", "none", False),
    ("evicted", "Udsat af fogeden", "none", False),
    ("lost_contact", "Mistet kontakt", "none", False),
    ("declined", "Beboeren ønskede ikke mere hjælp", "none", False),
    ("other", "Andet", "financial_gain", False),
]


def add_outcomes(apps, schema_editor):
    OutcomeKind = apps.get_model("advice", "OutcomeKind")
    for order, (code, name, amount_kind, required) in enumerate(OUTCOMES, start=1):
        OutcomeKind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "amount_kind": amount_kind,
                "amount_required": required,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("advice", "0001_cases")]

    operations = [migrations.RunPython(add_outcomes, migrations.RunPython.noop)]
