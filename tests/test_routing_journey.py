"""The daily loop across roles, in Chromium on a phone and on a desktop: a
tryghedsrådgiver records a finding in Korsløkkeparken; the housing organisation's
partner, whose areas do not include it, finds it on "Mit arbejde", opens it from
the bell, sets it in progress and then fixed; the tryghedsrådgiver is told, and
the figures count it fixed."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from boligsocial.models import Area, Notification, Organisation, Role
from conftest import make_user
from safety.models import Finding, FindingCategory, RoutingRule, Walk

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
        + f"?year={timezone.localdate().year}"
    )
    expect(page.get_by_test_id("share-fixed")).to_contain_text("1 af 1")
    expect(page.get_by_test_id("bell")).to_contain_text("2")
    width_of_page = page.evaluate("document.documentElement.scrollWidth")
    assert width_of_page <= width
    assert finding.pk and [t for t in console if "Content Security Policy" in t] == []
