"""Invisible characters that reorder or hide text are removed on the way in, from
forms and from imported sheets alike (boligsocial/text.py)."""

import pytest
from django.urls import reverse

from activities.tests.test_import import read, row, sheet
from boligsocial.models import Area, Organisation, Role, User
from boligsocial.text import clean

RLO, LRI, PDI, ZWSP, BOM = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff"
ZWNJ, ZWJ = "\u200c", "\u200d"


@pytest.mark.parametrize(
    "hidden", [RLO, LRI, PDI, ZWSP, BOM, "\u200e", "\u200f", "\u061c", "\u2060"]
)
def test_each_reordering_or_hiding_character_is_removed(hidden):
    assert clean(f"Mette{hidden} Hansen{hidden}") == "Mette Hansen"


def test_the_joiners_that_persian_arabic_and_emoji_need_are_kept():
    persian = f"می{ZWNJ}خواهم"
    family = f"👩{ZWJ}👧"
    assert clean(persian) == persian
    assert clean(family) == family
    assert clean("Ærø Østergård") == "Ærø Østergård"


def test_a_name_typed_with_an_override_is_stored_without_it(client, coordinator):
    client.force_login(coordinator)
    data = {
        "first_name": f"{RLO}ettem",
        "last_name": f"Hansen{ZWSP}",
        "email": "mette@politi.example.dk",
        "role": Role.PARTNER,
        "organisation": Organisation.objects.get(name="Fyns Politi").pk,
        "areas": [Area.objects.get(slug="rising").pk],
    }
    assert client.post(reverse("person_invite"), data).status_code == 302
    person = User.objects.get(email="mette@politi.example.dk")
    assert (person.first_name, person.last_name) == ("ettem", "Hansen")


def test_a_field_of_only_invisible_characters_is_empty_and_refused(client, coordinator):
    client.force_login(coordinator)
    data = {
        "first_name": f"{RLO}{LRI}{PDI}",
        "email": "mette@politi.example.dk",
        "role": Role.PARTNER,
        "organisation": Organisation.objects.get(name="Fyns Politi").pk,
        "areas": [Area.objects.get(slug="rising").pk],
    }
    response = client.post(reverse("person_invite"), data)
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    assert not User.objects.filter(email="mette@politi.example.dk").exists()


def test_a_password_is_left_as_typed(client, staff):
    """A password is never shown, and must match what the person types later."""
    from django.contrib.auth.hashers import check_password

    client.force_login(staff)
    password = f"lange-{RLO}-nætter-2026"
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-passphrase-2026",
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert check_password(password, staff.password)


def test_a_sheets_cells_are_read_without_them(db):
    rows = read(sheet(row(**{"Område": f"{RLO}Rising{ZWSP}", "Note": f"hej{BOM}"})))
    assert rows[0].values["area"] == "Rising"
    assert "hej" in rows[0].values.values()
