"""Logging, editing, listing and exporting activity records."""

import io

import openpyxl
import pytest
from django.urls import reverse

from activities.models import ActivityRecord, Indicator, YearStatus
from boligsocial.models import Area, Role

from .conftest import TODAY, activity_named, make_record

CREATE = reverse("activities:record_create")
LIST = reverse("activities:record_list")


def record_data(activity, area, **extra) -> dict:
    return {
        "activity": activity.pk,
        "date": TODAY.isoformat(),
        "area": area.pk,
        "participants": "12",
        **extra,
    }


def test_staff_log_a_record_with_indicator_values(client, staff, jobs, rising, got_job):
    client.force_login(staff)
    data = record_data(jobs, rising, women="5", men="7")
    data[f"indicator_{got_job.pk}"] = "3"
    response = client.post(CREATE, data)
    assert response.status_code == 302
    record = ActivityRecord.objects.get()
    assert (record.created_by, record.participants, record.women) == (staff, 12, 5)
    assert [(v.indicator, v.value) for v in record.values.all()] == [(got_job, 3)]


def test_the_new_record_form_starts_from_today_the_usual_area_and_last_activity(
    client, staff, jobs, rising
):
    make_record(jobs, staff, date=TODAY.replace(day=1))
    client.force_login(staff)
    form = client.get(CREATE).context["form"]
    assert form["date"].value() == TODAY
    assert str(form["area"].value()) == str(rising.pk)
    assert str(form["activity"].value()) == str(jobs.pk)
    assert "indicator_" + str(jobs.indicators.first().pk) in form.fields


def test_with_htmx_a_saved_record_is_followed_by_a_fresh_form_on_the_same_screen(
    client, staff, jobs, rising
):
    client.force_login(staff)
    response = client.post(CREATE, record_data(jobs, rising), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the form alone, swapped in place
    assert 'data-testid="saved"' in html
    assert response.context["form"]["participants"].value() is None
    assert str(response.context["form"]["activity"].value()) == str(jobs.pk)
    assert ActivityRecord.objects.count() == 1


def test_choosing_another_activity_brings_its_indicators_and_keeps_what_was_typed(
    client, staff, jobs, rising
):
    other = jobs.focus_area.activities.get(name="Kriminalitetsforebyggelse i netværk")
    client.force_login(staff)
    response = client.get(
        CREATE,
        {"activity": other.pk, "area": rising.pk, "participants": "9", "note": "Hej"},
        HTTP_HX_REQUEST="true",
    )
    form = response.context["form"]
    assert {f"indicator_{i.pk}" for i in other.indicators.all()} <= set(form.fields)
    assert form["participants"].value() == "9"
    assert form["note"].value() == "Hej"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"participants": "-3"}, "participants", "større end eller lig 0"),
        # A breakdown's sum is the form's error, said once (naming the group).
        ({"women": "4", "men": "4"}, "__all__", "giver 8, men der er 12 deltagere"),
        ({"age_13_17": "20"}, "__all__", "giver 20"),
        ({"date": "2026-05-05"}, "date", "fremtiden"),
        ({"start_time": "14:00", "end_time": "13:00"}, "end_time", "efter starten"),
        ({"participants": ""}, "participants", "påkrævet"),
    ],
)
def test_bad_counts_dates_and_times_are_refused_at_the_field_and_nothing_is_saved(
    client, staff, jobs, rising, extra, field, message
):
    client.force_login(staff)
    response = client.post(CREATE, record_data(jobs, rising, note="behold", **extra))
    form = response.context["form"]
    assert response.status_code == 200
    assert message in " ".join(form.errors[field])
    assert form["note"].value() == "behold"
    assert not ActivityRecord.objects.exists()


def test_a_breakdown_that_does_not_add_up_is_said_once(client, staff, jobs, rising):
    client.force_login(staff)
    response = client.post(CREATE, record_data(jobs, rising, age_13_17="20"))
    assert response.content.decode().count("Fordelingen på aldersgrupper") == 1


def test_an_area_the_activity_does_not_run_in_is_refused(client, staff):
    walks = activity_named("Tryghedsvandringer")
    client.force_login(staff)
    response = client.post(CREATE, record_data(walks, Area.objects.get(slug="rising")))
    assert "area" in response.context["form"].errors
    assert not ActivityRecord.objects.exists()


def test_a_department_outside_the_area_is_refused(client, staff, jobs, departments):
    vollsmose_department = departments[2]
    client.force_login(staff)
    data = record_data(jobs, Area.objects.get(slug="rising"))
    data["department"] = vollsmose_department.pk
    response = client.post(CREATE, data)
    assert "department" in response.context["form"].errors
    assert not ActivityRecord.objects.exists()


def test_an_indicator_of_another_activity_is_refused_with_its_name(
    client, staff, jobs, rising
):
    foreign = Indicator.objects.exclude(activity=jobs).first()
    client.force_login(staff)
    data = record_data(jobs, rising)
    data[f"indicator_{foreign.pk}"] = "2"
    response = client.post(CREATE, data)
    errors = response.context["form"].non_field_errors()
    assert foreign.name in " ".join(errors)
    assert "hører ikke til aktiviteten" in " ".join(errors)
    assert not ActivityRecord.objects.exists()


def test_a_record_dated_in_an_approved_year_is_refused(
    client, staff, coordinator, jobs, rising
):
    YearStatus.objects.create(
        activity=jobs, year=2025, status="done", narrative="x", written_by=staff
    ).approve(by=coordinator)
    client.force_login(staff)
    response = client.post(CREATE, record_data(jobs, rising, date="2025-06-01"))
    assert "låst" in " ".join(response.context["form"].errors["date"])
    assert not ActivityRecord.objects.exists()


def test_staff_edit_their_own_record(client, staff, jobs):
    record = make_record(jobs, staff)
    client.force_login(staff)
    url = reverse("activities:record_edit", args=[record.pk])
    assert client.get(url).status_code == 200
    data = record_data(jobs, record.area, participants="15", version=record.version)
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert record.participants == 15


def test_staff_may_not_edit_a_colleagues_record(client, staff, advisor, jobs):
    record = make_record(jobs, advisor)
    client.force_login(staff)
    url = reverse("activities:record_edit", args=[record.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, record_data(jobs, record.area)).status_code == 403


def test_a_coordinator_edits_anyones_record(client, staff, coordinator, jobs):
    record = make_record(jobs, staff)
    client.force_login(coordinator)
    url = reverse("activities:record_edit", args=[record.pk])
    data = record_data(jobs, record.area, participants="4", version=record.version)
    response = client.post(url, data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.participants, record.created_by) == (4, staff)


def test_a_record_in_a_locked_year_cannot_be_edited_until_re_opened(
    client, staff, coordinator, jobs
):
    record = make_record(jobs, staff, date=TODAY.replace(year=2025))
    status = YearStatus.objects.create(
        activity=jobs, year=2025, status="done", narrative="x", written_by=staff
    )
    status.approve(by=coordinator)
    url = reverse("activities:record_edit", args=[record.pk])
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    status.reopen(by=coordinator, reason="Rettelse")
    assert client.get(url).status_code == 200


def test_partners_neither_log_nor_list_nor_export_records(client, partner, jobs, staff):
    record = make_record(jobs, staff)
    client.force_login(partner)
    assert client.get(CREATE).status_code == 403
    assert client.get(LIST).status_code == 403
    assert (
        client.get(reverse("activities:record_export", args=["csv"])).status_code == 403
    )
    edit = reverse("activities:record_edit", args=[record.pk])
    assert client.get(edit).status_code == 404


def test_records_answer_only_their_methods(client, staff, jobs):
    record = make_record(jobs, staff)
    client.force_login(staff)
    assert client.put(CREATE).status_code == 405
    assert client.post(LIST).status_code == 405
    delete = reverse("activities:record_delete", args=[record.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not ActivityRecord.objects.exists()


def test_the_list_filters_and_paginates_in_constant_queries(
    client, staff, advisor, jobs, django_assert_num_queries
):
    walks = activity_named("Tryghedsvandringer")
    for n in range(30):
        make_record(jobs, staff if n % 2 else advisor, participants=n)
    make_record(walks, staff, area="korslokkeparken")
    client.force_login(staff)
    with django_assert_num_queries(13):
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 31
    assert len(response.context["rows"]) == 25
    editable = [can for record, can in response.context["rows"]]
    assert editable.count(True) == 13  # staff's own on the first page
    filtered = client.get(LIST, {"activity": walks.pk}).context["page"]
    assert [r.activity for r in filtered] == [walks]
    by_advisor = client.get(LIST, {"created_by": advisor.pk}).context["page"]
    assert by_advisor.paginator.count == 15
    dated = client.get(LIST, {"date_from": "2026-05-05"}).context["page"]
    assert dated.paginator.count == 0


def test_the_list_shows_no_more_queries_for_five_records_than_for_thirty(
    client, staff, jobs, django_assert_num_queries
):
    for _ in range(5):
        make_record(jobs, staff)
    client.force_login(staff)
    with django_assert_num_queries(13):
        client.get(LIST)


def test_export_to_csv_applies_the_filter(client, staff, jobs, got_job):
    walks = activity_named("Tryghedsvandringer")
    make_record(jobs, staff, values={got_job: 2}, note="Godt møde")
    make_record(walks, staff, area="korslokkeparken")
    client.force_login(staff)
    url = reverse("activities:record_export", args=["csv"])
    response = client.get(url, {"activity": jobs.pk})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert text.count("\n") == 2  # header and one record
    assert "Fritidsjobrådgivning" in text and "Tryghedsvandringer" not in text
    assert "Unge der har fået et fritidsjob: 2" in text


def test_export_to_excel_gives_a_workbook_with_the_records(client, staff, jobs):
    make_record(jobs, staff, participants=7)
    client.force_login(staff)
    response = client.get(reverse("activities:record_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Dato"
    assert rows[1][5] == "Fritidsjobrådgivning"
    assert rows[1][8] == 7


def test_an_unknown_export_format_is_not_found(client, staff):
    client.force_login(staff)
    response = client.get(reverse("activities:record_export", args=["pdf"]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SAFETY_ADVISOR, Role.COORDINATOR])
def test_every_role_inside_logs_records(client, personas, role, jobs, rising):
    client.force_login(personas[role])
    assert client.post(CREATE, record_data(jobs, rising)).status_code == 302
