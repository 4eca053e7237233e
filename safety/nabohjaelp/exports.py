"""Nabohjælp sign-ups as CSV or Excel, with the list's filter applied (tablib).

The columns are those of the import, so an export can be corrected and read in
elsewhere, plus the status; a withdrawn sign-up keeps only its area, channel and
months."""

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boligsocial import spreadsheets
from boligsocial.exports import ListExport, register

from .access import require_signup_keeper
from .forms import SignUpFilter
from .imports import COLUMNS
from .models import SignUp


def signups_dataset(signups) -> tablib.Dataset:
    """signups: a queryset with area and department loaded (for_list())."""
    headers = [str(label) for label in COLUMNS.values()]
    data = tablib.Dataset(headers=[*headers, _("Status")], title=_("Tilmeldinger"))
    for s in signups:
        consented = timezone.localtime(s.consented_at) if s.consented_at else None
        data.append(
            [
                s.area.name,
                s.department.number if s.department else "",
                s.name,
                s.street,
                s.number,
                s.floor_door,
                spreadsheets.phone_text(s.phone),
                s.email,
                s.get_channel_display(),
                s.signed_up_on,
                timezone.localdate(consented) if consented else None,
                _("ja") if s.is_ambassador else _("nej"),
                s.note,
                s.get_status_display(),
            ]
        )
    return data


def person_workbook(signups: list[SignUp]) -> bytes:
    """Everything held on one person for a right-of-access request: each of
    their sign-ups (the one asked from and those the portal takes for the same
    person), and the consent texts they accepted, word for word."""
    texts = {s.consent_text_id: s.consent_text for s in signups if s.consent_text}
    consents = tablib.Dataset(
        headers=[_("Samtykketekst"), _("Taget i brug"), _("Tekst")],
        title=_("Samtykketekster"),
    )
    for text in texts.values():
        consents.append(
            [
                str(text),
                timezone.localtime(text.created_at).replace(tzinfo=None),
                text.text,
            ]
        )
    book = tablib.Databook(
        [
            spreadsheets.neutralised(signups_dataset(signups), "xlsx"),
            spreadsheets.neutralised(consents, "xlsx"),
        ]
    )
    return book.export("xlsx")


SIGNUPS = register(
    ListExport(
        name="safety.signups",
        title=gettext_lazy("Nabohjælp-tilmeldinger"),
        filename="nabohjaelp-tilmeldinger",
        back="safety:signup_list",
        allowed=require_signup_keeper,
        filtered=lambda user, data: SignUpFilter(
            data, queryset=SignUp.objects.visible_to(user).for_list()
        ),
        dataset=signups_dataset,
    )
)
