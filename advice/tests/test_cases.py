"""The advice team's case pages: the lists, new cases, a case, editing it (two
advisors at once) and joining a colleague's case."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from advice.models import Case, CaseAccess, Household, Referral
from boligsocial.editing import stale_message
from conftest import TwoFactorClient

from .conftest import OPENED, TODAY, add_meeting, add_outcome, make_case, make_household

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("advice:case_list")
CREATE = reverse("advice:case_create")
OUTSIDERS = ["staff", "safety_advisor", "coordinator", "partner", "admin"]


def url(name: str, case: Case) -> str:
    return reverse(f"advice:{name}", args=[case.pk])


@pytest.fixture
def streets(departments):
    """Rising Øst: Rising Allé, Østergade; Rising Vest: Vestergade; Vollsmose Nord:
    Nordvej."""
    for department, lines in zip(
        departments, ["Rising Allé\nØstergade", "Vestergade", "Nordvej"], strict=True
    ):
        department.streets = lines
        department.save(update_fields=["streets"])
    return departments


def household_data(department, **extra) -> dict:
    return {
        "department": department.pk,
        "name": "Hassan  Demir",
        "street": "Rising Allé",
        "number": "9",
        "floor_door": "st. th",
        "phone": "20 12 34 56",
        "composition": Household.Composition.COUPLE_CHILDREN,
        **extra,
    }


def case_data(**extra) -> dict:
    """Unchecked boxes are left out, as a browser does."""
    data = {
        "opened_on": TODAY.isoformat(),
        "source": Case.Source.REMINDER_LETTER,
        "issue_rent_arrears": "on",
        "issue_budget": "on",
        "eviction_risk": Case.EvictionRisk.BAILIFF,
        "bailiff_date": "2026-06-10",
        "arrears_at_start": "18500",
        "arrears_now": "18500",
        "note": "Rykker modtaget i april",
        **extra,
    }
    return {key: value for key, value in data.items() if value is not None}


def edit_data(case: Case, **extra) -> dict:
    household = case.household
    data = {
        **household_data(
            household.department,
            name=household.name,
            street=household.street,
            number=household.number,
            floor_door=household.floor_door,
            phone=str(household.phone),
            composition=household.composition,
        ),
        **case_data(
            opened_on=case.opened_on.isoformat(),
            source=case.source,
            eviction_risk=case.eviction_risk,
            bailiff_date="",
            arrears_at_start=str(case.arrears_at_start),
            arrears_now=str(case.arrears_now),
            note=case.note,
        ),
        "version": case.version,
    }
    data.update(extra)
    return data


def errors(response, form="form") -> dict:
    return {name: list(errs) for name, errs in response.context[form].errors.items()}


def log(case: Case) -> list[tuple]:
    return list(
        CaseAccess.objects.filter(case_number=case.pk)
        .order_by("pk")
        .values_list("user__username", "action")
    )


# --- The lists ------------------------------------------------------------------


def test_an_advisor_sees_the_households_of_their_cases_and_only_numbers_of_the_teams(
    client, advisor, other_advisor, case, departments
):
    theirs = make_case(
        make_household(departments[2], name="Jens Olsen", street="Nordvej"),
        advisors=[other_advisor],
    )
    client.force_login(advisor)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    mine, team = html.split('data-testid="team-cases"')
    assert "Fatima Hansen" in mine and "Rising Allé 7 2. tv" in mine
    assert case.number in mine and "12.500" in mine
    assert theirs.number in team and "Vollsmose" in team and "Advisor2" in team
    assert url("case_join", theirs) in team
    assert "Jens Olsen" not in html and "Nordvej" not in html
    assert list(response.context["team"]) == [theirs]


def test_closed_cases_of_mine_are_shown_when_asked_for(client, advisor, household):
    open_case = make_case(household, advisors=[advisor])
    closed = make_case(
        household,
        advisors=[advisor],
        status=Case.Status.CLOSED,
        closed_on=TODAY,
        opened_on=OPENED - datetime.timedelta(days=300),
    )
    client.force_login(advisor)

    def shown(query: str) -> list[Case]:
        return list(client.get(LIST + query).context["page"])

    assert shown("") == [open_case]
    assert shown("?status=closed") == [closed]
    assert shown("?status=all") == [open_case, closed]
    assert shown("?status=nonsense") == [open_case]


def test_my_cases_come_a_page_at_a_time(client, advisor, household):
    for n in range(27):
        make_case(household, advisors=[advisor], opened_on=OPENED.replace(day=n + 1))
    client.force_login(advisor)
    response = client.get(LIST + "?page=2")
    assert len(response.context["page"]) == 2
    assert "?status=open&amp;team_page=1&amp;page=1" in response.content.decode()


def test_a_closed_case_of_a_colleague_is_not_on_the_teams_list(
    client, advisor, other_advisor, household
):
    make_case(
        household, advisors=[other_advisor], status=Case.Status.CLOSED, closed_on=TODAY
    )
    client.force_login(advisor)
    assert list(client.get(LIST).context["team"]) == []


def test_looking_at_the_list_is_not_a_view_of_any_case(client, advisor, case):
    client.force_login(advisor)
    client.get(LIST)
    assert not CaseAccess.objects.exists()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_the_advice_team_has_a_case_list(client, personas, case, role):
    client.force_login(personas[role])
    assert client.get(LIST).status_code == 403


def test_the_case_list_asks_a_visitor_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_case_list_is_only_read(client, advisor):
    client.force_login(advisor)
    assert client.post(LIST).status_code == 405


@pytest.mark.parametrize("count", [1, 12])
def test_the_case_list_costs_the_same_queries_for_few_and_many_cases(
    client, advisor, other_advisor, departments, django_assert_num_queries, count
):
    for n in range(count):
        household = make_household(departments[n % 3], name=f"Beboer {n}")
        make_case(household, advisors=[advisor])
        make_case(household, advisors=[advisor, other_advisor])
        make_case(household, advisors=[other_advisor])
    client.force_login(advisor)
    # ... and the team's cases are counted for their pages.
    with django_assert_num_queries(12):
        response = client.get(LIST)
    assert len(response.context["team"]) == count


def test_the_teams_open_cases_come_in_pages(
    client, advisor, other_advisor, departments
):
    for n in range(30):
        make_case(
            make_household(departments[n % 3], name=f"Beboer {n}"),
            advisors=[other_advisor],
        )
    client.force_login(advisor)
    first = client.get(LIST)
    assert len(first.context["team"]) == 25
    assert 'href="?status=open&amp;page=1&amp;team_page=2#team-heading"' in (
        first.content.decode()
    )
    second = client.get(LIST, {"team_page": 2})
    assert len(second.context["team"]) == 5
    assert second.context["page"].number == 1


# --- A new case -----------------------------------------------------------------


def test_an_advisor_opens_a_case_for_a_new_household_and_is_put_on_it(
    client, advisor, streets
):
    client.force_login(advisor)
    response = client.post(CREATE, {**household_data(streets[0]), **case_data()})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    household = case.household
    assert (household.name, household.address, household.department) == (
        "Hassan Demir",
        "Rising Allé 9 st. th",
        streets[0],
    )
    assert str(household.phone) == "+45 20 12 34 56"
    assert list(case.advisors.all()) == [advisor]
    assert case.created_by == advisor
    assert case.issues == ["huslejerestance", "budget og overblik"]
    assert (case.eviction_risk, case.bailiff_date) == (
        "bailiff",
        datetime.date(2026, 6, 10),
    )
    assert case.arrears_at_start == Decimal("18500")
    assert not case.colleagues_may_know
    assert log(case) == [("advisor", "create")]
    page = client.get(response["Location"]).content.decode()
    assert "Sagen er oprettet." in page


def test_a_known_household_gets_the_new_case_so_it_counts_as_returning(
    client, advisor, other_advisor, streets
):
    known = make_household(streets[0], name="Hassan Demir", number="9", phone="")
    make_case(known, advisors=[other_advisor])
    client.force_login(advisor)
    data = household_data(
        streets[0], name=" hassan demir ", street="rising allé", phone="20 30 40 50"
    )
    response = client.post(CREATE, {**data, **case_data()}, follow=True)
    assert Household.objects.count() == 1
    case = Case.objects.get(advisors=advisor)
    assert case.household == known
    known.refresh_from_db()
    assert (known.name, str(known.phone)) == ("Hassan Demir", "+45 20 30 40 50")
    assert "Husstanden er kendt i forvejen: 1 tidligere sag." in (
        response.content.decode()
    )


def test_the_new_case_form_starts_today(client, advisor):
    client.force_login(advisor)
    response = client.get(CREATE)
    assert response.status_code == 200
    assert response.context["form"]["opened_on"].value() == TODAY
    assert "version" not in response.context["form"].fields


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"opened_on": "2026-05-05"}, "opened_on", "fremtiden"),
        ({"bailiff_date": ""}, "bailiff_date", "Skriv datoen"),
        ({"eviction_risk": "reminder"}, "bailiff_date", "hører kun til"),
        ({"arrears_now": "-1"}, "arrears_now", "negativt"),
        ({"arrears_at_start": "2000000.01"}, "arrears_at_start", "urimeligt stort"),
        ({"arrears_now": "99999999999"}, "arrears_now", "cifre"),
        ({"note": "CPR 120485-1234 fra brevet"}, "note", "CPR-nummer"),
        ({"phone": "12"}, "phone", "gyldigt telefonnummer"),
        ({"street": "Nordvej"}, "street", "ligger ikke i den valgte"),
        ({"name": "  "}, "name", "påkrævet"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_what_was_typed_is_kept(
    client, advisor, streets, change, field, message
):
    client.force_login(advisor)
    data = {**household_data(streets[0]), **case_data(), **change}
    response = client.post(CREATE, data)
    assert response.status_code == 200
    found = {**errors(response, "household_form"), **errors(response)}
    assert any(message in error for error in found[field]), found
    html = response.content.decode()
    assert 'value="st. th"' in html
    assert "Rykker modtaget i april" in html or field == "note"
    assert not Case.objects.exists()
    assert not Household.objects.exists()
    assert not CaseAccess.objects.exists()


def test_a_note_flagged_as_cpr_is_saved_once_the_advisor_confirms(
    client, advisor, streets
):
    client.force_login(advisor)
    data = {**household_data(streets[0]), **case_data(note="Sagsnr. 120485-1234")}
    response = client.post(CREATE, data)
    assert 'type="checkbox" name="confirm_cpr"' in response.content.decode()
    client.post(CREATE, {**data, "confirm_cpr": "on"})
    assert Case.objects.get().note == "Sagsnr. 120485-1234"


def test_a_valid_household_is_not_saved_when_the_case_is_not(client, advisor, streets):
    client.force_login(advisor)
    client.post(CREATE, {**household_data(streets[0]), **case_data(source="")})
    assert not Household.objects.exists()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_advisors_open_cases(client, personas, streets, role):
    client.force_login(personas[role])
    assert client.get(CREATE).status_code == 403
    data = {**household_data(streets[0]), **case_data()}
    assert client.post(CREATE, data).status_code == 403
    assert not Case.objects.exists()


def test_a_visitor_is_sent_to_log_in_before_opening_a_case(client):
    assert client.get(CREATE)["Location"].startswith(reverse("login"))


def test_a_new_case_is_not_put(client, advisor):
    client.force_login(advisor)
    assert client.put(CREATE).status_code == 405


# --- A new case for the same household ------------------------------------------


def test_an_advisor_opens_a_new_case_for_a_household_that_comes_back(
    client, advisor, case
):
    case.status, case.closed_on = Case.Status.CLOSED, TODAY
    case.save()
    client.force_login(advisor)
    response = client.get(url("case_followup", case))
    assert "household_form" not in response.context
    assert "Fatima Hansen" in response.content.decode()
    response = client.post(
        url("case_followup", case),
        case_data(eviction_risk="none", bailiff_date=""),
        follow=True,
    )
    new = Case.objects.exclude(pk=case.pk).get()
    assert response.redirect_chain[0][0] == new.get_absolute_url()
    assert new.household == case.household
    assert list(new.advisors.all()) == [advisor]
    assert log(new) == [("advisor", "create"), ("advisor", "view")]
    assert log(case) == [("advisor", "view")]
    assert "1 tidligere sag" in response.content.decode()


def test_a_follow_up_case_with_bad_input_keeps_it(client, advisor, case):
    client.force_login(advisor)
    response = client.post(url("case_followup", case), case_data(bailiff_date=""))
    assert "bailiff_date" in errors(response)
    assert "Rykker modtaget i april" in response.content.decode()
    assert Case.objects.count() == 1
    assert log(case) == [("advisor", "view")]


def test_another_advisor_cannot_open_a_case_on_a_household_they_do_not_know(
    client, other_advisor, case
):
    client.force_login(other_advisor)
    assert client.post(url("case_followup", case), case_data()).status_code == 403
    assert Case.objects.count() == 1


# --- The case page ---------------------------------------------------------------


def test_the_advisor_on_a_case_sees_all_of_it_and_the_view_is_logged(
    client, advisor, other_advisor, case
):
    case.advisors.add(other_advisor)
    add_outcome(
        case, "benefit_obtained", amount=Decimal("4200.50"), on=TODAY, by=advisor
    )
    client.force_login(advisor)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Fatima Hansen",
        "Rising Allé 7 2. tv",
        "+45 20 30 40 50",
        "Enlig med børn",
        "Rising Øst",
        "Rising",
        "Rykkerbrev fra boligorganisationen",
        "huslejerestance",
        "Rykker sendt",
        "12.500,00 kr. → 12.500,00 kr.",
        "Rykker fra boligselskabet",
        "Advisor, Advisor2",
        "Ydelse opnået",
        "4.200,50 kr.",
    ]:
        assert text in html, text
    assert response.context["can_edit"] is True
    assert log(case) == [("advisor", "view")]
    client.get(case.get_absolute_url())
    assert log(case) == [("advisor", "view"), ("advisor", "view")]


def test_the_households_other_cases_link_only_where_the_viewer_works(
    client, advisor, other_advisor, case
):
    earlier = make_case(
        case.household,
        advisors=[other_advisor],
        opened_on=datetime.date(2025, 1, 6),
        status=Case.Status.CLOSED,
        closed_on=datetime.date(2025, 3, 3),
    )
    also_mine = make_case(case.household, advisors=[advisor])
    client.force_login(advisor)
    response = client.get(case.get_absolute_url())
    html = response.content.decode().split('data-testid="household-cases"')[1]
    assert f"Sag {earlier.number}" in html and "lukket 03.03.2025" in html
    assert earlier.get_absolute_url() not in html
    assert also_mine.get_absolute_url() in html
    assert log(earlier) == []


def test_a_bailiff_date_is_shown_with_the_risk(client, advisor, household):
    case = make_case(
        household,
        advisors=[advisor],
        eviction_risk=Case.EvictionRisk.BAILIFF,
        bailiff_date=datetime.date(2026, 6, 10),
    )
    client.force_login(advisor)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Sag i fogedretten · i fogedretten 10.06.2026" in html


def test_an_anonymised_case_is_shown_without_ways_to_change_it(client, advisor, case):
    case.anonymise()
    client.force_login(advisor)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    html = response.content.decode()
    assert "Fatima Hansen" not in html and "Anonymiseret husstand" in html
    assert 'data-testid="actions"' not in html
    assert client.get(url("case_edit", case)).status_code == 403


def test_the_case_page_offers_the_close_form_from_the_cases_version(
    client, advisor, case
):
    client.force_login(advisor)
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'name="version" value="1"' in html
    assert 'name="closed_on" value="2026-05-04"' in html


def test_the_case_page_is_only_read(client, advisor, case):
    client.force_login(advisor)
    assert client.post(case.get_absolute_url()).status_code == 405
    assert log(case) == []


@pytest.mark.parametrize("count", [1, 10])
def test_the_case_page_costs_the_same_queries_however_much_it_holds(
    client, advisor, case, django_assert_num_queries, count
):
    for n in range(count):
        add_meeting(case, on=OPENED + datetime.timedelta(days=n), by=advisor)
        add_outcome(case, "budget_made", by=advisor)
        Referral.objects.create(
            case=case, to=Referral.To.MUNICIPALITY, changed_by=advisor
        )
        make_case(case.household, advisors=[advisor][: n % 2])
    client.force_login(advisor)
    with django_assert_num_queries(14):
        response = client.get(case.get_absolute_url())
    assert len(response.context["meetings"]) == count
    assert len(response.context["referrals"]) == count


# --- Editing a case -----------------------------------------------------------------


def test_an_advisor_corrects_the_household_and_the_case_together(client, advisor, case):
    client.force_login(advisor)
    response = client.get(url("case_edit", case))
    assert response.context["form"]["version"].value() == 1
    assert log(case) == [("advisor", "view")]
    data = edit_data(case, floor_door="3. th", arrears_now="9000", issue_benefits="on")
    response = client.post(url("case_edit", case), data)
    assert response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.household.floor_door == "3. th"
    assert (case.arrears_now, case.arrears_at_start) == (
        Decimal("9000"),
        Decimal("12500"),
    )
    assert case.issue_benefits and case.issue_rent_arrears
    assert case.version == 2
    assert log(case) == [("advisor", "view"), ("advisor", "edit")]


def test_when_two_advisors_edit_at_once_the_second_is_told_and_keeps_their_input(
    client, advisor, other_advisor, case
):
    case.advisors.add(other_advisor)
    client.force_login(advisor)
    colleague = TwoFactorClient()
    colleague.force_login(other_advisor)
    # Both open the edit page at version 1.
    assert client.get(url("case_edit", case)).status_code == 200
    assert colleague.get(url("case_edit", case)).status_code == 200
    first = client.post(url("case_edit", case), edit_data(case, arrears_now="8000"))
    assert first.status_code == 302
    second = colleague.post(
        url("case_edit", case),
        edit_data(case, arrears_now="7000", floor_door="4. mf", note="Ny aftale"),
    )
    assert second.status_code == 200
    html = second.content.decode()
    assert stale_message() in html
    assert 'value="7000"' in html and 'value="4. mf"' in html and "Ny aftale" in html
    case.refresh_from_db()
    assert (case.arrears_now, case.version) == (Decimal("8000"), 2)
    assert case.household.floor_door == "2. tv"
    assert case.note == "Rykker fra boligselskabet"
    # Shown again with the warning: that is a view too.
    assert [action for _, action in log(case)] == ["view", "view", "edit", "view"]


def test_bad_input_in_an_edit_is_refused_and_kept(client, advisor, case):
    client.force_login(advisor)
    data = edit_data(case, arrears_now="-5", floor_door="5. tv")
    response = client.post(url("case_edit", case), data)
    assert "arrears_now" in errors(response)
    assert 'value="5. tv"' in response.content.decode()
    case.refresh_from_db()
    assert (case.version, case.household.floor_door) == (1, "2. tv")
    assert log(case) == [("advisor", "view")]


def test_an_edit_without_a_version_is_refused(client, advisor, case):
    client.force_login(advisor)
    data = edit_data(case)
    del data["version"]
    response = client.post(url("case_edit", case), data)
    assert stale_message() in response.content.decode()
    assert Case.objects.get().version == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 404),
        ("safety_advisor", 404),
        ("partner", 404),
        ("admin", 404),
        ("coordinator", 403),
    ],
)
def test_only_the_advisors_on_a_case_edit_it(client, personas, case, role, status):
    client.force_login(personas[role])
    assert client.post(url("case_edit", case), edit_data(case)).status_code == status
    assert Case.objects.get().version == 1


def test_another_advisor_cannot_edit_a_case_they_are_not_on(
    client, other_advisor, case
):
    client.force_login(other_advisor)
    response = client.post(url("case_edit", case), edit_data(case, note="x"))
    assert response.status_code == 403
    assert Case.objects.get().note == "Rykker fra boligselskabet"


def test_a_case_is_not_edited_with_put(client, advisor, case):
    client.force_login(advisor)
    assert client.put(url("case_edit", case)).status_code == 405


# --- Joining a colleague's case ----------------------------------------------------


def test_an_advisor_joins_a_colleagues_case_with_a_reason(
    client, advisor, other_advisor, case
):
    client.force_login(other_advisor)
    response = client.get(url("case_join", case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and "Rising" in html and "Advisor" in html
    for secret in ["Fatima Hansen", "Rising Allé", "2030", "Rykker fra"]:
        assert secret not in html, secret
    assert log(case) == []
    response = client.post(
        url("case_join", case), {"reason": "Dækker for  Advisor i ferien"}
    )
    assert response["Location"] == case.get_absolute_url()
    assert set(case.advisors.all()) == {advisor, other_advisor}
    entry = CaseAccess.objects.get()
    assert (entry.user, entry.action, entry.reason) == (
        other_advisor,
        "join",
        "Dækker for Advisor i ferien",
    )
    assert client.get(case.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Skriv, hvorfor"), ("   ", "Skriv, hvorfor"), ("Ang. 120485-1234", "CPR")],
)
def test_joining_without_a_proper_reason_is_refused(
    client, other_advisor, case, reason, message
):
    client.force_login(other_advisor)
    response = client.post(url("case_join", case), {"reason": reason})
    assert response.status_code == 200
    assert any(message in error for error in errors(response)["reason"])
    assert list(case.advisors.all()) != [] and other_advisor not in case.advisors.all()
    assert log(case) == []


def test_an_advisor_already_on_the_case_goes_straight_to_it(client, advisor, case):
    client.force_login(advisor)
    response = client.get(url("case_join", case))
    assert response["Location"] == case.get_absolute_url()
    response = client.post(url("case_join", case), {"reason": "igen"})
    assert response["Location"] == case.get_absolute_url()
    assert log(case) == []


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_advisors_join_cases(client, personas, case, role):
    client.force_login(personas[role])
    response = client.post(url("case_join", case), {"reason": "Nysgerrig"})
    assert response.status_code == 403
    assert list(case.advisors.all()) == [case.advisors.get()]
    assert log(case) == []


def test_an_anonymised_case_cannot_be_joined(client, other_advisor, case):
    case.anonymise()
    client.force_login(other_advisor)
    assert client.get(url("case_join", case)).status_code == 403


def test_a_visitor_is_sent_to_log_in_before_joining(client, case):
    assert client.get(url("case_join", case))["Location"].startswith(reverse("login"))


def test_a_case_is_not_joined_with_put(client, other_advisor, case):
    client.force_login(other_advisor)
    assert client.put(url("case_join", case)).status_code == 405
