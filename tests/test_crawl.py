"""Every page each role reaches by links, at a phone's width, in Chromium: no page
scrolls sideways, chart text is 11 px or more, and axe-core (WCAG 2.1 A and AA)
finds nothing serious or critical. The portal is the demo data
(`manage.py demo_data`), as a person trying it meets it."""

import os
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import expect

from boligsocial.management.commands.demo_data import DEMO_PASSWORD, USERS
from boligsocial.models import User
from tests.test_accessibility import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}
# The slow, separate check: axe over each view in every role, not once over all.
EVERY_ROLE = os.environ.get("PORTAL_CRAWL_EVERY_ROLE") == "1"
# Not pages: files, feeds and pictures; the admin is Django's own; logging out
# would end the crawl.
NOT_PAGES = (
    "export",
    "download",
    "pdf",
    "feed",
    "ics",
    "photo",
    "thumbnail",
    "file",
    "template",
)
NOT_CRAWLED = ("logout", "set_language")


def page_name(url: str, live_server) -> str | None:
    """The view a link leads to (one of each is opened), or None when it is no
    page of the portal's own to open."""
    parts = urlsplit(url)
    if parts.netloc != urlsplit(live_server.url).netloc or parts.path.startswith(
        ("/admin/", "/static/", "/media/")
    ):
        return None
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        return None
    if name in NOT_CRAWLED or any(word in name for word in NOT_PAGES):
        return None
    return name


# What sticks out past the right edge: the innermost such elements, outside the
# boxes that scroll on their own.
WIDEST = """() => Array.from(document.querySelectorAll('main *'))
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .filter(e => !e.closest('.table-responsive'))
  .filter(e => !Array.from(e.children).some(
    c => c.getBoundingClientRect().right > innerWidth + 1))
  .slice(0, 3)
  .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40))"""


# A text's size on screen: its size times the scale it is drawn at (turned or not).
SMALLEST_CHART_TEXT = """() => Math.min(...Array.from(
  document.querySelectorAll('.chart svg text'),
  text => parseFloat(text.getAttribute('font-size'))
    * Math.hypot(text.getScreenCTM().a, text.getScreenCTM().b)))"""


def crawl(page, live_server, checked: set, limit: int = 150):
    """(url, width, what sticks out, axe findings) for one page of each view the
    logged-in person reaches from home. axe looks at a view once over all roles
    (`checked`): what it finds is in the template, and that keeps CI quick."""
    seen, queue, found = set(), [live_server.url + "/"], []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        name = page_name(url, live_server)
        if name is None or name in seen:
            continue
        seen.add(name)
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(WIDEST) if width > PHONE["width"] else []
        violations = [] if name in checked else serious_violations(page)
        if response.status >= 400:
            violations.append(f"{url}: answered {response.status}")
        charts = page.locator(".chart svg text").count() > 0
        if charts and (smallest := page.evaluate(SMALLEST_CHART_TEXT)) < 11:
            violations.append(f"{url}: chart text of {smallest:.1f} px, under 11")
        checked.add(name)
        found.append((url, width, wide, violations, charts))
        for href in page.eval_on_selector_all(
            "a[href]", "links => links.map(link => link.getAttribute('href'))"
        ):
            if not href.startswith(("#", "mailto:", "tel:", "javascript:")):
                queue.append(urljoin(page.url, href.split("#")[0]))
    return found


# The coordinator first: they reach the most.
ROLES_IN_TURN = sorted(
    (user[0] for user in USERS), key=lambda name: name != "koordinator"
)


def test_every_page_each_role_reaches_fits_a_phone_and_passes_axe(
    page, live_server, login
):
    call_command("demo_data", verbosity=0)
    page.set_viewport_size(PHONE)
    checked, wide, violations, charted = set(), [], [], 0
    for username in ROLES_IN_TURN:
        login(User.objects.get(username=username), password=DEMO_PASSWORD)
        if EVERY_ROLE:
            checked = set()
        found = crawl(page, live_server, checked)
        assert len(found) > 10, f"{username}: too few pages found to mean anything"
        wide += [
            f"{username} {url}: {width} px ({', '.join(sticking_out)})"
            for url, width, sticking_out, *_ in found
            if width > PHONE["width"]
        ]
        violations += [f"{username} {v}" for *_, here, _ in found for v in here]
        charted += sum(charts for *_, charts in found)
    assert wide == []
    assert violations == []
    assert charted >= 3, "the crawl met too few charts to measure their text"


# The ring around what has the keyboard's focus, and the colour behind it: the
# first opaque background among the element's ancestors (outside the element,
# where the ring is drawn).
RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement, background = 'rgb(255, 255, 255)';
  while (behind) {
    const color = getComputedStyle(behind).backgroundColor;
    if (color !== 'rgba(0, 0, 0, 0)' && color !== 'transparent') {
      background = color;
      break;
    }
    behind = behind.parentElement;
  }
  return {
    what: element.tagName + ' ' + (element.textContent || '').trim().slice(0, 30),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    color: style.outlineColor, background: background,
  };
}"""


def luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", rgb)[:3])
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("path", ["/", "/plan/records/new/", "/reports/"])
def test_the_keyboards_place_is_ringed_at_3_to_1_on_every_stop(
    page, live_server, login, coordinator, path
):
    page.set_viewport_size(PHONE)
    login(coordinator)
    page.goto(live_server.url + path)
    faint = []
    for _stop in range(60):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if ring["what"].startswith("BODY"):
            break
        if (
            ring["style"] == "none"
            or ring["width"] < 2
            or contrast(ring["color"], ring["background"]) < 3
        ):
            faint.append(ring)
    assert faint == [], faint


def form_pages() -> list[tuple[str, str]]:
    """(login, address) of the main forms, with the demo data's keys in them."""
    from safety.models import Walk

    walk = Walk.objects.order_by("pk").first()
    return [
        ("medarbejder", reverse("activities:record_create")),
        ("medarbejder", reverse("activities:event_create")),
        ("tryghed", reverse("safety:walk_create")),
        ("tryghed", reverse("safety:finding_create", args=[walk.pk])),
        ("tryghed", reverse("safety:signup_create")),
        ("tryghed", reverse("safety:incident_create")),
        ("tryghed", reverse("safety:contact_create")),
        ("tryghed", reverse("safety:meeting_create")),
        ("raadgiver", reverse("advice:case_create")),
        ("koordinator", reverse("person_invite")),
        ("koordinator", reverse("reports:run_list")),
    ]


def test_the_main_forms_in_error_fit_a_phone_and_pass_axe(page, live_server, login):
    """Each sent with its typed fields emptied: the page with its errors."""
    call_command("demo_data", verbosity=0)
    page.set_viewport_size(PHONE)
    found, who = [], None
    for username, address in form_pages():
        if username != who:
            login(User.objects.get(username=username), password=DEMO_PASSWORD)
            who = username
        page.goto(live_server.url + address)
        form = page.locator("main form[method=post]").last
        for field in form.locator(
            "input[type=text]:visible, input[type=number]:visible, "
            "input[type=date]:visible, input[type=email]:visible, "
            "input[type=tel]:visible, input[type=datetime-local]:visible, "
            "textarea:visible"
        ).all():
            field.fill("")
        form.locator("button[type=submit]").first.click()
        # The first (a case's page has two forms in one: household and case).
        summary = page.locator("[data-error-summary]").first
        expect(summary, address).to_be_focused()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            found.append(f"{address}: {width} px ({page.evaluate(WIDEST)})")
        found.extend(serious_violations(page))
    assert found == []
