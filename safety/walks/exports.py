"""Walks and findings as CSV or Excel (boligsocial.exports), each under its list's
filter: a partner exports exactly the findings routed to its organisation, and
the walks of its areas, as its lists show them."""

from types import SimpleNamespace

import tablib
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boligsocial.exports import ListExport, register
from boligsocial.models import Organisation

from .access import require_findings_reader
from .filters import FindingFilter, WalkFilter
from .models import Finding, Walk


def walk_rows(user, data) -> WalkFilter:
    walks = Walk.objects.visible_to(user).for_list()
    return WalkFilter(data, queryset=walks, request=SimpleNamespace(user=user))


def walks_dataset(walks) -> tablib.Dataset:
    """walks: for_list() rows (area, the number of findings)."""
    headers = [
        _("Tidspunkt"),
        _("Område"),
        _("Status"),
        _("Rute"),
        _("Deltagende organisationer"),
        _("Beboere med på turen"),
        _("Fund"),
        _("Noter"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Tryghedsvandringer"))
    named = Organisation.objects.order_by("name").only("name")
    walks = walks.prefetch_related(Prefetch("organisations", queryset=named))
    for w in walks:
        data.append(
            [
                timezone.localtime(w.starts_at),
                w.area.name,
                w.get_status_display(),
                w.route,
                ", ".join(o.name for o in w.organisations.all()),
                w.residents,
                w.finding_count,
                w.notes,
            ]
        )
    return data


WALKS = register(
    ListExport(
        name="safety.walks",
        title=gettext_lazy("Tryghedsvandringer"),
        filename="tryghedsvandringer",
        back="safety:walk_list",
        allowed=lambda user: None,  # shared: a partner sees its areas' walks
        filtered=walk_rows,
        dataset=walks_dataset,
    )
)


def finding_rows(user, data) -> FindingFilter:
    """The list's rows: keepers every finding, a partner those routed to its
    organisation (Finding.objects.visible_to)."""
    return FindingFilter(data, queryset=Finding.objects.visible_to(user).for_list())


def findings_dataset(findings) -> tablib.Dataset:
    """findings: for_list() rows (area, category, responsible)."""
    headers = [
        _("Nummer"),
        _("Fundet"),
        _("Område"),
        _("Kategori"),
        _("Sted"),
        _("Beskrivelse"),
        _("Alvor"),
        _("Ansvarlig"),
        _("Status"),
        _("Frist"),
        _("Udbedret"),
        _("Breddegrad"),
        _("Længdegrad"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Fund"))
    for f in findings:
        data.append(
            [
                f.pk,
                timezone.localtime(f.found_at),
                f.area.name,
                f.category.name,
                f.place,
                f.description,
                f.get_severity_display(),
                f.responsible.name,
                f.get_status_display(),
                f.due_date,
                timezone.localtime(f.fixed_at) if f.fixed_at else None,
                float(f.latitude) if f.latitude is not None else None,
                float(f.longitude) if f.longitude is not None else None,
            ]
        )
    return data


FINDINGS = register(
    ListExport(
        name="safety.findings",
        title=gettext_lazy("Fund"),
        filename="fund",
        back="safety:finding_map",
        allowed=require_findings_reader,
        filtered=finding_rows,
        dataset=findings_dataset,
    )
)
