"""The residents' pages: no login. Short Danish addresses, as printed on posters."""

from django.urls import path

from . import public_views

app_name = "nabohjaelp"

urlpatterns = [
    path("<slug:slug>/", public_views.signup_public, name="signup"),
    path("<slug:slug>/tak/", public_views.signup_thanks, name="thanks"),
]
