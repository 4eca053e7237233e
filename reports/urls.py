from django.urls import path

from . import run_views, schedule_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "export/<slug:slug>.<str:fmt>",
        views.dashboard_export,
        name="dashboard_export",
    ),
    path("pdf/", run_views.run_list, name="run_list"),
    path("pdf/<int:pk>/", run_views.run_detail, name="run_detail"),
    path("pdf/<int:pk>/retry/", run_views.run_retry, name="run_retry"),
    path("pdf/<int:pk>/download/", run_views.run_download, name="run_download"),
    path("pdf/schedules/", schedule_views.schedule_list, name="schedule_list"),
    path("pdf/schedules/new/", schedule_views.schedule_create, name="schedule_create"),
    path(
        "pdf/schedules/<int:pk>/pause/",
        schedule_views.schedule_pause,
        name="schedule_pause",
    ),
    path(
        "pdf/schedules/<int:pk>/resume/",
        schedule_views.schedule_resume,
        name="schedule_resume",
    ),
    path(
        "pdf/schedules/<int:pk>/delete/",
        schedule_views.schedule_delete,
        name="schedule_delete",
    ),
]
