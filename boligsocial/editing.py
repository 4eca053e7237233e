"""Forms that never lose or double a person's work.

Two people may open the same edit form; the one who saves second must not save
over the first without knowing (a lost update). And one person may send the same
new form twice: a double click, a slow phone, the back button and "send again".

- `Versioned` rows carry a version number. The edit form (or the button) carries
  the version it was shown with, and the save claims that version in one UPDATE
  (`WHERE version = shown`): when someone saved in between, nothing is written,
  and the form comes back with the person's input and a message next to it
  (`StaleEdit`, `stale_message`). Every guarded form and button claims its
  version this way, through `claim` and `save_edit` (advice cases, findings and
  their lifecycle, incidents, sign-ups, contacts, network meetings and tasks);
  an activity's grid of targets claims its own `targets_version` the same way,
  and an erasure (a withdrawal, an anonymisation) moves the version on in its
  own save, so a form opened before it is stale.
- `SubmittedOnce` rows keep the token of the form that made them (a UUID made
  when the form was shown, in a hidden field, UNIQUE in the database). The same
  form sent again finds the row the first one made; two copies sent at the same
  moment are told apart by the database, and the loser is sent to the winner's row.
"""

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.db import IntegrityError, models, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

Row = TypeVar("Row", bound=models.Model)
log = logging.getLogger(__name__)


class StaleEdit(Exception):
    """Someone else saved the row after this person opened it."""


class Versioned(models.Model):
    """A row edited through a form by more than one person."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def claim(self, version: int, **changes) -> None:
        """Write `changes` (column values) if the row is still at `version`, and
        move its version on; refuse them all (StaleEdit) when someone saved since.
        The claim is the UPDATE itself, so of two saves at the same moment
        exactly one wins."""
        model = type(self)
        claimed = model._default_manager.filter(pk=self.pk, version=version)
        if not claimed.update(version=models.F("version") + 1, **changes):
            raise StaleEdit
        self.version = version + 1

    def save_edit(self, *, version: int, fields: list[str]) -> None:
        """Save `fields` of an edit made from `version`; refuse it (StaleEdit) when
        someone saved since. Only the fields the form edits are written: what a
        button changed meanwhile (a status) is left as it is."""
        auto_now = [
            field.name
            for field in self._meta.concrete_fields
            if getattr(field, "auto_now", False)
        ]
        with transaction.atomic():
            self.claim(version)
            self.save(update_fields=[*fields, *auto_now, "version"])


class SubmittedOnce(models.Model):
    """A row made through a form that may be sent twice."""

    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def from_submission(cls, token) -> "models.Model | None":
        """The row an earlier copy of the same form made, if any (a missing or
        forged token finds nothing)."""
        try:
            token = uuid.UUID(str(token or ""))
        except ValueError:
            return None
        return cls._default_manager.filter(submission=token).first()


class VersionField(forms.CharField):
    """The hidden version an edit form was shown with. A missing or garbled one is
    version 0, which no row has: the save is refused as stale, with the message
    people can see, rather than as an error on a field they cannot see."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> int:
        value = super().to_python(value)
        return int(value) if value.isdecimal() and len(value) < 10 else 0


class GuardedModelForm(forms.ModelForm):
    """A ModelForm for a `Versioned` and/or `SubmittedOnce` model: an edit carries
    the version it was shown with, a new row the token of its form (both hidden
    fields, added here; the template renders them with the form).

    `extra_edit_fields` names the model fields the form sets by itself (from
    other fields, in clean) that an edit must save too.
    """

    extra_edit_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        if self.instance.pk is not None and issubclass(model, Versioned):
            self.fields["version"] = VersionField(initial=self.instance.version)
        if self.instance.pk is None and issubclass(model, SubmittedOnce):
            self.fields["submission"] = forms.UUIDField(
                widget=forms.HiddenInput, required=False, initial=uuid.uuid4()
            )

    def edited_fields(self) -> list[str]:
        names = {field.name for field in self._meta.model._meta.concrete_fields}
        own = names - {"version", "submission"}
        return [
            *(name for name in self.fields if name in own),
            *self.extra_edit_fields,
        ]

    def save(self, commit: bool = True):
        if "submission" in self.fields:
            self.instance.submission = self.cleaned_data.get("submission")
        editing = self.instance.pk is not None and isinstance(self.instance, Versioned)
        if not (editing and commit):
            return super().save(commit)
        instance = super().save(commit=False)
        with transaction.atomic():
            instance.save_edit(
                version=self.cleaned_data["version"], fields=self.edited_fields()
            )
            self._save_m2m()
        return instance


def stale_message() -> str:
    return _(
        "En anden har gemt ændringer, mens du havde siden åben. Dine ændringer står "
        "nedenfor og er ikke gemt. Åbn siden igen for at se den andens ændringer, "
        "og ret derefter."
    )


def stale_action_message() -> str:
    """For a button (close, reopen, confirm) pressed on a page someone changed."""
    return _(
        "En anden har ændret det, mens du havde siden åben. Se siden igen, og gør "
        "det derefter, hvis det stadig er rigtigt."
    )


def save_guarded(form: forms.BaseForm, save: Callable[[], Row] | None = None):
    """Save a valid form (or call `save`, which saves it) in one transaction.

    The row; or None when the edit was stale, with the conflict shown on the form
    (the person's input stays). A new row's form sent twice at the same moment:
    the database refuses the second token, and this gives the row the first made.
    """
    try:
        with transaction.atomic():
            return save() if save else form.save()
    except StaleEdit:
        form.add_error(None, stale_message())
        return None
    except IntegrityError:
        # Only the form of a new row has a token.
        token = form.cleaned_data.get("submission")
        if token and (earlier := form._meta.model.from_submission(token)):
            log.info(
                "A second copy of the form of %s %s was refused by its token.",
                type(earlier).__name__,
                earlier.pk,
            )
            return earlier
        raise


def already_saved(request, row: models.Model, to=None):
    """The answer to a form sent again: to what the first copy made."""
    messages.info(request, _("Formularen var allerede sendt; den er gemt én gang."))
    return redirect(to or row)
