"""Meld et problem: the residents' pages, no login. Short Danish addresses, as
printed on posters."""

from django.urls import path

from . import public_views

app_name = "meld"

urlpatterns = [
    # The key is URL-safe base64: letters, digits, "-" and "_".
    path("status/<slug:key>/", public_views.report_status, name="status"),
    path("<slug:slug>/", public_views.report_public, name="report"),
    path("<slug:slug>/tak/", public_views.report_thanks, name="thanks"),
]
