"""Nothing of the reports is kept in the admin: report schedules are created,
paused and deleted on the report pages (reports/schedule_views.py)."""
