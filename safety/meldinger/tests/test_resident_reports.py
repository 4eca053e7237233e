"""Meld et problem: a resident reports a safety problem on their area's page, a
tryghedsrådgiver turns it into a finding or declines it, and the resident follows
it on a private status page and by e-mail."""

import datetime
import io
import re
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from boligsocial.models import Area, Notification, Organisation
from safety.models import (
    Finding,
    FindingCategory,
    FindingPhoto,
    ResidentReport,
    RoutingRule,
)
from safety.public import RATE
from safety.tasks import apply_retention
from safety.walks.tests.test_photos import image_bytes

PAGE = reverse("meld:report", args=["rising"])
LIMIT = int(RATE.split("/")[0])
# Inside Rising's outline; the other in Vollsmose.
IN_RISING = ("55.409500", "10.412000")
IN_VOLLSMOSE = ("55.405500", "10.444000")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lamp(db) -> FindingCategory:
    category = FindingCategory.objects.get(name="Belysning")
    RoutingRule.objects.create(
        category=category, organisation=Organisation.objects.get(name="Fyns Politi")
    )
    return category


def report(lamp, **extra) -> dict:
    data = {
        "category": lamp.pk,
        "description": "Lampen på stien lyser ikke.",
        "place": "",
        "latitude": IN_RISING[0],
        "longitude": IN_RISING[1],
        "email": "",
        "submission": str(uuid.uuid4()),
        "website": "",
    }
    data.update(extra)
    return data


def a_photo(name="lampe.jpg", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(**options), "image/jpeg")


def sent(client, data, **kwargs):
    return client.post(PAGE, data, **kwargs)


# --- The resident's page --------------------------------------------------------------


def test_a_resident_opens_the_page_of_their_area_without_logging_in(
    client, streets, lamp
):
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Meld et problem i Rising" in html
    assert "Belysning" in html  # the findings' categories
    assert '<option value="Vestergade">' in html  # the area's streets, as hints
    assert 'id="location-map"' in html and "Brug min position" in html
    assert 'name="website"' in html
    assert "Vollsmose" not in html  # its map holds its own area only


def test_the_sign_up_page_links_to_it_in_the_same_language(client, streets):
    html = client.get(
        reverse("nabohjaelp:signup", args=["rising"]) + "?lang=tr"
    ).content.decode()
    assert f'href="{PAGE}?lang=tr"' in html


def test_a_report_with_a_point_is_received_and_the_resident_sees_its_status(
    client, streets, lamp, safety_advisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sent(client, report(lamp))
    saved = ResidentReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == saved.status_url() + "?tak=1"
    assert saved.area.slug == "rising"
    assert saved.status == ResidentReport.Status.RECEIVED
    assert str(saved.latitude) == IN_RISING[0]
    page = client.get(response["Location"]).content.decode()
    assert "Tak for din melding" in page
    assert "Modtaget: vi kigger på den" in page
    assert f"http://testserver{saved.status_url()}" in page  # the link to keep
    # The tryghedsrådgiver is told under the bell.
    (told,) = Notification.objects.filter(user=safety_advisor)
    assert told.kind == Notification.Kind.RESIDENT_REPORT
    assert told.url == saved.get_absolute_url()


def test_an_address_in_the_area_is_a_place_too(client, streets, lamp):
    sent(client, report(lamp, latitude="", longitude="", place="Vestergade 4"))
    saved = ResidentReport.objects.get()
    assert saved.place == "Vestergade 4"
    assert saved.latitude is None


def test_the_receipt_is_mailed_in_the_page_language_with_the_status_link(
    client, streets, lamp, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent(client, report(lamp, email="amal@example.org"), QUERY_STRING="lang=en")
    saved = ResidentReport.objects.get()
    (mail,) = mailoutbox
    assert mail.to == ["amal@example.org"]
    assert saved.language == "en"
    assert mail.subject == "We have received your report"
    assert f"{saved.status_url()}?lang=en" in mail.body
    assert "kontakt@boligsocialt-hus.example" in mail.body


def test_a_photo_is_kept_re_encoded_without_its_metadata(client, streets, lamp):
    exif = Image.Exif()
    exif[0x010F] = "Telefonfabrikken"  # the camera's maker
    sent(client, report(lamp, photo=a_photo(exif=exif.tobytes())))
    saved = ResidentReport.objects.get()
    assert saved.image.name.startswith("resident-reports/")
    assert "lampe" not in saved.image.name
    with saved.image.open("rb") as file, Image.open(io.BytesIO(file.read())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    assert saved.photo_size == (300, 200)
    with saved.thumbnail.open("rb") as file, Image.open(file) as thumbnail:
        assert saved.thumbnail_size == thumbnail.size


def test_a_large_photos_thumbnail_size_is_known_before_it_loads(db):
    assert ResidentReport(photo_width=1600, photo_height=1200).thumbnail_size == (
        400,
        300,
    )
    assert ResidentReport().thumbnail_size is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"description": "   "}, "description", "Beskriv kort"),
        ({"category": ""}, "category", "Vælg, hvad det drejer sig om"),
        ({"latitude": "", "longitude": ""}, "place", "Vis stedet på kortet"),
        (
            {"latitude": IN_VOLLSMOSE[0], "longitude": IN_VOLLSMOSE[1]},
            "place",
            "ligger uden for Rising",
        ),
        (
            {"latitude": "", "longitude": "", "place": "Nordvej 3"},
            "place",
            "Nordvej 3 ligger i Vollsmose, ikke i Rising",
        ),
        ({"email": "amal@"}, "email", "gyldig e-mailadresse"),
        ({"latitude": "56.9", "longitude": "10.4"}, "latitude", "uden for Odense"),
    ],
)
def test_bad_input_gets_a_message_by_the_field_keeps_what_was_typed_saves_nothing(
    client, streets, lamp, change, field, message
):
    response = sent(
        client, report(lamp, **{"description": "Mørkt ved nr. 4", **change})
    )
    html = response.content.decode()
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    if "description" not in change:
        assert "Mørkt ved nr. 4" in html
    assert ResidentReport.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("lampe.jpg", b"not an image", "image/jpeg"), "ikke et"),
        (
            SimpleUploadedFile("lampe.jpg", b"\xff" * (10 * 1024 * 1024 + 1)),
            "større end 10 MB",
        ),
    ],
)
def test_a_photo_that_is_no_image_or_too_large_is_refused_by_its_field(
    client, streets, lamp, upload, message, media_root
):
    response = sent(client, report(lamp, photo=upload))
    errors = response.context["form"].errors["photo"]
    assert any(message in error for error in errors), errors
    assert "Lampen på stien lyser ikke." in response.content.decode()
    assert ResidentReport.objects.count() == 0
    assert not any(media_root.rglob("*.jpg"))


def test_another_error_asks_for_the_photo_again(client, streets, lamp):
    response = sent(client, report(lamp, description="", photo=a_photo()))
    assert "Vælg billedet igen" in response.content.decode()


def test_the_same_form_sent_twice_is_one_report(client, streets, lamp):
    data = report(lamp)
    first = sent(client, data)
    second = sent(client, data)
    assert ResidentReport.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_is_saved(
    client, streets, lamp
):
    response = sent(client, report(lamp, website="https://spam.example"))
    assert response["Location"] == reverse("meld:thanks", args=["rising"])
    assert ResidentReport.objects.count() == 0
    assert "Tak for din melding" in client.get(response["Location"]).content.decode()


def test_twenty_rapid_reports_are_throttled_after_the_limit_keeping_the_text(
    client, streets, lamp
):
    answers = [
        sent(client, report(lamp, description=f"Lampe nr. {n}")) for n in range(20)
    ]
    assert [a.status_code for a in answers] == [302] * LIMIT + [429] * (20 - LIMIT)
    assert ResidentReport.objects.count() == LIMIT
    throttled = answers[-1].content.decode()
    assert "mange meldinger fra din forbindelse" in throttled
    assert "Lampe nr. 19" in throttled


def test_in_arabic_the_page_is_right_to_left_and_the_errors_arabic(
    client, streets, lamp
):
    response = client.post(PAGE + "?lang=ar", report(lamp, description=""))
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert 'lang="ar"' in html
    assert "Beskriv kort" not in html  # the message is in Arabic


def test_the_pages_answer_only_their_methods(client, streets, lamp):
    saved = ResidentReport.objects.create(
        area=Area.objects.get(slug="rising"),
        category=lamp,
        description="x",
        place="Vestergade 4",
    )
    assert client.put(PAGE).status_code == 405
    assert client.post(saved.status_url()).status_code == 405
    assert client.post(reverse("meld:thanks", args=["rising"])).status_code == 405


def test_an_unknown_area_or_status_link_is_not_found(client, db):
    assert client.get(reverse("meld:report", args=["nowhere"])).status_code == 404
    response = client.get(reverse("meld:status", args=["x" * 43]))
    assert response.status_code == 404
    assert "Linket virker ikke" in response.content.decode()
    too_long = client.get(reverse("meld:status", args=["x" * 200]))
    assert too_long.status_code == 404


def accepted(report: ResidentReport, *, by) -> Finding:
    """The report made a finding for the police, sent to them."""
    finding = Finding.objects.create(
        area=report.area,
        category=report.category,
        description=report.description,
        place="Stien",
        responsible=Organisation.objects.get(name="Fyns Politi"),
        status=Finding.Status.SENT,
    )
    assert report.accept(finding, by=by)
    return finding


# --- The tryghedsrådgiver decides -----------------------------------------------------


@pytest.fixture
def waiting(client, streets, lamp, django_capture_on_commit_callbacks):
    """A report from the page, with a photo and an e-mail for updates."""
    with django_capture_on_commit_callbacks(execute=True):
        sent(client, report(lamp, email="amal@example.org", photo=a_photo()))
    client.logout()
    return ResidentReport.objects.get()


def test_the_report_waits_in_the_safety_advisors_work_and_list(
    client, waiting, safety_advisor
):
    client.force_login(safety_advisor)
    home = client.get(reverse("home")).content.decode()
    assert "Meldinger fra beboere, der venter" in home
    assert waiting.get_absolute_url() in home
    listed = client.get(reverse("safety:report_list")).content.decode()
    assert waiting.get_absolute_url() in listed
    detail = client.get(waiting.get_absolute_url()).content.decode()
    assert "Lampen på stien lyser ikke." in detail
    assert reverse("safety:report_photo_thumb", args=[waiting.pk]) in detail
    # The 300 × 200 photo's thumbnail keeps its place while it loads.
    assert 'width="300" height="200"' in detail
    photo = client.get(reverse("safety:report_photo", args=[waiting.pk]))
    assert photo["Content-Type"] == "image/jpeg"


def test_partners_and_outsiders_never_see_a_report(client, waiting, partner, advisor):
    urls = [
        waiting.get_absolute_url(),
        reverse("safety:report_to_finding", args=[waiting.pk]),
        reverse("safety:report_photo", args=[waiting.pk]),
        reverse("safety:report_photo_thumb", args=[waiting.pk]),
    ]
    for user in (partner, advisor):
        client.force_login(user)
        assert client.get(reverse("safety:report_list")).status_code == 403
        assert [client.get(url).status_code for url in urls] == [404] * 4
        declined = client.post(
            reverse("safety:report_decline", args=[waiting.pk]),
            {"reason": "known", "note": "x"},
        )
        assert declined.status_code == 404
    client.logout()
    response = client.get(waiting.get_absolute_url())
    assert response.status_code == 302 and "login" in response["Location"]
    waiting.refresh_from_db()
    assert waiting.is_waiting


def test_turned_into_a_finding_it_is_routed_its_photo_goes_along_and_the_resident_told(
    client,
    waiting,
    safety_advisor,
    partner,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(safety_advisor)
    url = reverse("safety:report_to_finding", args=[waiting.pk])
    form = client.get(url).context["form"]
    assert form["description"].value() == "Lampen på stien lyser ikke."
    assert "photo" not in form.fields
    police = Organisation.objects.get(name="Fyns Politi")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "category": waiting.category_id,
                "description": "Lampen på stien lyser ikke.",
                "place": "Stien ved Vestergade",
                "latitude": IN_RISING[0],
                "longitude": IN_RISING[1],
                "severity": "medium",
                "responsible": police.pk,
                "due_date": (timezone.localdate() + datetime.timedelta(14)).isoformat(),
                "keep_photo": "on",
                "submission": str(uuid.uuid4()),
            },
        )
    finding = Finding.objects.get()
    assert response["Location"] == finding.get_absolute_url()
    assert finding.status == Finding.Status.SENT
    assert finding.walk is None and finding.found_at == waiting.created_at
    waiting.refresh_from_db()
    assert waiting.status == ResidentReport.Status.ACCEPTED
    assert waiting.finding == finding
    assert not waiting.image  # the finding has it now
    (photo,) = FindingPhoto.objects.filter(finding=finding)
    assert photo.uploaded_by is None and photo.image.size > 0
    # The partner is told; the resident gets a mail in their language.
    assert Notification.objects.filter(user=partner, url=finding.get_absolute_url())
    resident_mail = [m for m in mailoutbox if m.to == ["amal@example.org"]]
    (mail,) = resident_mail
    assert "Sendt til den ansvarlige" in mail.subject
    # The partner sees a resident reported it, but neither the e-mail nor a link.
    client.force_login(partner)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert "Meldt af en beboer" in page
    assert "amal@example.org" not in page
    assert waiting.get_absolute_url() not in page
    # Asked again, the report says it has been decided.
    client.force_login(safety_advisor)
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == waiting.get_absolute_url()


def test_declined_with_a_reason_the_resident_reads_it_and_the_photo_goes(
    client, waiting, safety_advisor, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(safety_advisor)
    url = reverse("safety:report_decline", args=[waiting.pk])
    missing = client.post(url, {"reason": "", "note": "Vi kigger på det."})
    assert missing.status_code == 400
    assert "Vælg en begrundelse." in missing.content.decode()
    assert "Vi kigger på det." in missing.content.decode()
    assert client.get(url).status_code == 405
    image = waiting.image.name
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "known", "note": "Kommunen skifter lampen i maj."})
    waiting.refresh_from_db()
    assert waiting.status == ResidentReport.Status.DECLINED
    assert not waiting.image
    assert not waiting.image.storage.exists(image)
    (mail,) = mailoutbox
    assert "Afvist" in mail.subject and "Kommunen skifter lampen i maj." in mail.body
    client.logout()
    status = client.get(waiting.status_url()).content.decode()
    assert "Allerede kendt" in status
    assert "Kommunen skifter lampen i maj." in status
    assert "amal@example.org" not in status
    # A second decision changes nothing.
    client.force_login(safety_advisor)
    client.post(url, {"reason": "not_safety", "note": "Andet."})
    waiting.refresh_from_db()
    assert waiting.decline_reason == "known"


def test_a_partner_fixing_the_finding_is_what_the_resident_sees_and_hears(
    client,
    waiting,
    safety_advisor,
    partner,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    finding = accepted(waiting, by=safety_advisor)
    client.force_login(partner)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("safety:finding_status", args=[finding.pk]),
            {"to": "fixed", "version": finding.version, "confirmed": "on"},
        )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FIXED
    (mail,) = mailoutbox
    assert mail.to == ["amal@example.org"]
    assert "Udbedret" in mail.subject
    assert waiting.status_url() in mail.body
    client.logout()
    page = client.get(waiting.status_url())
    assert page.context["status"]["current"] == "fixed"
    assert "Udbedret" in page.content.decode()


# --- Figures and retention ------------------------------------------------------------


def test_the_figures_count_residents_reports_as_their_own_source(
    client, waiting, safety_advisor, partner, lamp
):
    accepted(waiting, by=safety_advisor)
    ResidentReport.objects.create(
        area=waiting.area, category=lamp, description="y", place="Vestergade 2"
    )
    client.force_login(partner)
    response = client.get(reverse("safety:safety_figures"))
    sources = response.context["tables"]["sources"]
    assert [row[:3] for row in sources.rows] == [["Meldinger fra beboere", 1, 0]]
    reports = response.context["tables"]["reports"]
    rising = next(row for row in reports.rows if row[0] == "Rising")
    assert rising[1:] == [2, 1, 0, 1]
    assert "amal@example.org" not in response.content.decode()


def test_the_residents_e_mail_is_erased_a_calendar_month_after_the_report_ended(
    waiting, safety_advisor
):
    decided = timezone.make_aware(datetime.datetime(2026, 3, 10, 23, 55))
    with time_machine.travel(decided, tick=False):
        waiting.decline(by=safety_advisor, reason="known", note="Kendt.")
    day_before = timezone.make_aware(datetime.datetime(2026, 4, 10, 23, 55))
    with time_machine.travel(day_before, tick=False):
        assert apply_retention()["report_contacts"] == 0
    day = timezone.make_aware(datetime.datetime(2026, 4, 11, 0, 5))
    with time_machine.travel(day, tick=False):
        assert apply_retention()["report_contacts"] == 1
    waiting.refresh_from_db()
    assert waiting.email == ""
    assert waiting.status == ResidentReport.Status.DECLINED  # the report stays


def test_a_report_whose_finding_was_deleted_loses_the_e_mail_too(
    waiting, safety_advisor, lamp
):
    accepted(waiting, by=safety_advisor).delete()
    assert apply_retention()["report_contacts"] == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40)):
        assert apply_retention()["report_contacts"] == 1


def test_a_page_brought_back_and_filled_in_anew_is_a_new_report(client, streets, lamp):
    first = report(lamp)
    opened = sent(client, first)
    brought_back = {**first, "description": "Nu er der også graffiti"}
    again = sent(client, brought_back)
    assert ResidentReport.objects.count() == 2
    assert again["Location"] != opened["Location"]
    # A double click on it is still one report.
    assert sent(client, brought_back)["Location"] == again["Location"]
    assert ResidentReport.objects.count() == 2
    # The same form sent twice is still one report.
    assert sent(client, first)["Location"] == opened["Location"]
    assert ResidentReport.objects.count() == 2
    assert "no-store" in client.get(PAGE)["Cache-Control"]


@pytest.mark.parametrize("key", ["a%00b", "%C3%A6%C3%B8", "a.b", "-" * 65])
def test_an_odd_status_link_is_not_found_never_an_error(client, db, key):
    assert client.get(f"/meld/status/{key}/").status_code == 404


def test_the_tryghedsraadgiver_may_keep_the_photo_back(
    client, waiting, safety_advisor, partner, django_capture_on_commit_callbacks
):
    client.force_login(safety_advisor)
    url = reverse("safety:report_to_finding", args=[waiting.pk])
    assert client.get(url).context["form"]["keep_photo"].value() is True
    image = waiting.image.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "category": waiting.category_id,
                "description": "Lampen lyser ikke.",
                "place": "Stien",
                "severity": "medium",
                "responsible": Organisation.objects.get(name="Fyns Politi").pk,
                "due_date": (timezone.localdate() + datetime.timedelta(14)).isoformat(),
                "submission": str(uuid.uuid4()),
            },
        )
    finding = Finding.objects.get()
    assert not finding.photos.exists()
    assert not waiting.image.storage.exists(image)


def test_the_status_link_is_long_random_and_kept_apart_from_everything_else(waiting):
    assert re.fullmatch(r"[\w-]{40,}", waiting.status_key)
    other = ResidentReport.objects.create(
        area=waiting.area, category=waiting.category, description="x", place="y"
    )
    assert other.status_key != waiting.status_key


# --- What the pages cost ----------------------------------------------------------


def many_reports(count: int, lamp) -> None:
    rising = Area.objects.get(slug="rising")
    ResidentReport.objects.bulk_create(
        ResidentReport(
            area=rising,
            category=lamp,
            description=f"Lampe nr. {n}",
            place=f"Vestergade {n}",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_and_a_report_cost_the_same_queries_for_few_and_many(
    client, safety_advisor, lamp, django_assert_num_queries, count
):
    many_reports(count, lamp)
    client.force_login(safety_advisor)
    report = ResidentReport.objects.first()
    # session, user, the device that verified the session, 3 for the session's
    # renewal; the count and the page of reports.
    with django_assert_num_queries(8):
        assert client.get(reverse("safety:report_list")).status_code == 200
    # The report with its area, category, finding and who decided it.
    with django_assert_num_queries(7):
        assert client.get(report.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("count", [1, 40])
def test_the_residents_pages_cost_the_same_queries_for_few_and_many(
    client, streets, lamp, django_assert_num_queries, count
):
    many_reports(count, lamp)
    report = ResidentReport.objects.first()
    # The area, its departments (streets), the categories, the map's areas and
    # departments.
    with django_assert_num_queries(5):
        assert client.get(PAGE).status_code == 200
    # The report with its area, category and finding.
    with django_assert_num_queries(1):
        assert client.get(report.status_url()).status_code == 200


@pytest.mark.parametrize("count", [1, 40])
def test_the_finding_form_of_a_report_and_the_thank_you_page_cost_fixed_queries(
    client, safety_advisor, lamp, streets, django_assert_num_queries, count
):
    many_reports(count, lamp)
    client.force_login(safety_advisor)
    report = ResidentReport.objects.first()
    url = reverse("safety:report_to_finding", args=[report.pk])
    with django_assert_num_queries(QUERIES_TO_FINDING):
        assert client.get(url).status_code == 200
    client.logout()
    # The area, nothing else.
    with django_assert_num_queries(1):
        assert client.get(reverse("meld:thanks", args=["rising"])).status_code == 200


# Session, user, the verifying device, 3 for the session's renewal; the report;
# the form's categories, organisations and routing rules; the
# map's areas and departments.
QUERIES_TO_FINDING = 12
