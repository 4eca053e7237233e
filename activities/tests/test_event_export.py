"""The calendar out as CSV and Excel: the weeks, area and activity the calendar
shows, for the areas the person may see."""

import csv
import datetime
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.urls import reverse

from boligsocial.models import Role
from conftest import make_user

from .test_calendar import in_days, make_event

CSV = reverse("activities:event_export", args=["csv"])
XLSX = reverse("activities:event_export", args=["xlsx"])


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(StringIO(text[1:])))


@pytest.fixture
def events(staff) -> dict:
    return {
        "rising": make_event(staff, title="Fritidsjobcafé", day=in_days(2)),
        "police_same_day": make_event(
            staff,
            title="=Gadeplan",
            day=in_days(2),
            organiser="Fyns Politi",
            activity="Ungerådgivning",
        ),
        "vollsmose": make_event(
            staff, title="Lektiecafé", area="vollsmose", day=in_days(3)
        ),
        "far_ahead": make_event(staff, title="Sommerfest", day=in_days(70)),
    }


def test_the_calendar_exports_the_weeks_it_shows_with_dates_as_dates(
    client, staff, events
):
    client.force_login(staff)
    sheet = openpyxl.load_workbook(BytesIO(client.get(XLSX).content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("Dato", "Fra kl.", "Til kl.", "Titel")
    assert [row[3] for row in rows] == ["Fritidsjobcafé", "'=Gadeplan", "Lektiecafé"]
    assert rows[0][0] == datetime.datetime.combine(in_days(2), datetime.time())
    assert rows[0][1] == datetime.time(16, 0)
    assert sheet["A2"].number_format == "DD.MM.YYYY"
    # Two organisers in Rising that day: the parallel mark.
    assert rows[0][header.index("Flere arrangører samme dag")] == "ja"


def test_the_export_keeps_the_calendars_filter(client, staff, events):
    client.force_login(staff)
    header, *rows = csv_rows(client.get(CSV, {"area": "vollsmose"}))
    assert [row[3] for row in rows] == ["Lektiecafé"]
    start = in_days(60).isoformat()
    header, *rows = csv_rows(client.get(CSV, {"start": start}))
    assert [row[3] for row in rows] == ["Sommerfest"]
    assert rows[0][0] == in_days(70).isoformat()


def test_a_partner_exports_the_events_of_its_areas_only(client, partner, events):
    client.force_login(partner)
    header, *rows = csv_rows(client.get(CSV))
    assert {row[5] for row in rows} == {"Rising"}


def test_a_bad_filter_goes_back_to_the_calendar(client, staff, events):
    client.force_login(staff)
    response = client.get(CSV, {"area": "atlantis"})
    assert response.status_code == 302
    assert response.url == reverse("activities:calendar") + "?area=atlantis"


def test_an_area_a_partner_cannot_see_is_not_one_it_can_export(client, events):
    outsider = make_user(
        "ssp", Role.PARTNER, organisation="SSP Odense", areas=["vollsmose"]
    )
    client.force_login(outsider)
    assert client.get(CSV, {"area": "rising"}).status_code == 302
    header, *rows = csv_rows(client.get(CSV))
    assert [row[3] for row in rows] == ["Lektiecafé"]


def test_the_export_takes_only_get_known_formats_and_signed_in_people(client, staff):
    response = client.get(CSV)
    assert response.status_code == 302 and "/login/" in response.url
    client.force_login(staff)
    assert client.post(CSV).status_code == 405
    url = reverse("activities:event_export", args=["ics"])
    assert client.get(url).status_code == 404


def test_the_calendar_links_its_export_with_the_filter(client, staff, events):
    client.force_login(staff)
    page = client.get(reverse("activities:calendar"), {"area": "rising"})
    assert f'href="{XLSX}?area=rising"' in page.content.decode()


def test_the_export_costs_the_same_queries_for_few_and_many(
    client, staff, events, django_assert_num_queries
):
    client.force_login(staff)
    client.get(CSV)
    # Session, user, the calendar's areas and activities (the filter form), the
    # count, the events; the session saved (three).
    with django_assert_num_queries(8):
        client.get(CSV)
    for n in range(5):
        make_event(staff, title=f"Ekstra {n}", day=in_days(4 + n))
    with django_assert_num_queries(8):
        assert len(csv_rows(client.get(CSV))) == 9
