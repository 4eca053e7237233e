"""The residents' pages and the poster speak Danish, English, Arabic (right to
left), Somali and Turkish: chosen on the page or by `?lang=`, kept for the next
page, with BoligSocialt Hus' contact details on each. The portal inside keeps to
Danish and English."""

import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from boligsocial.middleware import RESIDENT_LANGUAGE_COOKIE
from boligsocial.models import Area, Organisation
from safety.meldinger.notifications import mail_update
from safety.models import (
    ConsentText,
    Finding,
    FindingCategory,
    ResidentReport,
    SignUp,
)
from safety.nabohjaelp.poster import poster_pdf
from safety.nabohjaelp.tests.test_public_signup import resident
from safety.public import RATE

ROOT = Path(__file__).resolve().parents[3]
PAGE = reverse("nabohjaelp:signup", args=["rising"])
THANKS = reverse("nabohjaelp:thanks", args=["rising"])
LIMIT = int(RATE.split("/")[0])
START = reverse("nabohjaelp:withdraw_start")
CODE = reverse("nabohjaelp:withdraw_code")
RESIDENT_LANGUAGES = ["da", "en", "ar", "so", "tr"]
# Names, not words: the same in every language.
NAMES = {"Nabohjælp", "BoligSocialt Hus", "Rising", "Vestergade"}


class Reader(HTMLParser):
    """What a person reads on a page: its text, and the words in the attributes
    a screen reader or a browser shows."""

    SHOWN = ("alt", "title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "datalist"):
            self.skip += 1
        self.parts += [value for name, value in attrs if name in self.SHOWN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "datalist"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def read(html: str) -> str:
    reader = Reader()
    reader.feed(html)
    return re.sub(r"\s+", " ", " ".join(reader.parts))


def danish_sentences() -> set[str]:
    """Every Danish text of the portal's own (the English catalogue's sources),
    long enough to be a sentence of its own, with its placeholders cut out."""
    catalogue = polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))
    sentences = set()
    for entry in catalogue:
        for piece in re.split(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}", entry.msgid):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 12 and piece not in NAMES:
                sentences.add(piece)
    return sentences


DANISH = danish_sentences()


def untranslated(html: str) -> list[str]:
    text = read(html)
    return sorted(sentence for sentence in DANISH if sentence in text)


@pytest.fixture
def pages(client, streets, mailoutbox, django_capture_on_commit_callbacks):
    """A language's sign-up page, the same with mistakes, the thank-you page, the
    confirmation mail, the withdrawal link's page, the page after it, and the
    link's page once used."""

    def opened(language: str) -> dict[str, str]:
        client.cookies.clear()
        page = client.get(PAGE, {"lang": language}).content.decode()
        refused = client.post(
            PAGE, resident(name="", consent="", phone="", email="", number="")
        ).content.decode()
        mistyped = client.post(
            PAGE, resident(phone="12", email="x", department="999")
        ).content.decode()
        elsewhere = client.post(
            PAGE, resident(street="Ukendtvej", name="x" * 200)
        ).content.decode()
        unknown_area = client.get("/nabohjaelp/ukendt-omraade/").content.decode()
        refusing = Client(enforce_csrf_checks=True)
        refusing.cookies[RESIDENT_LANGUAGE_COOKIE] = language
        no_cookie = refusing.post(PAGE, resident()).content.decode()
        no_cookie_withdrawal = refusing.post(
            reverse("nabohjaelp:withdraw_confirm")
        ).content.decode()
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(PAGE, resident(email="amira@example.org"))
        thanks = client.get(THANKS).content.decode()
        link = re.search(r"http://testserver(/nabohjaelp/afmeld/[\w-]+/)", thanks)[1]
        asked = client.get(link, follow=True).content.decode()
        confirm = reverse("nabohjaelp:withdraw_confirm")
        withdrawn = client.get(client.post(confirm)["Location"]).content.decode()
        gone = client.get(link).content.decode()
        # Without the link: a code by mail.
        with django_capture_on_commit_callbacks(execute=True):
            client.post(PAGE, resident(email="amira@example.org"))
        start = client.get(START).content.decode()
        start_refused = client.post(START, {"contact": "ring mig"}).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(START, {"contact": "amira@example.org"})
        code_mail = mailoutbox[-1]
        code = re.search(r"\b(\d{6})\b", code_mail.body)[1]
        code_page = client.get(CODE).content.decode()
        code_wrong = client.post(CODE, {"code": "12"}).content.decode()
        withdrawn_all = client.get(client.post(CODE, {"code": code})["Location"])
        for _n in range(LIMIT):
            client.post(PAGE, resident())
        throttled = client.post(PAGE, resident()).content.decode()
        return {
            "page": page,
            "refused": refused,
            "mistyped": mistyped,
            "elsewhere": elsewhere,
            "unknown area": unknown_area,
            "no cookie": no_cookie,
            "no cookie, withdrawal": no_cookie_withdrawal,
            "throttled": throttled,
            "thanks": thanks,
            "mail": mailoutbox[0].subject + "\n" + mailoutbox[0].body,
            "asked": asked,
            "withdrawn": withdrawn,
            "gone": gone,
            "start": start,
            "start refused": start_refused,
            "code mail": code_mail.subject + "\n" + code_mail.body,
            "code": code_page,
            "code wrong": code_wrong,
            "code again": client.get(CODE).content.decode(),
            "withdrawn all": withdrawn_all.content.decode(),
        }

    def reported(language: str) -> dict[str, str]:
        """The same language's "Meld et problem" pages: the form, with mistakes,
        refused, throttled; the status page as the report goes along, and the
        mails the resident gets."""
        client.cookies.clear()
        page = client.get(REPORT, {"lang": language}).content.decode()
        mistakes = client.post(
            REPORT, problem(description="", latitude="", longitude="", email="x@")
        ).content.decode()
        outside = client.post(
            REPORT, problem(latitude="55.4055", longitude="10.444", category="")
        ).content.decode()
        elsewhere = client.post(
            REPORT, problem(latitude="", longitude="", place="Nordvej 2")
        ).content.decode()
        not_a_photo = client.post(
            REPORT, problem(photo=SimpleUploadedFile("x.jpg", b"x"))
        ).content.decode()
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            status_url = client.post(REPORT, problem(email="amal@example.org"))[
                "Location"
            ]
        received = client.get(status_url).content.decode()
        report = ResidentReport.objects.latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            report.decline(by=None, reason="known", note="")
            mail_update(report)
        declined = client.get(report.status_url()).content.decode()
        followed = ResidentReport.objects.create(
            area=report.area, category=report.category, description="x", place="y"
        )
        finding = Finding.objects.create(
            area=report.area,
            category=report.category,
            description="x",
            place="y",
            responsible=Organisation.objects.get(name="Fyns Politi"),
            status=Finding.Status.SENT,
        )
        followed.accept(finding, by=None)
        sent = client.get(followed.status_url()).content.decode()
        Finding.objects.filter(pk=finding.pk).update(
            status=Finding.Status.CLOSED, close_reason="no_action"
        )
        closed = client.get(followed.status_url()).content.decode()
        gone = client.get(reverse("meld:status", args=["x" * 43])).content.decode()
        bot = client.get(reverse("meld:thanks", args=["rising"])).content.decode()
        for _n in range(LIMIT):
            client.post(REPORT, problem())
        throttled = client.post(REPORT, problem()).content.decode()
        mails = [m.subject + "\n" + m.body for m in mailoutbox]
        return {
            "report page": page,
            "report mistakes": mistakes,
            "report outside": outside,
            "report elsewhere": elsewhere,
            "report not a photo": not_a_photo,
            "report received": received,
            "report declined": declined,
            "report sent": sent,
            "report closed": closed,
            "report gone": gone,
            "report bot": bot,
            "report throttled": throttled,
            "report mails": "\n".join(mails),
        }

    def all_pages(language: str) -> dict[str, str]:
        return {**opened(language), **reported(language)}

    return all_pages


REPORT = reverse("meld:report", args=["rising"])


def problem(**extra) -> dict:
    data = {
        "category": FindingCategory.objects.get(name="Belysning").pk,
        "description": "Lampen lyser ikke.",
        "place": "",
        "latitude": "55.4095",
        "longitude": "10.412",
        "email": "",
        "submission": str(uuid.uuid4()),
        "website": "",
    }
    data.update(extra)
    return data


def test_the_danish_pages_are_read_through_the_check(pages):
    """The check below finds the Danish texts on a Danish page (else it proves
    nothing)."""
    found = {name: untranslated(html) for name, html in pages("da").items()}
    assert "Tak for din tilmelding" in found["thanks"]
    assert any("Samtykke" in s or "samtykke" in s for s in found["refused"])
    assert len(found["page"]) > 8
    assert "Tak for din melding" in found["report received"]


@pytest.mark.parametrize("language", ["en", "ar", "so", "tr"])
def test_every_text_on_the_residents_pages_is_in_the_chosen_language(pages, language):
    for name, html in pages(language).items():
        assert untranslated(html) == [], f"{language} {name}"


@pytest.fixture
def looked_up(monkeypatch) -> set[str]:
    """Every text a page looks up in the catalogues while it is drawn."""
    seen = set()
    gettext, ngettext = DjangoTranslation.gettext, DjangoTranslation.ngettext

    def traced_gettext(self, message):
        seen.add(message)
        return gettext(self, message)

    def traced_ngettext(self, singular, plural, number):
        seen.add((singular, plural))
        return ngettext(self, singular, plural, number)

    monkeypatch.setattr(DjangoTranslation, "gettext", traced_gettext)
    monkeypatch.setattr(DjangoTranslation, "ngettext", traced_ngettext)
    return seen


# The same in Danish and the language (and so not a missing translation); ":" is
# Django's label suffix.
SAME = {
    "en": {":", "E-mail", "e-mail"},
    "ar": {":"},
    "so": {":"},
    "tr": {":", "Telefon"},
}


@pytest.mark.parametrize("language", ["en", "ar", "so", "tr"])
def test_every_text_the_residents_pages_look_up_is_translated(
    pages, looked_up, language
):
    """The residents' pages and the poster drawn in Danish, and each text they
    looked up found in the language, ours (locale/) or Django's own."""
    pages("da")
    poster_pdf(
        area=Area.objects.get(slug="rising"),
        url="https://x.example/r/",
        report_url="https://x.example/m/",
    )
    texts = {
        t for t in looked_up if isinstance(t, tuple) or (t.strip() and "\x04" not in t)
    }
    assert len(texts) > 30

    def in_(code: str, text) -> str:
        with translation.override(code):
            if isinstance(text, tuple):
                return translation.ngettext(*text, 2)
            return translation.gettext(text)

    missing = []
    for text in sorted(texts, key=str):
        danish = in_("da", text)
        if in_(language, text) == danish and danish not in SAME[language]:
            missing.append(text)
    assert missing == [], f"{language}: {len(missing)} to translate"


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_the_page_is_marked_with_its_language_and_direction(client, streets, language):
    response = client.get(PAGE, {"lang": language})
    html = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert response["Content-Language"] == language
    assert ("bootstrap.rtl.min.css" in html) == (language == "ar")
    # Every language is offered, each in its own name and marked as such.
    for code, name in settings.LANGUAGES:
        assert f'href="?lang={code}" lang="{code}"' in html
        assert name in html


def test_the_chosen_language_is_kept_for_the_thank_you_page(client, streets):
    client.get(PAGE, {"lang": "so"})
    client.post(PAGE, resident())
    response = client.get(THANKS)
    assert response["Content-Language"] == "so"
    assert '<html lang="so" dir="ltr">' in response.content.decode()


def test_an_unknown_language_is_danish(client, streets):
    response = client.get(PAGE, {"lang": "xx"})
    assert response["Content-Language"] == "da"


def test_the_consent_is_shown_and_given_in_the_chosen_language(client, streets):
    page = client.get(PAGE, {"lang": "ar"}).content.decode()
    arabic = ConsentText.current("ar")
    assert arabic.language == "ar" and arabic.original == ConsentText.current()
    assert arabic.text in page
    assert 'data-testid="consent-text" lang="ar"' in page
    client.post(PAGE, resident())
    assert SignUp.objects.get().consent_text == arabic


def test_a_new_danish_wording_is_shown_in_danish_until_it_is_translated(
    client, streets
):
    newer = ConsentText.objects.create(text="En ny formulering af samtykket.")
    page = client.get(PAGE, {"lang": "tr"}).content.decode()
    assert 'data-testid="consent-text" lang="da" dir="ltr">En ny formulering' in page
    client.post(PAGE, resident())
    assert SignUp.objects.get().consent_text == newer


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_every_residents_page_says_how_to_reach_boligsocialt_hus(
    client, streets, settings, language
):
    settings.RESIDENT_CONTACT = {
        "phone": "+45 63 11 22 33",
        "email": "nabohjaelp@bsh.example",
        "address": "Vollsmose Torv 1, 5240 Odense NØ",
    }
    report = ResidentReport.objects.create(
        area=Area.objects.get(slug="rising"),
        category=FindingCategory.objects.get(name="Belysning"),
        description="Lampen lyser ikke",
        place="Vestergade 4",
    )
    for url in (PAGE, THANKS, REPORT, report.status_url()):
        html = client.get(url, {"lang": language}).content.decode()
        assert 'href="tel:+4563112233"' in html
        assert 'href="mailto:nabohjaelp@bsh.example"' in html
        assert "Vollsmose Torv 1, 5240 Odense NØ" in html


def test_the_portal_inside_keeps_to_danish_and_english(client, staff):
    client.force_login(staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.get(PAGE, {"lang": "ar"})  # a poster's page, opened in the same browser
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "en"  # the staff member's own choice
    html = response.content.decode()
    assert 'value="ar"' not in html  # the switcher offers Dansk and English only
    assert 'value="da"' in html
    assert client.get(reverse("home"), {"lang": "tr"})["Content-Language"] == "en"


def test_the_form_is_sent_in_the_language_it_was_shown_in(client, streets):
    client.get(PAGE, {"lang": "ar"})
    client.get(PAGE, {"lang": "so"})  # another tab, since
    arabic_form = client.get(PAGE, {"lang": "ar"}).content.decode()
    client.get(PAGE, {"lang": "so"})
    assert f'action="{PAGE}?lang=ar"' in arabic_form
    client.post(f"{PAGE}?lang=ar", resident())
    assert SignUp.objects.get().consent_text.language == "ar"


def test_the_poster_comes_in_each_language_with_its_own_qr_code(
    client, coordinator, streets
):
    client.force_login(coordinator)
    page = client.get(reverse("safety:nabohjaelp")).content.decode()
    for code, _name in settings.LANGUAGES:
        suffix = "" if code == "da" else f"?lang={code}"
        assert f'{reverse("safety:signup_poster", args=["rising"])}{suffix}"' in page
    response = client.get(
        reverse("safety:signup_poster", args=["rising"]), {"lang": "ar"}
    )
    assert (
        response["Content-Disposition"] == 'inline; filename="nabohjaelp-rising-ar.pdf"'
    )
