"""Activity records: log, edit, delete, list and export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boligsocial.editing import already_saved, save_guarded
from boligsocial.exports import list_download
from boligsocial.forms import whole_number
from boligsocial.lists import page_of, render_htmx

from . import exports
from .access import get_record_for_user, require_logger
from .forms import (
    INDICATOR_PREFIX,
    RecordFilter,
    RecordForm,
    loggable_activities,
    record_defaults,
)
from .models import Activity, ActivityRecord, locked_years

PAGE_SIZE = 25


def _activity_from(data) -> Activity | None:
    """The activity a form is for, from its submitted or initial value."""
    pk = whole_number(data.get("activity"))
    if pk is None:
        return None
    return loggable_activities().filter(pk=pk).first()


@login_required
@require_GET
def record_list(request):
    require_logger(request.user)
    records = ActivityRecord.objects.visible_to(request.user).for_list()
    record_filter = RecordFilter(request.GET, queryset=records)
    page, query = page_of(request, record_filter.qs, PAGE_SIZE)
    locked = locked_years({r.activity_id for r in page})
    context = {
        "filter": record_filter,
        "page": page,
        "rows": [(r, r.is_editable_by(request.user, locked=locked)) for r in page],
        "query": query,
    }
    return render(request, "activities/record_list.html", context)


@login_required
@require_GET
def record_export(request, fmt):
    return list_download(request, fmt, exports.RECORDS)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request):
    require_logger(request.user)
    return _record_form(request, ActivityRecord(created_by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk):
    record = get_record_for_user(request.user, pk, write=True)
    return _record_form(request, record)


def _record_form(request, record):
    """Create and edit share this. With htmx the form is swapped in place: a new
    record follows the saved one without a page load, and choosing another
    activity brings its indicator fields (a GET carrying what was typed)."""
    creating = record.pk is None
    if request.method == "POST":
        # The same new form sent again (a double tap) finds the record it made.
        earlier = creating and ActivityRecord.from_submission(
            request.POST.get("submission")
        )
        form = RecordForm(
            request.POST, instance=record, activity=_activity_from(request.POST)
        )
        saved = earlier or (form.is_valid() and save_guarded(form))
        if saved:
            if creating and request.htmx:
                next_initial = {
                    "activity": saved.activity_id,
                    "area": saved.area_id,
                    "date": saved.date,
                }
                form = RecordForm(initial=next_initial, activity=saved.activity)
                return _render_form(request, form, saved=saved)
            if earlier:
                return already_saved(request, earlier, to="activities:record_create")
            messages.success(request, saved_message(saved))
            if creating:
                return redirect("activities:record_create")
            return redirect("activities:record_list")
    else:
        initial = record_defaults(request.user) if creating else {}
        initial.update(_typed(request.GET))
        activity = (
            _activity_from(initial)
            if creating or "activity" in request.GET
            else record.activity
        )
        form = RecordForm(instance=record, initial=initial, activity=activity)
    return _render_form(request, form)


def _typed(query) -> dict:
    """What a person had typed, carried by a GET when the activity changed."""
    return {
        key: values if key == "partners" else values[0]
        for key, values in query.lists()
        if key in RecordForm.base_fields or key.startswith(INDICATOR_PREFIX)
    }


def saved_message(record) -> str:
    return _("Registreringen af %(activity)s den %(date)s er gemt.") % {
        "activity": record.activity,
        "date": f"{record.date:%d.%m.%Y}",
    }


def _render_form(request, form, saved=None):
    context = {
        "form": form,
        "record": form.instance,
        "creating": form.instance.pk is None,
        "saved": saved_message(saved) if saved else None,
    }
    return render_htmx(
        request, "activities/record_form.html", context, partial="record-form"
    )


@login_required
@require_POST
def record_delete(request, pk):
    record = get_record_for_user(request.user, pk, write=True)
    record.delete()
    messages.success(request, _("Registreringen er slettet."))
    return redirect("activities:record_list")
