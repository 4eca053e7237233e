"""Free text is checked for CPR and phone numbers before it is stored."""

import pytest
from django import forms

from boligsocial.sensitive import CprCheckedForm, looks_like_cpr, looks_like_phone


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


@pytest.mark.parametrize(
    "text",
    [
        "Ring på 20 30 40 50",
        "Telefon 20304050",
        "mobil 2030 4050",
        "+45 20 30 40 50",
        "(+4520304050)",
        "0045 20304050",
        "tlf. 20-30-40-50",
    ],
)
def test_a_text_holding_a_danish_phone_number_is_recognised(text):
    assert looks_like_phone(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Kl. 14.30 ved Rising Allé 12",
        "Restance 12 500 kr.",
        "Dato 12.05.2026",
        "0102031234",  # ten digits: a CPR number, not a phone number
        "12345678",  # Danish numbers do not begin with 1
        "Sag 202604051",  # nine digits
        "20 30 40",
    ],
)
def test_ordinary_text_is_not_taken_for_a_phone_number(text):
    assert not looks_like_phone(text)


class TimelineForm(CprCheckedForm):
    cpr_checked_fields = ("text",)
    phone_checked_fields = ("text",)
    text = forms.CharField(required=False)


def test_a_text_partners_read_with_a_phone_number_is_refused_with_a_warning():
    form = TimelineForm(data={"text": "Moren kan nås på 20 30 40 50"})
    assert not form.is_valid()
    assert "telefonnummer" in form.errors["text"][0]
    assert isinstance(form.fields["confirm_cpr"].widget, forms.CheckboxInput)
    assert "telefonnummer" in str(form.fields["confirm_cpr"].label)


def test_the_writer_can_confirm_a_phone_number_is_no_residents():
    data = {"text": "Politiets døgnvagt 66 14 14 48", "confirm_cpr": "on"}
    form = TimelineForm(data=data)
    assert form.is_valid()


def test_a_cpr_number_is_warned_of_once_not_also_as_a_phone_number():
    form = TimelineForm(data={"text": "cpr 010203-1234"})
    assert not form.is_valid()
    assert len(form.errors["text"]) == 1
    assert "CPR-nummer" in form.errors["text"][0]


def test_forms_that_check_only_cpr_numbers_let_phone_numbers_through():
    assert NoteForm(data={"note": "Ring på 20 30 40 50"}).is_valid()
