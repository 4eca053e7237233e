"""The door for areas: fetch and authorise in one call."""

from django.shortcuts import get_object_or_404

from .models import Area, Notification


def get_area_for_user(user, slug: str) -> Area:
    """An area the user may see; 404 for one they may not (its existence is hidden)."""
    return get_object_or_404(Area.objects.visible_to(user), slug=slug)


def get_notification_for_user(user, pk: int) -> Notification:
    """One of the person's own notifications; anyone else's is not found."""
    return get_object_or_404(Notification.objects.for_user(user), pk=pk)
