"""The door of Nabohjælp's sign-ups: fetch and authorise in one call.

Can't see it: 404 (its existence is not revealed). Can see but not change: 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import SignUp


def require_signup_keeper(user) -> None:
    """Lists, forms and exports of sign-ups name residents: staff, tryghedsrådgivere
    and coordinators only."""
    if not user.can_see_signups:
        raise PermissionDenied


def get_signup_for_user(user, pk: int, *, write: bool = False) -> SignUp:
    """A sign-up the user may see. Other roles cannot tell whether it exists.
    A withdrawn sign-up holds nobody and can no longer be changed."""
    signup = get_object_or_404(
        SignUp.objects.visible_to(user).select_related(
            "area", "department", "consent_text", "created_by", "confirmed_by"
        ),
        pk=pk,
    )
    if write and signup.status == SignUp.Status.WITHDRAWN:
        raise PermissionDenied
    return signup
