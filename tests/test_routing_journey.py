"""The daily loop across roles, in Chromium on a phone and on a desktop: a
tryghedsrådgiver records a finding in Korsløkkeparken; the housing organisation's
partner, whose areas do not include it, finds it on "Mit arbejde", opens it from
the bell, sets it in progress and then fixed; the tryghedsrådgiver is told, and
the figures count it fixed."""

import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from boligsocial.models import Area, Notification, Organisation, Role
from boligsocial.periods import Period
from conftest import PASSWORD, make_user
from reports.models import ReportRun
from reports.pdf import render_report
from reports.services import request_report
from safety.models import Contact, Finding, FindingCategory, RoutingRule, Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_finding_routed_to_a_housing_organisation_is_fixed_by_its_partner(
    page, live_server, login, safety_advisor, width
):
    page.set_viewport_size({"width": width, "height": 900})
    console = []
    page.on("console", lambda message: console.append(message.text))
    housing = Organisation.objects.create(
        name="Civica Odense", kind=Organisation.Kind.HOUSING
    )
    partner = make_user(
        "bolig", Role.PARTNER, organisation=housing.name, areas=["vollsmose"]
    )
    korslokke = Area.objects.get(slug="korslokkeparken")
    RoutingRule.objects.create(
        category=FindingCategory.objects.get(name="Hærværk"),
        area=korslokke,
        organisation=housing,
    )
    walk = Walk.objects.create(
        area=korslokke,
        starts_at=timezone.now(),
        status=Walk.Status.HELD,
        created_by=safety_advisor,
    )

    # The tryghedsrådgiver records it; the organisation is named before it goes.
    login(safety_advisor)
    page.goto(live_server.url + reverse("safety:finding_create", args=[walk.pk]))
    page.get_by_label("Kategori").select_option(label="Hærværk")
    expect(page.get_by_label("Ansvarlig organisation")).to_have_value(str(housing.pk))
    page.get_by_label("Beskrivelse").fill("Graffiti på gavlen")
    page.get_by_label("Sted").fill("Gavlen ved nr. 9")
    page.get_by_role("button", name="Gem fundet", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Civica Odense")
    finding = Finding.objects.get()

    # The partner lands on its queue, with the bell ringing once.
    page.context.clear_cookies()
    login(partner)
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("my-work")).to_contain_text("Hærværk: Gavlen ved nr. 9")
    expect(page.get_by_test_id("bell")).to_contain_text("1")
    page.get_by_test_id("bell").click()
    page.get_by_role("link", name="Hærværk: Gavlen ved nr. 9, Korsløkkeparken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hærværk: Gavlen ved nr. 9"
    )

    # In progress at once; fixed asks once to confirm.
    page.get_by_label("I gang", exact=True).check()
    expect(page.get_by_label("Hvorfor lukkes det uden udbedring?")).to_be_hidden()
    page.get_by_role("button", name="Gem status").click()
    expect(page.get_by_test_id("status")).to_have_text("I gang")
    page.get_by_label("Udbedret", exact=True).check()
    expect(page.get_by_label("Tjekkes igen på vandring")).to_be_visible()
    expect(page.get_by_label("Hvorfor lukkes det uden udbedring?")).to_be_hidden()
    page.get_by_label("Kommentar").fill("Gavlen er malet")
    page.get_by_role("button", name="Gem status").click()
    expect(page.get_by_test_id("status-confirm")).to_contain_text("»Udbedret«")
    assert Finding.objects.get().status == Finding.Status.IN_PROGRESS
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_test_id("status")).to_have_text("Udbedret")
    expect(page.get_by_test_id("history")).to_contain_text("Gavlen er malet")

    # The tryghedsrådgiver is told, and the figures count it fixed.
    told = Notification.objects.filter(user=safety_advisor, kind="finding_changed")
    assert [n.text.rsplit(" · ", 1)[1] for n in told] == ["Udbedret", "I gang"]
    page.context.clear_cookies()
    login(safety_advisor)
    page.goto(
        live_server.url
        + reverse("safety:safety_figures")
        + f"?year={found_in(finding)}"
    )
    expect(page.get_by_test_id("share-fixed")).to_contain_text("1 af 1")
    expect(page.get_by_test_id("bell")).to_contain_text("2")
    width_of_page = page.evaluate("document.documentElement.scrollWidth")
    assert width_of_page <= width
    assert finding.pk and [t for t in console if "Content Security Policy" in t] == []

    # The municipality's PDF counts it fixed under the housing organisation.
    if width > 375:  # one PDF is enough
        text = municipality_pdf_text(safety_advisor, korslokke, found_in(finding))
        assert re.search(r"Civica Odense\s+1\s+1\s+100", text), text


def found_in(finding: Finding) -> int:
    """The year the finding was made: the figures' year, even if the test runs
    across midnight on New Year's Eve."""
    return timezone.localdate(finding.found_at).year


def municipality_pdf_text(by, area, year: int) -> str:
    """The municipality's status report of this year, built as the worker builds
    it, as its text."""
    coordinator = make_user(
        "koordinator", Role.COORDINATOR, organisation=by.organisation.name
    )
    run, _ = request_report(
        kind=ReportRun.Kind.MUNICIPALITY,
        period=Period.year(year),
        areas=[area],
        by=coordinator,
    )
    pdf, _pages, _record = render_report(run)
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


@pytest.mark.parametrize("width", [375, 1280])
def test_an_incident_told_to_two_organisations_reaches_each_partner_once(
    page, live_server, login, safety_advisor, partner, width
):
    page.set_viewport_size({"width": width, "height": 900})
    police = partner.organisation
    housing = Organisation.objects.create(
        name="Civica Odense", kind=Organisation.Kind.HOUSING
    )
    bolig = make_user(
        "bolig", Role.PARTNER, organisation=housing.name, areas=["vollsmose"]
    )
    vollsmose = Area.objects.get(slug="vollsmose")
    for organisation in (police, housing):
        Contact.objects.create(
            organisation=organisation,
            area=vollsmose,
            name="Vagt",
            role="Vagthavende",
            email=f"vagt{organisation.pk}@example.org",
        )

    login(safety_advisor)
    page.goto(live_server.url + reverse("safety:incident_create"))
    page.get_by_label("Overskrift").fill("Knallertkørsel på stierne")
    page.get_by_label("Type").select_option(index=1)
    page.get_by_label("Boligområde").select_option(label="Vollsmose")
    page.get_by_label("Sted").fill("Stien ved Vollsmose Allé")
    page.get_by_label("Alvorlighed").select_option(index=1)
    page.get_by_label("Anmeldt af").select_option(label="En beboer")
    page.get_by_label("Hvad skete der").fill("Tre knallerter kørte stærkt.")
    page.get_by_label("Fyns Politi").check()
    page.get_by_label("Civica Odense").check()
    page.get_by_role("button", name="Opret og underret").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Knallertkørsel på stierne"
    )

    for person in (partner, bolig):
        page.context.clear_cookies()
        login(person)
        page.goto(live_server.url + "/")
        incidents = page.get_by_test_id("my-work").get_by_role(
            "link", name="Knallertkørsel på stierne"
        )
        expect(incidents).to_have_count(1)
        expect(page.get_by_test_id("bell")).to_contain_text("1")
        page.get_by_test_id("bell").click()
        expect(page.get_by_test_id("notifications").locator("li")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_category_chosen_before_the_routing_script_ran_still_names_the_organisation(
    page, live_server, login, staff
):
    """On a slow line the person may choose the category before the page's script
    has run; the organisation is named all the same."""
    police = Organisation.objects.get(name="Fyns Politi")
    RoutingRule.objects.create(
        category=FindingCategory.objects.get(name="Hærværk"), organisation=police
    )
    walk = Walk.objects.create(
        area=Area.objects.get(slug="rising"), starts_at=timezone.now(), created_by=staff
    )
    held = []
    page.route(
        "**/finding_routing*.js", lambda route: held.append(route)
    )  # held back until the category is chosen
    login(staff)
    page.goto(
        live_server.url + reverse("safety:finding_create", args=[walk.pk]),
        wait_until="commit",
    )
    page.get_by_label("Kategori").select_option(label="Hærværk")
    responsible = page.get_by_label("Ansvarlig organisation")
    expect(responsible).to_have_value("")
    for _wait in range(100):  # the script's request reaches the route
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the routing script was not requested"
    held[0].continue_()
    expect(responsible).to_have_value(str(police.pk))


def test_the_status_form_shows_only_the_chosen_statuss_fields_without_javascript(
    browser, live_server, staff, partner
):
    rising = Area.objects.get(slug="rising")
    walk = Walk.objects.create(area=rising, starts_at=timezone.now(), created_by=staff)
    finding = Finding.objects.create(
        walk=walk,
        area=rising,
        category=FindingCategory.objects.get(name="Hærværk"),
        description="Knust rude",
        place="Opgang 4",
        responsible=partner.organisation,
        status=Finding.Status.SENT,
        created_by=staff,
    )
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(reverse("login"))
    page.locator("input[name=username]").fill(partner.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(finding.get_absolute_url())
    reason = page.get_by_label("Hvorfor lukkes det uden udbedring?")
    recheck = page.get_by_label("Tjekkes igen på vandring")
    expect(reason).to_be_hidden()
    expect(recheck).to_be_hidden()
    page.get_by_label("Lukket uden udbedring", exact=True).check()
    expect(reason).to_be_visible()
    expect(recheck).to_be_hidden()
    expect(page.get_by_label("Givet videre til")).to_be_hidden()
    reason.select_option("not_ours")
    expect(page.get_by_label("Givet videre til")).to_be_visible()
    page.get_by_label("Givet videre til").fill("Vejdirektoratet")
    page.get_by_role("button", name="Gem status").click()
    expect(page.get_by_test_id("status-confirm")).to_contain_text("Vejdirektoratet")
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_test_id("status")).to_have_text("Lukket uden udbedring")
    context.close()


def test_the_new_pages_fit_a_phone(page, live_server, login, staff, coordinator):
    """Mit arbejde, the bell's list and choices, and the sending back of a status
    text, at 375 px without sideways scrolling."""
    from activities.models import Activity, PlanPeriod, YearStatus

    plan = PlanPeriod.objects.current()
    activity = Activity.objects.filter(focus_area__plan_period=plan).first()
    year = plan.current_year()
    YearStatus.objects.create(
        activity=activity,
        year=year,
        status=YearStatus.Status.ONGOING,
        narrative="Et langt ord: " + "Beboerdemokratiudviklingsforløbet " * 3,
        written_by=staff,
    )
    Notification.objects.create(
        user=coordinator,
        kind=Notification.Kind.STATUS_SUBMITTED,
        text=f"{activity} {year} " + "Helhedsplansstatusrapporteringen " * 3,
        url=activity.get_absolute_url(),
        delivery="portal",
    )
    page.set_viewport_size({"width": 375, "height": 812})
    login(coordinator)
    for url in (
        "/",
        reverse("notification_list"),
        reverse("notification_settings"),
        reverse("activities:status_send_back", args=[activity.pk, year]),
    ):
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{url} is {width} px wide"
