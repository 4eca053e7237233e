import pytest, time_machine
from django.urls import reverse
from conftest import TwoFactorClient
from tests.world import NOW, build_world
from safety.models import Incident

CASES = [
 ("safety:walk_create", {}, {"area": "RISING", "starts_at": "X", "status": "planned"}),
 ("safety:incident_create", {}, {"title": "t", "kind": "fire", "area": "RISING", "place": "p", "occurred_at": "X", "severity": "2", "reported_by": "resident", "description": "d"}),
]

@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "9999-12-31"])
def test_dates(db, value, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        w = build_world()
        c = TwoFactorClient(); c.force_login(w.people["safety_advisor"])
        for name, kw, data in CASES:
            d = {k: (value if v == "X" else (w.rising.pk if v == "RISING" else v)) for k, v in data.items()}
            r = c.post(reverse(name, kwargs=kw), d)
            print(name, value, r.status_code)
        # entry
        r = c.post(reverse("safety:entry_create", args=[w.incident.pk]), {"kind": "update", "happened_at": value, "text": "x"})
        print("entry", value, r.status_code)
        r = c.post(reverse("safety:finding_create", args=[w.walk.pk]), {"category": w.category.pk, "description": "d", "place": "p", "severity": "low", "responsible": w.police.pk, "due_date": value[:10]})
        print("finding", value, r.status_code)
        r = c.post(reverse("safety:finding_status", args=[w.finding.pk]), {"to": "in_progress", "version": w.finding.version, "recheck_on": value[:10]})
        print("status", value, r.status_code)
        c2 = TwoFactorClient(); c2.force_login(w.people["advisor"])
        r = c2.post(reverse("advice:case_close", args=[w.case.pk]), {"closed_on": value[:10], "version": w.case.version})
        print("close", value, r.status_code)
        r = c2.post(reverse("advice:meeting_create", args=[w.case.pk]), {"held_on": value[:10], "place": "home", "duration_minutes": "60"})
        print("meeting", value, r.status_code)
        c3 = TwoFactorClient(); c3.force_login(w.people["staff"])
        r = c3.post(reverse("activities:record_create"), {"activity": w.activity.pk, "date": value[:10], "area": w.rising.pk, "participants": "3"})
        print("record", value, r.status_code)
        r = c3.post(reverse("activities:event_create"), {"title": "t", "activity": w.activity.pk, "date": value[:10], "place": "p", "area": w.rising.pk, "organiser": w.police.pk})
        print("event", value, r.status_code)
        c4 = TwoFactorClient(); c4.force_login(w.people["coordinator"])
        r = c4.post(reverse("reports:run_list"), {"kind": "municipality", "period": "custom", "start": value[:10], "end": value[:10]})
        print("run", value, r.status_code)
        r = c4.get(reverse("reports:dashboard"), {"period": "custom", "start": value[:10], "end": value[:10]})
        print("dashboard", value, r.status_code)
        r = c4.get(reverse("advice:advice_figures"), {"start": value[:10], "end": value[:10]})
        print("advice_figures", value, r.status_code)
        r = c3.get(reverse("activities:calendar"), {"start": value[:10]})
        print("calendar", value, r.status_code)
