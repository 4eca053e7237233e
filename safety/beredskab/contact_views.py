"""The beredskab's contact lists: who to call at each partner organisation when
something happens in an area, and who stands in. Read by the incident handlers
(often on a phone, in a hurry), kept by tryghedsrådgivere and coordinators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from boligsocial.editing import already_saved, save_guarded
from boligsocial.exports import list_download
from boligsocial.lists import page_of, render_htmx

from . import exports
from .access import (
    beredskab_links,
    get_contact_for_user,
    require_beredskab_lead,
    require_incident_handler,
)
from .filters import ContactFilter
from .models import Contact
from .network_forms import ContactForm

# Far more than the lists hold: in a crisis every contact is on one page; the
# pages are a safety net, not a way to read them.
PAGE_SIZE = 200


@login_required
@require_GET
def contact_list(request):
    """Contacts grouped by organisation; filtered by area, a contact of every area
    shows under each."""
    require_incident_handler(request.user)
    contact_filter = ContactFilter(request.GET, queryset=Contact.objects.for_list())
    page, query = page_of(request, contact_filter.qs, PAGE_SIZE)
    context = {
        "filter": contact_filter,
        "page": page,
        "query": query,
        "can_keep": request.user.can_lead_beredskab,
        "links": beredskab_links(request.user),
    }
    return render_htmx(request, "safety/contact_list.html", context)


@login_required
@require_GET
def contact_export(request, fmt):
    return list_download(request, fmt, exports.CONTACTS)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request):
    require_beredskab_lead(request.user)
    return _contact_form(request, Contact())


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    return _contact_form(request, get_contact_for_user(request.user, pk))


def _contact_form(request, contact: Contact):
    if request.method == "POST":
        token = request.POST.get("submission")
        if not contact.pk and (earlier := Contact.from_submission(token)):
            return already_saved(request, earlier, to="safety:contact_list")
        form = ContactForm(request.POST, instance=contact)
        if form.is_valid() and (saved := save_guarded(form)):
            messages.success(request, _("%(name)s er gemt.") % {"name": saved.name})
            return redirect("safety:contact_list")
    else:
        form = ContactForm(instance=contact)
    context = {
        "form": form,
        "contact": contact,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/contact_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request, pk):
    """Asks first; the contacts it stood in for are left without a stand-in."""
    contact = get_contact_for_user(request.user, pk)
    if request.method == "POST":
        contact.erase()
        messages.success(request, _("%(name)s er slettet.") % {"name": contact.name})
        return redirect("safety:contact_list")
    context = {
        "contact": contact,
        "stands_in_for": contact.stands_in_for.select_related("organisation"),
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/contact_delete.html", context)
