"""Celery beat's schedule names tasks the worker knows."""

from django.conf import settings

from boligsocial.celery import app


def test_every_scheduled_task_is_one_the_worker_has_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled <= set(app.tasks)
    assert "safety.tasks.send_due_notifications" in scheduled


def test_waiting_incident_notifications_are_looked_at_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["incident-notifications"]
    assert entry["schedule"] == 60


def test_the_retention_rules_run_daily():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["anonymise-advice-cases"]["schedule"] == 60 * 60 * 24
    assert schedule["safety-retention"] == {
        "task": "safety.tasks.apply_retention",
        "schedule": 60 * 60 * 24,
    }
