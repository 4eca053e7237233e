"""People in the portal: coordinators and the admin role invite, change,
deactivate and reactivate them; an invited person chooses a password (and sets up
two-factor) through their link. The rules are in boligsocial/people.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import people
from .access import get_person_for_user, require_people_manager
from .editing import StaleEdit, save_guarded, stale_action_message
from .lists import page_of, render_htmx
from .models import Invitation, User
from .people_forms import ConfirmForm, PersonFilter, PersonForm
from .two_factor import ENROL_SESSION_KEY

PAGE_SIZE = 50
HISTORY_SIZE = 50


@login_required
@require_GET
def person_list(request):
    require_people_manager(request.user)
    people_filter = PersonFilter(
        request.GET,
        queryset=User.objects.for_people_list().order_by(
            "first_name", "last_name", "pk"
        ),
    )
    page, query = page_of(request, people_filter.qs, PAGE_SIZE)
    context = {"filter": people_filter, "page": page, "query": query}
    return render_htmx(request, "boligsocial/people/person_list.html", context)


@login_required
@require_GET
def person_detail(request, pk):
    person = get_person_for_user(request.user, pk)
    changes = person.changes.select_related("by")[:HISTORY_SIZE]
    context = {
        "person": person,
        "changes": changes,
        "may_change": request.user.may_change_person(person),
        "is_self": person.pk == request.user.pk,
        "invitation": (
            Invitation.objects.waiting().filter(person=person).order_by("-pk").first()
        ),
    }
    return render(request, "boligsocial/people/person_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_invite(request):
    require_people_manager(request.user)
    form = PersonForm(request.POST or None, by=request.user)
    if form.is_valid():
        person = form.save(commit=False)
        try:
            people.invite(request, person, form.cleaned_data["areas"])
        except IntegrityError:
            # The same e-mail invited by a colleague at the same moment.
            form.add_error("email", _("Der er allerede en person med denne e-mail."))
        else:
            messages.success(
                request,
                _("%(name)s er inviteret. Linket i e-mailen virker i %(hours)d timer.")
                % {"name": person.get_full_name(), "hours": _invitation_hours()},
            )
            return redirect("person_detail", person.pk)
    return render(request, "boligsocial/people/person_form.html", {"form": form})


def _invitation_hours() -> int:
    return int(settings.INVITATION_LIFETIME.total_seconds() // 3600)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    before = people.snapshot(person)
    form = PersonForm(request.POST or None, instance=person, by=request.user)
    if form.is_valid() and save_guarded(
        form, lambda: people.save_changes(request, form, before)
    ):
        messages.success(request, _("Ændringerne er gemt."))
        return redirect("person_detail", person.pk)
    context = {"form": form, "person": person}
    return render(request, "boligsocial/people/person_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    if person.pk == request.user.pk:
        messages.error(request, _("Du kan ikke deaktivere dig selv."))
        return redirect("person_detail", person.pk)
    return _confirmed(
        request,
        person,
        act=lambda version: people.deactivate(person, request.user, version=version),
        title=_("Deaktivér %(name)s?"),
        done=_("%(name)s er deaktiveret og er logget ud overalt."),
        button=_("Deaktivér"),
        explanation=_(
            "Personen kan ikke længere logge ind og bliver logget ud på alle enheder "
            "med det samme. Det, personen har registreret, beholder personens navn. "
            "Du kan genaktivere personen senere."
        ),
    )


@login_required
@require_POST
def person_reactivate(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        people.reactivate(request, person, version=form.cleaned_data["version"])
    except StaleEdit:
        messages.error(request, stale_action_message())
    else:
        messages.success(request, _("%(name)s er aktiv igen.") % _names(person))
    return redirect("person_detail", person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def person_reset_app(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    return _confirmed(
        request,
        person,
        act=lambda version: people.reset_app(request, person),
        title=_("Nulstil totrinsbekræftelse for %(name)s?"),
        done=_(
            "%(name)s' app og reservekoder er slettet. Et link til at sætte en ny app "
            "op er sendt til personens e-mail."
        ),
        button=_("Nulstil"),
        explanation=_(
            "Til en mistet eller ny telefon. Appen og reservekoderne holder op med at "
            "virke, personen logges ud, og der sendes et link til personens e-mail, "
            "som er den eneste vej til at sætte en ny app op."
        ),
    )


@login_required
@require_POST
def person_invitation_resend(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    if person.was_deactivated or (
        not person.is_active and person.has_usable_password()
    ):
        messages.error(request, _("Genaktivér personen først."))
    else:
        people.resend_invitation(request, person)
        messages.success(
            request, _("Et nyt link er sendt; det gamle virker ikke længere.")
        )
    return redirect("person_detail", person.pk)


@login_required
@require_POST
def person_invitation_revoke(request, pk):
    person = get_person_for_user(request.user, pk, write=True)
    if people.revoke_invitations(person, request.user):
        messages.success(request, _("Linket er trukket tilbage og virker ikke mere."))
    else:
        messages.info(request, _("Der var intet link, der stadig virkede."))
    return redirect("person_detail", person.pk)


def _names(person: User) -> dict:
    return {"name": person.get_full_name() or person.username}


def _confirmed(request, person, *, act, title, done, button, explanation):
    """GET: what the button will do. POST: do it, unless the person was changed
    since the page was shown."""
    posted = request.POST if request.method == "POST" else None
    form = ConfirmForm(posted, initial={"version": person.version})
    if form.is_valid():
        try:
            act(form.cleaned_data["version"])
        except StaleEdit:
            messages.error(request, stale_action_message())
        else:
            messages.success(request, done % _names(person))
        return redirect("person_detail", person.pk)
    context = {
        "form": form,
        "person": person,
        "title": title % _names(person),
        "button": button,
        "explanation": explanation,
    }
    return render(request, "boligsocial/people/person_confirm.html", context)


# --- The invited person's link --------------------------------------------------------


@ratelimit(key="ip", rate="30/m", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The link from the e-mail. Opening it changes nothing (mail scanners open
    links too); the person's own POST spends it: an invitation with the password
    they choose, a two-factor link with a button, after they logged in."""
    if getattr(request, "limited", False):
        return render(request, "registration/invitation_invalid.html", status=429)
    invitation = Invitation.find(token)
    if invitation is None or not invitation.is_waiting:
        return render(
            request,
            "registration/invitation_invalid.html",
            {"invitation": invitation},
            status=404 if invitation is None else 410,
        )
    person = invitation.person
    if invitation.kind == Invitation.Kind.APP:
        return _app_link(request, invitation, person)
    form = SetPasswordForm(person, request.POST or None)
    if form.is_valid():
        if not people.accept_invitation(invitation, form.cleaned_data["new_password1"]):
            return render(
                request,
                "registration/invitation_invalid.html",
                {"invitation": invitation},
                status=410,
            )
        login(request, person, backend="boligsocial.backends.PortalBackend")
        return _welcome(request, person)
    context = {"form": form, "person": person, "invitation": invitation}
    return render(request, "registration/invitation_accept.html", context)


def _app_link(request, invitation, person):
    """A link to set up an app: only for the person, logged in with their
    password, who presses the button."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != person.pk or not person.is_active:
        return render(
            request,
            "registration/invitation_invalid.html",
            {"invitation": invitation, "other_person": True},
            status=403,
        )
    if request.method == "POST":
        if not invitation.use():
            return render(
                request,
                "registration/invitation_invalid.html",
                {"invitation": invitation},
                status=410,
            )
        return _welcome(request, person)
    context = {"person": person, "invitation": invitation}
    return render(request, "registration/invitation_app.html", context)


def _welcome(request, person):
    """On to set up an app, where the role needs one; this session may."""
    if person.needs_two_factor:
        request.session[ENROL_SESSION_KEY] = person.pk
        return redirect("two_factor_setup")
    messages.success(request, _("Velkommen til portalen."))
    return redirect("home")


@login_required
@require_POST
def two_factor_new_link(request):
    """A person without an app, at the setup page, asks for a link by e-mail."""
    if people.send_own_app_link(request):
        messages.success(
            request,
            _("Vi har sendt et link til %(email)s. Åbn det på denne enhed.")
            % {"email": request.user.email},
        )
    else:
        messages.info(
            request, _("Vi har sendt et link for nylig. Se efter det i din e-mail.")
        )
    return redirect(reverse("two_factor_setup"))
