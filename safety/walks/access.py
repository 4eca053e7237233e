"""The doors of Tryghedsvandringer: walks and findings, fetched and authorised
in one call.

Can't see it: 404 (its existence is not revealed). Can see but not change: 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Finding, Walk


def require_finding_keeper(user) -> None:
    """Recording walks and findings: staff, tryghedsrådgivere, coordinators."""
    if not user.can_keep_findings:
        raise PermissionDenied


def require_findings_reader(user) -> None:
    """Findings' lists, map and worklist: keepers, and partners for their own."""
    if not user.can_see_findings:
        raise PermissionDenied


def get_walk_for_user(user, pk: int, *, write: bool = False) -> Walk:
    """Walks are shared with the partners of their area; only keepers change them."""
    walk = get_object_or_404(
        Walk.objects.visible_to(user).select_related("area", "created_by"), pk=pk
    )
    if write and not user.can_keep_findings:
        raise PermissionDenied
    return walk


def get_finding_for_user(user, pk: int, *, write: bool = False) -> Finding:
    """A finding the user may see: keepers all, a partner those routed to its
    organisation (any other is not found). Keepers and the responsible partner
    may move it along its lifecycle."""
    finding = get_object_or_404(
        Finding.objects.visible_to(user).select_related(
            "area",
            "category",
            "responsible",
            "walk",
            "created_by",
            "duplicate_of",
            "resident_report",
        ),
        pk=pk,
    )
    if write and not user.can_see_findings:
        raise PermissionDenied
    return finding


# --- Beredskab ---------------------------------------------------------------------
