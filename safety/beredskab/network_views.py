"""The crime-prevention network (Kriminalitetsforebyggelse i netværk): its
meetings, and the follow-up tasks its members took on, so the network's
commitments are tracked.

BoligSocialt Hus's incident roles read every meeting; the tryghedsrådgivere and
coordinators keep them. A partner reads the meetings its organisation took part
in, and marks its own organisation's tasks done."""

from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import already_saved, save_guarded
from boligsocial.exports import list_download
from boligsocial.lists import ListPaginator, page_of, render_htmx
from boligsocial.models import Notification, User
from boligsocial.notices import notify

from . import exports
from .access import (
    beredskab_links,
    get_meeting_for_user,
    get_task_for_user,
    require_beredskab_lead,
    require_network_reader,
)
from .models import FollowUpTask, NetworkMeeting
from .network_forms import MeetingForm, TaskForm

PAGE_SIZE = 25


class TaskRow(NamedTuple):
    task: FollowUpTask
    can_mark: bool
    is_overdue: bool


def _task_rows(tasks, user) -> list[TaskRow]:
    today = timezone.localdate()
    return [
        TaskRow(task, task.can_be_done_by(user), task.is_overdue(today))
        for task in tasks
    ]


# --- Meetings ----------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request):
    require_network_reader(request.user)
    meetings = NetworkMeeting.objects.visible_to(request.user).for_list()
    context = {
        "page": ListPaginator(meetings, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_keep": request.user.can_lead_beredskab,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/meeting_list.html", context)


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    form = TaskForm(meeting=meeting) if request.user.can_lead_beredskab else None
    return _render_detail(request, meeting, form)


def _render_detail(request, meeting: NetworkMeeting, task_form: TaskForm | None):
    user = request.user
    # The meeting's organisations and areas, each read once for the page.
    prefetch_related_objects([meeting], "organisations", "areas")
    tasks = FollowUpTask.objects.filter(meeting=meeting).for_list()
    context = {
        "meeting": meeting,
        "rows": _task_rows(tasks, user),
        "task_form": task_form,
        "can_keep": user.can_lead_beredskab,
        "links": beredskab_links(user),
    }
    return render(request, "safety/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    require_beredskab_lead(request.user)
    return _meeting_form(request, NetworkMeeting(created_by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    return _meeting_form(request, get_meeting_for_user(request.user, pk, write=True))


def _meeting_form(request, meeting: NetworkMeeting):
    if request.method == "POST":
        token = request.POST.get("submission")
        if not meeting.pk and (earlier := NetworkMeeting.from_submission(token)):
            return already_saved(request, earlier)
        form = MeetingForm(request.POST, instance=meeting)
        # The meeting and who took part (who may read it) are saved together.
        if form.is_valid() and (saved := save_guarded(form)):
            messages.success(request, _("Mødet er gemt."))
            return redirect(saved)
    else:
        initial = {} if meeting.pk else {"held_on": timezone.localdate()}
        form = MeetingForm(instance=meeting, initial=initial)
    context = {
        "form": form,
        "meeting": meeting,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/meeting_form.html", context)


# --- Follow-up tasks ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request, pk):
    """Posted from the meeting's page, where an invalid form comes back with its
    errors; a page of its own for GET."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    if request.method == "POST":
        if earlier := FollowUpTask.from_submission(request.POST.get("submission")):
            return already_saved(request, earlier)
        form = TaskForm(request.POST, meeting=meeting)
        if form.is_valid() and (task := save_guarded(form, lambda: _save_task(form))):
            messages.success(request, _("Opfølgningsopgaven er gemt."))
            return redirect(task)
        return _render_detail(request, meeting, form)
    context = {
        "form": TaskForm(meeting=meeting),
        "meeting": meeting,
        "task": None,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/task_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    task = get_task_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = TaskForm(request.POST, instance=task, meeting=task.meeting)
        owner = task.owner_id
        if form.is_valid() and save_guarded(form, lambda: _save_task(form, owner)):
            messages.success(request, _("Opfølgningsopgaven er gemt."))
            return redirect(task)
    else:
        form = TaskForm(instance=task, meeting=task.meeting)
    context = {
        "form": form,
        "meeting": task.meeting,
        "task": task,
        "links": beredskab_links(request.user),
    }
    return render(request, "safety/task_form.html", context)


def _save_task(form: TaskForm, owner_id: int | None = None) -> FollowUpTask:
    """Save the task; tell a new owner's partners it is theirs."""
    task = form.save()
    if task.owner_id != owner_id:
        notify(
            Notification.Kind.TASK_ASSIGNED,
            about=task,
            users=User.objects.partners_of(task.owner_id),
            text=f"{task.description} ({task.due_on:%d.%m.%Y})",
        )
    return task


@login_required
@require_POST
def task_done(request, pk):
    task = get_task_for_user(request.user, pk, mark=True)
    if not task.is_done:
        task.mark_done(by=request.user)
    messages.success(
        request, _("»%(task)s« er markeret udført.") % {"task": task.description}
    )
    return _back(request, task)


@login_required
@require_POST
def task_reopen(request, pk):
    task = get_task_for_user(request.user, pk, mark=True)
    if task.is_done:
        task.reopen()
    messages.success(
        request, _("»%(task)s« er åben igen.") % {"task": task.description}
    )
    return _back(request, task)


def _back(request, task: FollowUpTask):
    """Back to the list the button was pressed on, or to the task on its meeting."""
    back = request.POST.get("next", "")
    # A path of ours only: redirect() reads a bare word ("0") as a URL name.
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(task)


@login_required
@require_GET
def task_list(request):
    """The network's open commitments across its meetings, the nearest due first;
    a partner's own organisation's tasks before the rest."""
    user = request.user
    require_network_reader(user)
    task_filter = exports.task_rows(user, request.GET)
    page, query = page_of(request, task_filter.qs, PAGE_SIZE)
    context = {
        "filter": task_filter,
        "page": page,
        "rows": _task_rows(page, user),
        "query": query,
        "here": request.get_full_path(),
        "links": beredskab_links(user),
    }
    return render_htmx(request, "safety/task_list.html", context)


@login_required
@require_GET
def task_export(request, fmt):
    return list_download(request, fmt, exports.TASKS)


@login_required
@require_GET
def meeting_export(request, fmt):
    return list_download(request, fmt, exports.MEETINGS)
