"""Nabohjælp's figures: active sign-ups per area and month, share of households,
target, ambassadors, new sign-ups by channel; and the page that shows them."""

import datetime

import pytest
from django.urls import reverse

from boligsocial.models import Area
from boligsocial.periods import Period
from safety.conftest import TODAY, make_signup
from safety.models import SignUp, SignUpTarget
from safety.nabohjaelp.figures import signup_figures
from tests.database import found_in_database

pytestmark = pytest.mark.usefixtures("frozen_today")

PAGE = reverse("safety:nabohjaelp")


def day(month: int, dom: int = 10, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, dom)


@pytest.fixture
def history(streets):
    """Rising (500 households): 3 active (one an ambassador), one withdrawn in
    March after joining in January, one waiting; Vollsmose (900): 1 active."""
    east, west, nord = streets
    make_signup(east, name="A", signed_up_on=day(1), is_ambassador=True)
    make_signup(west, name="B", signed_up_on=day(2), channel=SignUp.Channel.EVENT)
    make_signup(east, name="C", signed_up_on=day(4), channel=SignUp.Channel.PUBLIC_PAGE)
    make_signup(west, name="D", signed_up_on=day(5, 1), status=SignUp.Status.TO_CONFIRM)
    make_signup(east, name="E", signed_up_on=day(1)).withdraw(on=day(3, 20))
    make_signup(nord, name="F", signed_up_on=day(12, year=2025))
    SignUpTarget.objects.create(area=east.area, year=2026, value=20)
    return streets


def rows_by_area(figures) -> dict:
    return {row.area.slug: row for row in figures.rows}


def test_active_sign_ups_are_counted_at_each_months_end(history):
    figures = signup_figures(
        areas=Area.objects.all(), period=Period.year(2026), today=TODAY
    )
    rising = rows_by_area(figures)["rising"]
    # Jan: A, E; Feb: + B; Mar: E withdrawn; Apr: + C; May (so far): D still waits.
    assert rising.monthly[:5] == [2, 3, 2, 3, 3]
    assert rising.monthly[5:] == [None] * 7  # months ahead are not counted
    assert rising.active == 3


def test_the_share_of_households_and_the_target_stand_beside_the_count(history):
    figures = signup_figures(
        areas=Area.objects.all(), period=Period.year(2026), today=TODAY
    )
    rising, vollsmose = (rows_by_area(figures)[s] for s in ("rising", "vollsmose"))
    assert (rising.households, rising.target) == (500, 20)
    assert rising.share == pytest.approx(3 / 500)
    assert (vollsmose.active, vollsmose.households, vollsmose.target) == (1, 900, None)


def test_ambassadors_and_waiting_sign_ups_per_area(history):
    rising = rows_by_area(
        signup_figures(areas=Area.objects.all(), period=Period.year(2026), today=TODAY)
    )["rising"]
    assert (rising.ambassadors, rising.to_confirm) == (1, 1)


def test_new_sign_ups_by_channel_count_the_year_withdrawn_ones_included(history):
    figures = signup_figures(
        areas=Area.objects.all(), period=Period.year(2026), today=TODAY
    )
    rising = rows_by_area(figures)["rising"]
    assert rising.new_by_channel == {
        "door": 2,
        "event": 1,
        "public_page": 1,
        "other": 0,
    }
    assert rows_by_area(figures)["vollsmose"].new == 0  # F joined in 2025


def test_a_past_year_is_counted_to_its_end(history):
    figures = signup_figures(
        areas=Area.objects.all(), period=Period.year(2025), today=TODAY
    )
    assert rows_by_area(figures)["vollsmose"].monthly[11] == 1
    assert rows_by_area(figures)["vollsmose"].active == 1
    assert rows_by_area(figures)["rising"].active == 0


def test_the_total_adds_the_areas_and_has_a_target_only_when_all_have_one(history):
    areas = Area.objects.filter(slug__in=["rising", "vollsmose"])
    total = signup_figures(areas=areas, period=Period.year(2026), today=TODAY).total
    assert (total.active, total.households, total.target) == (4, 1400, None)
    SignUpTarget.objects.create(
        area=Area.objects.get(slug="vollsmose"), year=2026, value=30
    )
    total = signup_figures(areas=areas, period=Period.year(2026), today=TODAY).total
    assert total.target == 50


def test_a_quarter_counts_from_the_day_before_it_to_its_end(history):
    figures = signup_figures(
        areas=Area.objects.all(), period=Period.quarter(2026, 1), today=TODAY
    )
    rising = rows_by_area(figures)["rising"]
    # Before January: none. End of March: A, B (E withdrawn on 20 March).
    assert (rising.active_at_start, rising.active, rising.growth) == (0, 2, 2)
    assert len(figures.months) == 3 and rising.monthly == [2, 3, 2]
    assert rising.new == 3  # A, B, and E (withdrawn later in the quarter)


def test_the_target_is_a_level_so_a_quarter_is_held_against_the_whole_years(history):
    quarter = signup_figures(
        areas=Area.objects.all(), period=Period.quarter(2026, 3), today=TODAY
    )
    assert rows_by_area(quarter)["rising"].target == 20  # not a quarter of 20


def test_a_period_across_the_new_year_takes_the_target_of_the_year_it_ends_in(
    history,
):
    SignUpTarget.objects.create(
        area=Area.objects.get(slug="rising"), year=2025, value=10
    )
    period = Period(day(10, 1, 2025), day(3, 31))
    figures = signup_figures(areas=Area.objects.all(), period=period, today=TODAY)
    assert rows_by_area(figures)["rising"].target == 20


@pytest.mark.parametrize("extra", [0, 40])
def test_the_figures_cost_three_queries_whatever_the_number_of_sign_ups(
    history, django_assert_num_queries, extra
):
    for n in range(extra):
        make_signup(history[n % 3], name=f"Extra {n}", signed_up_on=day(1 + n % 4))
    with django_assert_num_queries(3):
        signup_figures(areas=Area.objects.all(), period=Period.year(2026), today=TODAY)


# --- The page --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "coordinator"])
def test_inside_roles_see_every_area_with_links_to_the_list_and_posters(
    client, personas, history, role
):
    client.force_login(personas[role])
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["figures"].rows) == Area.objects.count()
    assert reverse("safety:signup_poster", args=["rising"]) in html
    assert reverse("safety:signup_list") in html


def test_a_partner_sees_the_figures_of_their_areas_and_never_a_name(
    client, partner, history
):
    make_signup(history[0], name="Zacharias Unikkesen", email="zach@example.org")
    client.force_login(partner)
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert [row.area.slug for row in response.context["figures"].rows] == ["rising"]
    assert "Zacharias" not in html and "zach@example.org" not in html
    assert "Vollsmose" not in html
    assert reverse("safety:signup_list") not in html


def test_only_those_who_keep_the_sign_ups_see_how_many_wait(
    client, partner, staff, history
):
    client.force_login(partner)
    assert "Venter på bekræftelse" not in client.get(PAGE).content.decode()
    client.force_login(staff)
    assert "Venter på bekræftelse" in client.get(PAGE).content.decode()


def test_the_advisor_sees_the_figures_but_no_links_to_people(client, advisor, history):
    client.force_login(advisor)
    html = client.get(PAGE).content.decode()
    assert reverse("safety:signup_list") not in html


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(PAGE)
    assert response["Location"].startswith(reverse("login"))


def test_the_page_refuses_a_post(client, staff):
    client.force_login(staff)
    assert client.post(PAGE).status_code == 405


@pytest.mark.parametrize("year", ["2025", "1999", "abc", "2027", ""])
def test_the_year_picker_accepts_past_years_and_ignores_nonsense(
    client, staff, history, year
):
    client.force_login(staff)
    response = client.get(PAGE, {"year": year})
    assert response.status_code == 200
    expected = 2025 if year == "2025" else 2026
    assert response.context["figures"].period == Period.year(expected)


@pytest.mark.parametrize("extra", [0, 40])
def test_the_page_costs_the_same_queries_for_few_and_many_sign_ups(
    client, staff, history, django_assert_num_queries, extra
):
    for n in range(extra):
        make_signup(history[n % 3], name=f"Extra {n}")
    client.force_login(staff)
    # session, user, 3 for the session's renewal, and the figures' three.
    with django_assert_num_queries(9):
        client.get(PAGE)


def test_withdrawal_leaves_no_personal_data_anywhere_in_the_database(history):
    person = {
        "name": "Zacharias Unikkesen",
        "street": "Østergade",
        "number": "4711Z",
        "floor_door": "7. mf",
        "phone": "+4529876543",
        "email": "zach.unik@example.org",
        "note": "Hjemme efter kl. 17",
    }
    signup = make_signup(history[0], **person)
    signup.withdraw()
    needles = [
        "Zacharias",
        "Unikkesen",
        "29876543",
        "zach.unik",
        "4711Z",
        "7. mf",
        "kl. 17",
    ]
    # "Østergade" is also a street the department lists: that is not about a person.
    assert found_in_database(needles) == []


def test_each_months_count_is_the_active_sign_ups_on_its_last_day(streets):
    """The monthly counts are added up from the months sign-ups began and ended
    in; for two years of sign-ups joining and leaving on any day (the last of a
    month, a leap day, a withdrawal dated before the sign-up), each month's count
    is what counting the active ones on its last day gives."""
    import random

    from safety.models import active_on
    from safety.nabohjaelp.figures import month_ends

    rng = random.Random(24)  # noqa: S311 - repeatable test data
    first = datetime.date(2024, 1, 1)
    for n in range(120):
        joined = first + datetime.timedelta(days=rng.randrange(760))
        status = rng.choice([SignUp.Status.ACTIVE] * 3 + [SignUp.Status.TO_CONFIRM])
        signup = make_signup(
            rng.choice(streets), name=f"P{n}", signed_up_on=joined, status=status
        )
        if status == SignUp.Status.ACTIVE and rng.random() < 0.4:
            signup.withdraw(on=joined + datetime.timedelta(days=rng.randrange(-5, 300)))
    # Every month of them; and a year inside, with sign-ups and withdrawals before
    # and after it (counted as of its first month, and not at all).
    for period in [
        Period(datetime.date(2024, 1, 1), datetime.date(2026, 4, 30), "custom"),
        Period(datetime.date(2024, 7, 1), datetime.date(2025, 6, 30), "custom"),
    ]:
        figures = signup_figures(areas=Area.objects.all(), period=period, today=TODAY)

        for row in figures.rows:
            expected = [
                SignUp.objects.filter(active_on(end), area=row.area).count()
                for end in month_ends(period)
            ]
            assert row.monthly == expected, (period, row.area.slug)
            assert row.monthly[-1] == row.active
