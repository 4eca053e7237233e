from django.urls import path

from boligsocial.import_views import import_urls

from . import event_views, feed_views, record_views, views, year_close_views
from .export_views import event_export
from .imports import HISTORY_IMPORT, RECORD_IMPORT

app_name = "activities"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/targets/", views.targets_edit, name="targets_edit"),
    path(
        "activities/<int:pk>/status/<int:year>/",
        views.status_edit,
        name="status_edit",
    ),
    path(
        "activities/<int:pk>/status/<int:year>/approve/",
        views.status_approve,
        name="status_approve",
    ),
    path(
        "activities/<int:pk>/status/<int:year>/send-back/",
        views.status_send_back,
        name="status_send_back",
    ),
    path(
        "activities/<int:pk>/status/<int:year>/reopen/",
        views.status_reopen,
        name="status_reopen",
    ),
    path("year-close/", year_close_views.year_close, name="year_close"),
    path("focus-areas/<int:pk>/", views.focus_area_detail, name="focus_area_detail"),
    path("records/", record_views.record_list, name="record_list"),
    path("records/new/", record_views.record_create, name="record_create"),
    path("records/<int:pk>/", record_views.record_edit, name="record_edit"),
    path("records/<int:pk>/delete/", record_views.record_delete, name="record_delete"),
    path("records/export/<str:fmt>/", record_views.record_export, name="record_export"),
    # The calendar of planned events; its forms live under it so the menu marks it.
    path("calendar/", event_views.calendar, name="calendar"),
    path("calendar/new/", event_views.event_create, name="event_create"),
    path("calendar/<int:pk>/", event_views.event_edit, name="event_edit"),
    path("calendar/<int:pk>/delete/", event_views.event_delete, name="event_delete"),
    path("calendar/export/<str:fmt>/", event_export, name="event_export"),
    path("calendar/<int:pk>/cancel/", event_views.event_cancel, name="event_cancel"),
    # A person's calendar feed: the page of its address, and the feed itself, which
    # a calendar app fetches without logging in (the token is the key).
    path(
        "calendar/subscription/",
        feed_views.calendar_subscription,
        name="calendar_subscription",
    ),
    path(
        "calendar/subscription/renew/",
        feed_views.calendar_feed_renew,
        name="calendar_feed_renew",
    ),
    path(
        "calendar/subscription/stop/",
        feed_views.calendar_feed_stop,
        name="calendar_feed_stop",
    ),
    path(
        "calendar/feed/<slug:feed_token>.ics",
        feed_views.calendar_feed,
        name="calendar_feed",
    ),
    # Import of historical records from Excel: upload and preview, then decide.
    *import_urls("records/import/", "record_import", RECORD_IMPORT),
    # The coordinators' historic import: earlier plans and ended activities.
    *import_urls("records/history-import/", "history_import", HISTORY_IMPORT),
]
