"""The navigation: which parts of the portal each role may use, in one place."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Notification, Role

EVERYONE = frozenset(Role)
INSIDE = EVERYONE - {Role.PARTNER}


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    roles: frozenset

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAVIGATION = [
    NavItem(_("Mit arbejde"), "home", EVERYONE),
    NavItem(_("Helhedsplan"), "activities:plan_list", EVERYONE),
    NavItem(_("Registreringer"), "activities:record_list", INSIDE),
    NavItem(_("Kalender"), "activities:calendar", EVERYONE),
    NavItem(_("Nabohjælp"), "safety:nabohjaelp", EVERYONE),
    NavItem(_("Tryghedsvandringer"), "safety:walk_list", EVERYONE),
    NavItem(
        _("Beredskab"),
        "safety:incident_list",
        frozenset({Role.STAFF, Role.SAFETY_ADVISOR, Role.COORDINATOR, Role.PARTNER}),
    ),
    # The advice team works its cases; everyone else sees the figures (suppressed).
    NavItem(_("Økonomisk rådgivning"), "advice:case_list", frozenset({Role.ADVISOR})),
    NavItem(
        _("Økonomisk rådgivning"),
        "advice:advice_figures",
        EVERYONE - {Role.ADVISOR},
    ),
    NavItem(_("Tal og rapporter"), "reports:dashboard", EVERYONE),
    NavItem(_("Boligområder"), "area_list", EVERYONE),
    NavItem(_("Personer"), "person_list", frozenset({Role.COORDINATOR, Role.ADMIN})),
    NavItem(
        _("Administration"), "admin:index", frozenset({Role.COORDINATOR, Role.ADMIN})
    ),
]


def nav_for(user) -> list[NavItem]:
    if not user.is_authenticated or not user.is_active:
        return []
    if user.needs_two_factor and not user.is_verified():
        return []  # every link would lead back to the code prompt
    return [item for item in NAVIGATION if user.role in item.roles]


def context(request) -> dict:
    """Template context processor: the signed-in person's navigation."""
    user = getattr(request, "user", None)
    items = nav_for(user) if user is not None else []
    # The deepest item whose address starts the current path is the current page;
    # the front page ("/" starts every path) only on itself.
    current = max(
        (i for i in items if _leads_to(i.url, request.path)),
        key=lambda i: len(i.url),
        default=None,
    )
    return {
        "nav_items": items,
        "contact": resident_contact()
        if getattr(request, "for_residents", False)
        else None,
        "nav_current": current,
        "unread_count": unread_count(user) if items else 0,
        # Each language in its own name ("Dansk", "English"), never translated:
        # inside the portal's two, on the residents' pages all of them.
        "languages": [
            (code, name)
            for code, name in settings.LANGUAGES
            if getattr(request, "for_residents", False)
            or code in settings.PORTAL_LANGUAGES
        ],
    }


def resident_contact() -> dict:
    """How residents reach BoligSocialt Hus (settings.RESIDENT_CONTACT), with the
    phone number as a tel: link takes it."""
    contact = dict(settings.RESIDENT_CONTACT)
    contact["phone_link"] = re.sub(r"[^\d+]", "", contact["phone"])
    return contact


def _leads_to(url: str, path: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def unread_count(user) -> int:
    """The bell's count, loaded with the person (boligsocial/backends.py); a
    query of its own only for a person loaded some other way."""
    count = getattr(user, "unread_notifications", None)
    if count is None:
        count = Notification.objects.for_user(user).unread().count()
    return count
