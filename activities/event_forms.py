"""Forms of the calendar: planning an event, and choosing what the calendar shows."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boligsocial.editing import GuardedModelForm
from boligsocial.forms import DateInput, plausible_date
from boligsocial.models import Area, Organisation

from .forms import ActivityChoiceField, TimeInput
from .models import Activity, PlannedEvent


class PlannedEventForm(GuardedModelForm):
    activity = ActivityChoiceField(
        queryset=Activity.objects.none(), label=_("Aktivitet")
    )

    class Meta:
        model = PlannedEvent
        fields = [
            "title",
            "activity",
            "date",
            "start_time",
            "end_time",
            "place",
            "area",
            "organiser",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Ended activities are not planned any more; an event keeps the activity it
        # has, so editing it does not fail once that activity has ended.
        self.fields["activity"].queryset = Activity.objects.in_plan_order().filter(
            ~Q(status=Activity.Status.ENDED) | Q(pk=self.instance.activity_id)
        )
        # A partner plans in the areas it is granted (any other is not a choice),
        # for its own organisation: the field shows it and takes no other value.
        self.fields["area"].queryset = Area.objects.visible_to(user)
        organiser = self.fields["organiser"]
        organiser.queryset = Organisation.objects.all()
        if user.is_partner:
            organiser.queryset = Organisation.objects.filter(pk=user.organisation_id)
            organiser.disabled = True
            organiser.initial = user.organisation_id

    def clean_date(self):
        date = self.cleaned_data["date"]
        # A new event, or one moved to another day, is planned ahead; an event
        # that has already taken place can still be corrected on its own day.
        if "date" in self.changed_data and date < timezone.localdate():
            raise forms.ValidationError(
                _("En planlagt aktivitet kan ikke ligge i fortiden.")
            )
        return date


class CalendarFilterForm(forms.Form):
    """What the calendar shows; a value that is not valid is left out, with a note."""

    area = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        to_field_name="slug",
        required=False,
        label=_("Område"),
        empty_label=_("Alle områder"),
        error_messages={
            "invalid_choice": _("Området kendes ikke. Kalenderen viser alle områder.")
        },
    )
    activity = ActivityChoiceField(
        queryset=Activity.objects.in_plan_order(),
        required=False,
        label=_("Aktivitet"),
        empty_label=_("Alle aktiviteter"),
        error_messages={
            "invalid_choice": _(
                "Aktiviteten kendes ikke. Kalenderen viser alle aktiviteter."
            )
        },
    )
    start = forms.DateField(
        required=False,
        label=_("Fra"),
        widget=DateInput(),
        validators=[plausible_date],
        error_messages={
            "invalid": _("Datoen kendes ikke. Kalenderen viser fra i dag.")
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A partner chooses among its own areas; any other slug is not known to it.
        self.fields["area"].queryset = Area.objects.visible_to(user)
