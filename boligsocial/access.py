"""The door for areas: fetch and authorise in one call."""

from django.shortcuts import get_object_or_404

from .models import Area


def get_area_for_user(user, slug: str) -> Area:
    """An area the user may see; 404 for one they may not (its existence is hidden)."""
    return get_object_or_404(Area.objects.visible_to(user), slug=slug)
