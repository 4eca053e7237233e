"""Every beredskab page, for every role: who may see and change what (one table).

Built from the routes themselves, so a page added later without a row here fails.
The doors answer 404 where a role cannot know an object exists, 403 where it can see
it but not do that, and send the anonymous visitor to the login page.
"""

import pytest
from django.urls import URLPattern, reverse

from boligsocial.models import Role
from safety.beredskab import urls
from safety.conftest import make_incident, make_meeting, make_task

ANONYMOUS = "anonymous"
ROLES = [Role.STAFF, Role.SAFETY_ADVISOR, Role.COORDINATOR, Role.PARTNER]
ROLES += [Role.ADVISOR, Role.ADMIN, ANONYMOUS]
# The answer to a GET, per role in the order of ROLES (staff, tryghedsrådgiver,
# coordinator, the police partner told of the incident, advisor, admin, anonymous).
LOGIN = 302
EXPECTED_GET = {
    "incident_list": [200, 200, 200, 200, 403, 403, LOGIN],
    "incident_export": [200, 200, 200, 200, 403, 403, LOGIN],
    "incident_create": [200, 200, 200, 403, 403, 403, LOGIN],
    "incident_detail": [200, 200, 200, 200, 404, 404, LOGIN],
    "incident_edit": [200, 200, 200, 403, 404, 404, LOGIN],
    "incident_notify": [200, 200, 200, 403, 404, 404, LOGIN],
    "incident_close": [403, 200, 200, 403, 404, 404, LOGIN],
    "incident_reopen": [405, 405, 405, 405, 405, 405, LOGIN],
    "entry_create": [405, 405, 405, 405, 405, 405, LOGIN],
    "notification_retry": [405, 405, 405, 405, 405, 405, LOGIN],
    "contact_list": [200, 200, 200, 403, 403, 403, LOGIN],
    "contact_export": [200, 200, 200, 403, 403, 403, LOGIN],
    "contact_create": [403, 200, 200, 403, 403, 403, LOGIN],
    "contact_edit": [403, 200, 200, 404, 404, 404, LOGIN],
    "contact_delete": [403, 200, 200, 404, 404, 404, LOGIN],
    "meeting_list": [200, 200, 200, 200, 403, 403, LOGIN],
    "meeting_export": [200, 200, 200, 200, 403, 403, LOGIN],
    "meeting_create": [403, 200, 200, 403, 403, 403, LOGIN],
    "meeting_detail": [200, 200, 200, 200, 404, 404, LOGIN],
    "meeting_edit": [403, 200, 200, 403, 404, 404, LOGIN],
    "task_create": [403, 200, 200, 403, 404, 404, LOGIN],
    "task_list": [200, 200, 200, 200, 403, 403, LOGIN],
    "task_export": [200, 200, 200, 200, 403, 403, LOGIN],
    "task_edit": [403, 200, 200, 403, 404, 404, LOGIN],
    "task_done": [405, 405, 405, 405, 405, 405, LOGIN],
    "task_reopen": [405, 405, 405, 405, 405, 405, LOGIN],
    "beredskab_figures": [200, 200, 200, 200, 403, 403, LOGIN],
}


def beredskab_routes() -> list[str]:
    return [
        p.name
        for p in urls.urlpatterns
        if isinstance(p, URLPattern) and str(p.pattern).startswith("beredskab/")
    ]


def test_the_table_names_every_beredskab_page():
    assert sorted(beredskab_routes()) == sorted(EXPECTED_GET)


@pytest.fixture
def objects(rising, police, contacts, safety_advisor) -> dict[str, int]:
    incident = make_incident(rising, notify=[police], by=safety_advisor)
    meeting = make_meeting(organisations=[police], areas=[rising])
    task = make_task(meeting, police)
    return {
        "incident": incident.pk,
        "notification": incident.notifications.get().pk,
        "contact": contacts["police"].pk,
        "meeting": meeting.pk,
        "task": task.pk,
    }


def url_for(name: str, objects: dict[str, int]) -> str:
    if name.endswith("_export"):
        return reverse(f"safety:{name}", args=["csv"])
    if name.startswith(("incident_", "entry_")) and name != "incident_list":
        if name == "incident_create":
            return reverse(f"safety:{name}")
        return reverse(f"safety:{name}", args=[objects["incident"]])
    if name == "notification_retry":
        args = [objects["incident"], objects["notification"]]
        return reverse(f"safety:{name}", args=args)
    by_object = {
        "contact_edit": "contact",
        "contact_delete": "contact",
        "meeting_detail": "meeting",
        "meeting_edit": "meeting",
        "task_create": "meeting",
        "task_edit": "task",
        "task_done": "task",
        "task_reopen": "task",
    }
    if name in by_object:
        return reverse(f"safety:{name}", args=[objects[by_object[name]]])
    return reverse(f"safety:{name}")


@pytest.mark.parametrize("name", sorted(EXPECTED_GET))
def test_each_role_gets_the_answer_the_table_gives(client, personas, objects, name):
    url = url_for(name, objects)
    answers = []
    for role in ROLES:
        client.logout()
        if role != ANONYMOUS:
            client.force_login(personas[role])
        answers.append(client.get(url).status_code)

    assert answers == EXPECTED_GET[name]
