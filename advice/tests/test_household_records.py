"""A household's data for the resident (right of access), and its erasure when the
resident asks."""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from advice.models import Case, CaseAccess, CaseOutcome, Household, log_access
from tests.database import found_in_database

from .conftest import OPENED, make_case
from .test_retention import NEEDLES, NOTES, PERSON, fill_case, make_person

pytestmark = pytest.mark.usefixtures("frozen_today")

SHEETS = ["Husstand", "Sager", "Møder", "Resultater", "Henvisninger", "Adgangslog"]
NOT_ON_IT = [("coordinator", 403), ("other_advisor", 403)]
CANNOT_KNOW = [
    ("staff", 404),
    ("safety_advisor", 404),
    ("partner", 404),
    ("admin", 404),
]


def url(name: str, case: Case) -> str:
    return reverse(f"advice:{name}", args=[case.pk])


@pytest.fixture
def people(personas, other_advisor) -> dict:
    return {**personas, "other_advisor": other_advisor}


@pytest.fixture
def resident(departments, advisor, other_advisor) -> Household:
    """Zacharias Unikkesen: a case closed last year (other_advisor's), and an open
    one `advisor` works on; both with notes, a meeting, an outcome, a referral."""
    household = make_person(departments[0])
    earlier = make_case(
        household,
        advisors=[other_advisor],
        opened_on=datetime.date(2025, 2, 3),
        status=Case.Status.CLOSED,
        closed_on=datetime.date(2025, 6, 30),
    )
    fill_case(earlier, advisor=other_advisor)
    fill_case(make_case(household, advisors=[advisor]), advisor=advisor)
    return household


@pytest.fixture
def open_case(resident) -> Case:
    return resident.cases.get(status=Case.Status.OPEN)


def workbook(response) -> openpyxl.Workbook:
    content = b"".join(response.streaming_content) if response.streaming else None
    return openpyxl.load_workbook(BytesIO(content or response.content))


def rows(sheet) -> list[dict]:
    header, *body = sheet.iter_rows(values_only=True)
    return [dict(zip(header, line, strict=True)) for line in body]


def erase_data(**extra) -> dict:
    return {"requested": "on", "reason": "Bad om det på mødet 4. maj", **extra}


# --- Right of access ------------------------------------------------------------------


def test_the_export_holds_every_case_of_the_household(client, advisor, open_case):
    client.force_login(advisor)
    response = client.get(url("household_export", open_case))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        f"husstand-sag-{open_case.number}-2026-05-04.xlsx"
        in (response["Content-Disposition"])
    )
    book = workbook(response)
    assert book.sheetnames == SHEETS
    (household,) = rows(book["Husstand"])
    assert household["Kontaktperson"] == PERSON["name"]
    assert (household["Vej"], household["Husnummer"]) == ("Tågeskrænten", "4711Z")
    assert household["Etage og dør"] == "7. mf"
    assert household["Telefon"] == "29 87 65 43"
    cases = rows(book["Sager"])
    assert [c["Sagsnummer"] for c in cases] == [
        c.number for c in open_case.household.cases.order_by("opened_on")
    ]
    assert {c["Note"] for c in cases} == {NOTES["case"]}
    assert [c["Status"] for c in cases] == ["Lukket", "Åben"]
    assert cases[0]["Rådgivere"] == "Advisor2"
    meetings = rows(book["Møder"])
    assert [m["Note"] for m in meetings] == [NOTES["meeting"]] * 2
    assert meetings[1]["Dato"] == datetime.datetime(2026, 3, 2)
    outcomes = rows(book["Resultater"])
    assert [o["Beløb (kr.)"] for o in outcomes] == [8400, 8400]
    assert outcomes[0]["Resultat"] == "Betalingsaftale indgået"
    referrals = rows(book["Henvisninger"])
    assert referrals[0]["Modtager"] == NOTES["recipient"]
    assert referrals[0]["Sådan blev samtykket givet"] == NOTES["consent"]


def test_the_export_holds_the_access_log_as_dates_and_purposes_without_staff(
    client, advisor, other_advisor, open_case
):
    earlier = open_case.household.cases.exclude(pk=open_case.pk).get()
    log_access(other_advisor, earlier, CaseAccess.Action.VIEW)
    log_access(advisor, open_case, CaseAccess.Action.JOIN, reason="Dækker ferie")
    client.force_login(advisor)

    sheet = workbook(client.get(url("household_export", open_case)))["Adgangslog"]

    entries = rows(sheet)
    assert [(e["Sagsnummer"], e["Handling"], e["Begrundelse"]) for e in entries] == [
        (earlier.number, "Så sagen", None),
        (open_case.number, "Tilknyttede sig sagen", "Dækker ferie"),
    ]
    assert entries[0]["Tidspunkt"] == datetime.datetime(2026, 5, 4, 12, 0)
    text = " ".join(str(v) for line in sheet.iter_rows(values_only=True) for v in line)
    for person in (advisor, other_advisor):
        assert person.username not in text.lower()
        assert person.get_full_name() not in text


def test_each_exported_case_is_logged(client, advisor, open_case):
    client.force_login(advisor)
    client.get(url("household_export", open_case))

    entries = CaseAccess.objects.filter(action=CaseAccess.Action.EXPORT)
    assert sorted(e.case_id for e in entries) == sorted(
        open_case.household.cases.values_list("pk", flat=True)
    )
    assert {e.user for e in entries} == {advisor}


def test_text_that_looks_like_a_formula_stays_text(client, advisor, open_case):
    open_case.note = '=HYPERLINK("http://example.org","Klik")'
    open_case.save(update_fields=["note"])
    client.force_login(advisor)

    book = workbook(client.get(url("household_export", open_case)))

    sheet = book["Sager"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=3, column=header.index("Note") + 1)  # the open case's
    assert cell.value == "'" + open_case.note
    assert cell.data_type == "s"


def test_an_anonymised_households_export_names_nobody(client, advisor, open_case):
    for case in open_case.household.cases.all():
        case.anonymise()
    client.force_login(advisor)

    response = client.get(url("household_export", open_case))

    assert response.status_code == 200
    (household,) = rows(workbook(response)["Husstand"])
    assert household["Kontaktperson"] is None
    assert household["Anonymiseret"] is not None


@pytest.mark.parametrize("meetings", [1, 6])
def test_the_export_costs_the_same_queries_however_much_the_cases_hold(
    client, advisor, open_case, django_assert_num_queries, meetings
):
    for _ in range(meetings):
        fill_case(open_case, advisor=advisor)
    client.force_login(advisor)
    # session, user, device; the door (2); cases, advisors, meetings, outcomes,
    # referrals, the access log; an entry for each of the two cases, between
    # savepoints; and 3 for the session's renewal.
    with django_assert_num_queries(18):
        client.get(url("household_export", open_case))


@pytest.mark.parametrize(("who", "status"), NOT_ON_IT + CANNOT_KNOW)
def test_only_an_advisor_on_the_case_exports_the_household(
    client, people, open_case, who, status
):
    client.force_login(people[who])
    assert client.get(url("household_export", open_case)).status_code == status
    assert not CaseAccess.objects.filter(action=CaseAccess.Action.EXPORT).exists()


def test_the_export_asks_a_stranger_to_log_in(client, open_case):
    response = client.get(url("household_export", open_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_export_is_a_get(client, advisor, open_case):
    client.force_login(advisor)
    assert client.post(url("household_export", open_case)).status_code == 405


# --- Erasure ------------------------------------------------------------------------


def test_the_erase_page_says_what_will_go(client, advisor, open_case):
    client.force_login(advisor)
    response = client.get(url("household_erase", open_case))

    assert response.status_code == 200
    html = response.content.decode()
    assert PERSON["name"] in html
    assert "noterne på 2 sager (1 åben sag lukkes)" in html
    assert "noterne på 2 møder" in html
    assert "noterne på 2 resultater" in html
    assert "2 henvisninger" in html
    for case in open_case.household.cases.all():
        assert case.number in html
    assert 'name="requested"' in html
    entry = CaseAccess.objects.get()
    assert (entry.case, entry.user, entry.action) == (open_case, advisor, "view")


def test_erasure_anonymises_every_case_and_the_household(client, advisor, open_case):
    client.force_login(advisor)
    response = client.post(url("household_erase", open_case), erase_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("advice:case_list")
    household = Household.objects.get()
    assert household.anonymised_at is not None
    assert household.name == ""
    cases = list(household.cases.all())
    assert all(case.anonymised_at and not case.is_open for case in cases)
    entries = CaseAccess.objects.filter(action=CaseAccess.Action.ERASE)
    assert sorted(e.case_id for e in entries) == sorted(c.pk for c in cases)
    assert {(e.user, e.reason) for e in entries} == {
        (advisor, "Bad om det på mødet 4. maj")
    }
    page = client.get(response["Location"]).content.decode()
    assert "Husstandens data er slettet: 2 sager er anonymiseret." in page


def test_after_erasure_nothing_of_the_household_is_left_in_the_database(
    client, advisor, open_case
):
    client.force_login(advisor)
    client.post(url("household_erase", open_case), erase_data())

    assert found_in_database(NEEDLES) == []


def test_erased_cases_still_count_in_the_figures(client, advisor, open_case):
    client.force_login(advisor)
    client.post(url("household_erase", open_case), erase_data())

    assert Case.objects.count() == 2
    assert Case.objects.filter(closed_on=datetime.date(2026, 5, 4)).count() == 1
    amounts = CaseOutcome.objects.values_list("kind__code", "amount")
    assert list(amounts) == [("payment_plan", Decimal("8400.00"))] * 2
    assert sorted(Case.objects.values_list("meetings__held_on", flat=True)) == [
        datetime.date(2025, 2, 3),
        OPENED,
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"requested": None}, "requested", "beboeren har bedt om det"),
        ({"reason": ""}, "reason", "Dette felt er påkrævet"),
        ({"reason": "Bad om det, cpr 120485-1234"}, "reason", "CPR-nummer"),
    ],
)
def test_erasure_needs_the_request_and_a_reason_without_a_cpr_number(
    client, advisor, open_case, change, field, message
):
    data = {k: v for k, v in erase_data(**change).items() if v is not None}
    client.force_login(advisor)

    response = client.post(url("household_erase", open_case), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    if data.get("reason"):
        assert f'value="{data["reason"]}"' in html
    assert not Case.objects.filter(anonymised_at__isnull=False).exists()
    assert not CaseAccess.objects.filter(action=CaseAccess.Action.ERASE).exists()
    assert Household.objects.get().name == PERSON["name"]


def test_a_reason_that_only_looks_like_a_cpr_number_is_kept_once_confirmed(
    client, advisor, open_case
):
    client.force_login(advisor)
    reason = "Brev ref. 120485-1234"

    response = client.post(
        url("household_erase", open_case),
        erase_data(reason=reason, confirm_cpr="on"),
    )

    assert response.status_code == 302
    assert CaseAccess.objects.filter(action="erase", reason=reason).count() == 2


def test_an_erased_case_cannot_be_erased_again(client, advisor, open_case):
    client.force_login(advisor)
    client.post(url("household_erase", open_case), erase_data())

    assert client.get(url("household_erase", open_case)).status_code == 403
    assert client.post(url("household_erase", open_case), erase_data()).status_code == (
        403
    )
    assert CaseAccess.objects.filter(action=CaseAccess.Action.ERASE).count() == 2


@pytest.mark.parametrize(("who", "status"), NOT_ON_IT + CANNOT_KNOW)
def test_only_an_advisor_on_the_case_erases_the_household(
    client, people, open_case, who, status
):
    client.force_login(people[who])
    assert client.get(url("household_erase", open_case)).status_code == status
    response = client.post(url("household_erase", open_case), erase_data())
    assert response.status_code == status
    assert Household.objects.get().anonymised_at is None


def test_erasure_asks_a_stranger_to_log_in(client, open_case):
    response = client.post(url("household_erase", open_case), erase_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Household.objects.get().anonymised_at is None


def test_erasure_is_a_get_and_a_post(client, advisor, open_case):
    client.force_login(advisor)
    assert client.delete(url("household_erase", open_case)).status_code == 405


# --- On the case page ---------------------------------------------------------------


def test_the_case_page_offers_export_and_erasure_and_states_the_rule(
    client, advisor, open_case
):
    client.force_login(advisor)
    html = client.get(open_case.get_absolute_url()).content.decode()

    assert url("household_export", open_case) in html
    assert url("household_erase", open_case) in html
    assert "anonymiseres automatisk 24 måneder efter, at den er lukket" in html


def test_the_rule_follows_the_setting(client, advisor, open_case, settings):
    settings.ADVICE_RETENTION_MONTHS = 36
    client.force_login(advisor)
    html = client.get(open_case.get_absolute_url()).content.decode()
    assert "36 måneder efter" in html


def test_an_anonymised_case_offers_its_export_but_no_erasure(
    client, advisor, open_case
):
    open_case.anonymise()
    client.force_login(advisor)
    html = client.get(open_case.get_absolute_url()).content.decode()

    assert url("household_export", open_case) in html
    assert url("household_erase", open_case) not in html
    assert "Sagen blev anonymiseret 04.05.2026" in html
