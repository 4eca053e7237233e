from django.urls import path

from . import figure_views, import_views, map_views, photo_views, views, walk_views

app_name = "safety"

urlpatterns = [
    # Nabohjælp: the figures page, the sign-ups, their import and the posters.
    path("nabohjaelp/", views.nabohjaelp, name="nabohjaelp"),
    path(
        "nabohjaelp/posters/<slug:slug>.pdf",
        views.signup_poster,
        name="signup_poster",
    ),
    path("nabohjaelp/signups/", views.signup_list, name="signup_list"),
    path("nabohjaelp/signups/new/", views.signup_create, name="signup_create"),
    path("nabohjaelp/signups/<int:pk>/", views.signup_detail, name="signup_detail"),
    path("nabohjaelp/signups/<int:pk>/edit/", views.signup_edit, name="signup_edit"),
    path(
        "nabohjaelp/signups/<int:pk>/confirm/",
        views.signup_confirm,
        name="signup_confirm",
    ),
    path(
        "nabohjaelp/signups/<int:pk>/reject/", views.signup_reject, name="signup_reject"
    ),
    path(
        "nabohjaelp/signups/<int:pk>/withdraw/",
        views.signup_withdraw,
        name="signup_withdraw",
    ),
    path(
        "nabohjaelp/signups/export/<str:fmt>/",
        views.signup_export,
        name="signup_export",
    ),
    path(
        "nabohjaelp/signups/import/", import_views.signup_import, name="signup_import"
    ),
    path(
        "nabohjaelp/signups/import/confirm/",
        import_views.signup_import_confirm,
        name="signup_import_confirm",
    ),
    path(
        "nabohjaelp/signups/import/cancel/",
        import_views.signup_import_cancel,
        name="signup_import_cancel",
    ),
    path(
        "nabohjaelp/signups/import/template.xlsx",
        import_views.signup_import_template,
        name="signup_import_template",
    ),
    # Tryghedsvandringer: walks, their findings and the findings' lifecycle.
    path("walks/", walk_views.walk_list, name="walk_list"),
    path("walks/new/", walk_views.walk_create, name="walk_create"),
    path("walks/<int:pk>/", walk_views.walk_detail, name="walk_detail"),
    path("walks/<int:pk>/edit/", walk_views.walk_edit, name="walk_edit"),
    path(
        "walks/<int:pk>/findings/new/",
        walk_views.finding_create,
        name="finding_create",
    ),
    path("findings/", walk_views.finding_worklist, name="finding_worklist"),
    path("findings/<int:pk>/", walk_views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", walk_views.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/status/", walk_views.finding_status, name="finding_status"),
    path(
        "findings/<int:pk>/confirm-fix/",
        walk_views.finding_confirm_fix,
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
