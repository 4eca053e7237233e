"""Activity records as CSV or Excel, with the list's filter applied (tablib)."""

import tablib
from django.utils.translation import gettext as _

from .models import AGE_BANDS, GENDERS, NEW_OR_RETURNING


def records_dataset(records) -> tablib.Dataset:
    breakdowns = {**AGE_BANDS, **GENDERS, **NEW_OR_RETURNING}
    headers = [
        _("Dato"),
        _("Fra kl."),
        _("Til kl."),
        _("Helhedsplan"),
        _("Indsatsområde"),
        _("Aktivitet"),
        _("Område"),
        _("Boligafdeling"),
        _("Deltagere"),
        *[str(label) for label in breakdowns.values()],
        _("Frivillige"),
        _("Samarbejdspartnere"),
        _("Indikatorværdier"),
        _("Note"),
        _("Registreret af"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Registreringer")[:31])
    records = records.prefetch_related("partners", "values__indicator")
    for r in records:
        data.append(
            [
                r.date.isoformat(),
                r.start_time.strftime("%H:%M") if r.start_time else "",
                r.end_time.strftime("%H:%M") if r.end_time else "",
                r.activity.focus_area.plan_period.name,
                r.activity.focus_area.name,
                r.activity.name,
                r.area.name,
                str(r.department) if r.department else "",
                r.participants,
                *[getattr(r, name) for name in breakdowns],
                r.volunteers,
                ", ".join(p.name for p in r.partners.all()),
                "; ".join(f"{v.indicator.name}: {v.value}" for v in r.values.all()),
                r.note,
                r.created_by.get_full_name() or r.created_by.username,
            ]
        )
    return data
