"""Tryghedsvandringer's pages: walks, findings, photos, figures and the map."""

from django.urls import path

from . import figure_views, map_views, photo_views, views

urlpatterns = [
    # Tryghedsvandringer: walks, their findings and the findings' lifecycle.
    path("walks/", views.walk_list, name="walk_list"),
    path("walks/new/", views.walk_create, name="walk_create"),
    path("walks/export/<str:fmt>/", views.walk_export, name="walk_export"),
    path("walks/<int:pk>/", views.walk_detail, name="walk_detail"),
    path("walks/<int:pk>/edit/", views.walk_edit, name="walk_edit"),
    path("walks/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/", views.finding_worklist, name="finding_worklist"),
    path("findings/export/<str:fmt>/", views.finding_export, name="finding_export"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/status/", views.finding_status, name="finding_status"),
    path(
        "findings/<int:pk>/confirm-fix/",
        views.finding_confirm_fix,
        name="finding_confirm_fix",
    ),
    path(
        "findings/<int:pk>/photos/",
        photo_views.finding_photo_add,
        name="finding_photo_add",
    ),
    path(
        "findings/<int:pk>/photos/<int:photo_pk>/",
        photo_views.finding_photo,
        name="finding_photo",
    ),
    path(
        "findings/<int:pk>/photos/<int:photo_pk>/thumb/",
        photo_views.finding_photo_thumb,
        name="finding_photo_thumb",
    ),
    # Tryghedsvandringer in figures, and the findings on a map.
    path("figures/", figure_views.safety_figures, name="safety_figures"),
    path("findings/map/", map_views.finding_map, name="finding_map"),
]
