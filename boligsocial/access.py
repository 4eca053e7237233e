"""The door for areas: fetch and authorise in one call."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Area, Notification, User


def get_area_for_user(user, slug: str) -> Area:
    """An area the user may see; 404 for one they may not (its existence is hidden)."""
    return get_object_or_404(Area.objects.visible_to(user), slug=slug)


def get_notification_for_user(user, pk: int) -> Notification:
    """One of the person's own notifications; anyone else's is not found."""
    return get_object_or_404(Notification.objects.for_user(user), pk=pk)


def require_people_manager(user) -> None:
    """The people pages: coordinators and the admin role."""
    if not user.can_manage_people:
        raise PermissionDenied


def get_person_for_user(user, pk: int, *, write: bool = False) -> User:
    """A person, for a coordinator or the admin role; to change them, a
    coordinator must not be changing an admin (403)."""
    require_people_manager(user)
    person = get_object_or_404(User.objects.for_people_list(), pk=pk)
    if write and not user.may_change_person(person):
        raise PermissionDenied
    return person


def require_backbone_keeper(user) -> None:
    """Areas, organisations and departments: coordinators and the admin role."""
    if not user.can_keep_backbone:
        raise PermissionDenied
