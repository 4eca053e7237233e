"""Free text is checked for CPR numbers before it is stored."""

import pytest
from django import forms

from boligsocial.sensitive import CprCheckedForm, looks_like_cpr


@pytest.mark.parametrize(
    "text",
    [
        "CPR 010203-1234 står på brevet",
        "0102031234",
        "født 31.12, cpr 311299 1234",
        "(240570-4321)",
    ],
)
def test_a_text_holding_a_cpr_number_is_recognised(text):
    assert looks_like_cpr(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Ring på 20 30 40 50",
        "Telefon 20304050",
        "Restance 12500 kr.",
        "Sag 00042 fra 2026",
        "320101-1234",  # the 32nd is no day
        "011301-1234",  # the 13th month is none
        "12345678901",  # eleven digits: an account number, not a CPR number
    ],
)
def test_ordinary_text_is_not_taken_for_a_cpr_number(text):
    assert not looks_like_cpr(text)


class NoteForm(CprCheckedForm):
    cpr_checked_fields = ("note",)
    note = forms.CharField(required=False)


def test_a_note_with_a_cpr_number_is_refused_with_a_warning_next_to_it():
    form = NoteForm(data={"note": "cpr 010203-1234"})
    assert not form.is_valid()
    assert "CPR-nummer" in form.errors["note"][0]
    # The box to store it anyway appears only now.
    assert isinstance(form.fields["confirm_cpr"].widget, forms.CheckboxInput)


def test_the_writer_can_confirm_the_text_holds_no_cpr_number():
    form = NoteForm(data={"note": "sag 010203-1234", "confirm_cpr": "on"})
    assert form.is_valid()
    assert form.cleaned_data["note"] == "sag 010203-1234"


def test_a_note_without_a_cpr_number_needs_no_confirmation():
    form = NoteForm(data={"note": "Budget lagt sammen med beboeren"})
    assert form.is_valid()
    assert isinstance(form.fields["confirm_cpr"].widget, forms.HiddenInput)
