"""Nabohjælp's pages: the figures, the sign-ups, their import and the posters."""

from django.urls import path

from boligsocial.import_views import import_urls

from . import views
from .imports import SIGNUP_IMPORT

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
        "nabohjaelp/signups/<int:pk>/data/",
        views.signup_person_export,
        name="signup_person_export",
    ),
    path(
        "nabohjaelp/signups/<int:pk>/erase/",
        views.signup_erase,
        name="signup_erase",
    ),
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
    *import_urls("nabohjaelp/signups/import/", "signup_import", SIGNUP_IMPORT),
]
