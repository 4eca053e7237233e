"""The safety app's addresses: one file per part, all in the `safety` namespace."""

from django.urls import include, path

app_name = "safety"

urlpatterns = [
    path("", include("safety.nabohjaelp.urls")),
    path("", include("safety.walks.urls")),
    path("", include("safety.beredskab.urls")),
    path("", include("safety.meldinger.urls")),
]
