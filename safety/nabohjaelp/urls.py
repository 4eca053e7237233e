"""Nabohjælp's pages: the figures, the sign-ups, their import and the posters."""

from django.urls import path

from . import import_views, views

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
]
