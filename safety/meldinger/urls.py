"""Residents' reports inside the portal (the `safety` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path(
        "reports/<int:pk>/finding/", views.report_to_finding, name="report_to_finding"
    ),
    path("reports/<int:pk>/decline/", views.report_decline, name="report_decline"),
    path("reports/<int:pk>/photo/", views.report_photo, name="report_photo"),
    path(
        "reports/<int:pk>/photo/thumb/",
        views.report_photo_thumb,
        name="report_photo_thumb",
    ),
]
