"""The bell: a person's notifications, read and chosen how to receive."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import get_notification_for_user
from .lists import ListPaginator
from .models import Delivery, Notification, NotificationKind, NotificationPreference
from .notices import deliveries

PAGE_SIZE = 25

# What reaches a partner; the other kinds concern the people inside.
PARTNER_KINDS = [
    NotificationKind.FINDING_ROUTED,
    NotificationKind.INCIDENT_TOLD,
    NotificationKind.TASK_ASSIGNED,
    NotificationKind.EXPORT_READY,
]


def kinds_for(user) -> list[str]:
    return PARTNER_KINDS if user.is_partner else list(NotificationKind)


@login_required
@require_GET
def notification_list(request):
    notifications = Notification.objects.for_user(request.user)
    page = ListPaginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread": notifications.unread().exists()}
    return render(request, "boligsocial/notification_list.html", context)


@login_required
@require_GET
def notification_open(request, pk):
    """Follow a notification to what it is about; it is read from then on."""
    notification = get_notification_for_user(request.user, pk)
    notification.mark_read()
    # Set only by notify(), from an object's own address or a reverse().
    return redirect(notification.url)


@login_required
@require_POST
def notification_read(request, pk):
    get_notification_for_user(request.user, pk).mark_read()
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    messages.success(request, _("Alle notifikationer er markeret som læst."))
    return redirect("notification_list")


class PreferencesForm(forms.Form):
    """For each kind that concerns the person: e-mail at once, the daily digest,
    or only in the portal."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = deliveries(user)
        for kind in kinds_for(user):
            self.fields[kind] = forms.ChoiceField(
                label=NotificationKind(kind).label,
                choices=Delivery.choices,
                initial=current[kind],
                widget=forms.RadioSelect,
            )


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for kind, delivery in form.cleaned_data.items():
                NotificationPreference.objects.update_or_create(
                    user=request.user, kind=kind, defaults={"delivery": delivery}
                )
        messages.success(request, _("Dine valg er gemt."))
        return redirect("notification_list")
    return render(request, "boligsocial/notification_settings.html", {"form": form})
