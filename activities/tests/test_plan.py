"""The plan structure from the sources, and the pages that show it."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from activities.models import Activity, FocusArea, Indicator, PlanPeriod, Target

PLAN_2024 = "Boligsocial helhedsplan 2024–2028"
PLAN_2017 = "Boligsocial helhedsplan 2017–2021"


@pytest.mark.django_db
def test_both_plan_periods_are_loaded_with_their_focus_areas_and_activities():
    counts = {
        plan.name: (
            plan.focus_areas.filter(kind=FocusArea.Kind.FOCUS_AREA).count(),
            plan.focus_areas.filter(kind=FocusArea.Kind.CROSS_CUTTING).count(),
            Activity.objects.filter(focus_area__plan_period=plan).count(),
        )
        for plan in PlanPeriod.objects.all()
    }
    # 2024–2028: four LBF focus areas with thirteen activities, plus the beredskabsplan.
    # 2017–2021: Tryghed og trivsel and the crime-prevention effort, four each.
    assert counts == {PLAN_2024: (4, 1, 14), PLAN_2017: (1, 1, 8)}


@pytest.mark.django_db
def test_every_named_focus_area_is_there_in_the_sources_order():
    plan = PlanPeriod.objects.get(name=PLAN_2024)
    assert [fa.name for fa in plan.focus_areas.all()] == [
        "Uddannelse og livschancer",
        "Beskæftigelse",
        "Kriminalitetsforebyggelse",
        "Sammenhængskraft og medborgerskab",
        "Boligsocial beredskabsplan",
    ]


@pytest.mark.django_db
def test_the_plans_cover_their_areas_and_skt_klemensparken_only_the_old_plan():
    areas = {
        plan.name: sorted(a.name for a in plan.areas.all())
        for plan in PlanPeriod.objects.all()
    }
    assert len(areas[PLAN_2024]) == 7
    assert "Skt. Klemensparken" not in areas[PLAN_2024]
    assert "Skt. Klemensparken" in areas[PLAN_2017]


@pytest.mark.django_db
def test_activities_that_run_in_one_area_only_say_so():
    walk = Activity.objects.get(name="Tryghedsvandringer")
    street = Activity.objects.get(name="Gadeplansarbejde")
    assert [a.name for a in walk.areas.all()] == ["Korsløkkeparken"]
    assert [a.name for a in street.areas.all()] == ["Rising"]


@pytest.mark.django_db
def test_every_activity_counts_at_least_one_indicator():
    assert not Activity.objects.filter(indicators=None).exists()


@pytest.mark.django_db
def test_a_target_outside_its_plans_years_is_refused():
    indicator = Indicator.objects.filter(
        activity__focus_area__plan_period__name=PLAN_2024
    ).first()
    with pytest.raises(ValidationError) as error:
        Target(indicator=indicator, year=2030, value=5).full_clean()
    assert "year" in error.value.message_dict


@pytest.mark.django_db
def test_one_target_per_indicator_and_year():
    indicator = Indicator.objects.first()
    Target.objects.create(indicator=indicator, year=2024, value=5)
    with pytest.raises(IntegrityError):
        Target.objects.create(indicator=indicator, year=2024, value=6)


@pytest.mark.django_db
def test_a_plan_must_end_after_it_starts():
    plan = PlanPeriod(name="Baglæns", start="2030-01-01", end="2029-01-01")
    with pytest.raises(ValidationError):
        plan.full_clean()


@time_machine.travel("2026-03-01 12:00 +0100")
def test_the_plan_page_opens_on_the_current_plan(client, partner):
    client.force_login(partner)
    response = client.get(reverse("activities:plan_list"))
    current = PlanPeriod.objects.get(name=PLAN_2024)
    assert response.status_code == 302
    assert response.url == current.get_absolute_url()


@time_machine.travel("2030-03-01 12:00 +0100")
def test_with_no_current_plan_the_plan_page_lists_them_all(
    client, staff, django_assert_num_queries
):
    client.force_login(staff)
    with django_assert_num_queries(8):
        response = client.get(reverse("activities:plan_list"))
    assert [p.name for p in response.context["plans"]] == [PLAN_2024, PLAN_2017]


def test_the_plan_page_shows_goals_and_activities_in_constant_queries(
    client, staff, django_assert_num_queries
):
    plan = PlanPeriod.objects.get(name=PLAN_2024)
    client.force_login(staff)
    with django_assert_num_queries(11):
        response = client.get(plan.get_absolute_url())
    html = response.content.decode()
    assert "Flere beboere bliver tilknyttet arbejdsmarkedet." in html
    assert "Fritidsjobrådgivning" in html
    assert "Tværgående indsats" in html


def test_the_activity_page_shows_the_chosen_years_target(client, partner):
    activity = Activity.objects.get(name="Fritidsjobrådgivning")
    indicator = activity.indicators.get(name="Unge der har fået et fritidsjob")
    Target.objects.create(indicator=indicator, year=2025, value=40)
    client.force_login(partner)
    response = client.get(activity.get_absolute_url(), {"year": "2025"})
    assert response.status_code == 200
    assert response.context["years"] == [2024, 2025, 2026, 2027, 2028]
    rows = {r.name: r.target for r in response.context["rows"]}
    assert rows[indicator.name] == 40


@pytest.mark.parametrize("name", ["plan_detail", "activity_detail"])
def test_an_unknown_plan_or_activity_is_not_found(client, staff, name):
    client.force_login(staff)
    assert client.get(reverse(f"activities:{name}", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", ["plan_list", "plan_detail", "activity_detail"])
def test_the_plan_pages_answer_get_only(client, staff, name):
    client.force_login(staff)
    args = [] if name == "plan_list" else [Activity.objects.first().pk]
    assert client.post(reverse(f"activities:{name}", args=args)).status_code == 405
