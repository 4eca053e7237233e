"""The residents' pages: no login. Short Danish addresses, as printed on posters."""

from django.urls import path

from . import public_views

app_name = "nabohjaelp"

urlpatterns = [
    # Withdrawal without the link: a one-time code to the e-mail or phone given.
    path("afmeld/", public_views.withdraw_start, name="withdraw_start"),
    path("afmeld/kode/", public_views.withdraw_code, name="withdraw_code"),
    path("afmeld/afmeldt/", public_views.withdrawn, name="withdrawn_all"),
    path("afmeld/bekraeft/", public_views.withdraw_confirm, name="withdraw_confirm"),
    # A resident's private withdrawal link (its secret in the address).
    path("afmeld/<str:secret>/", public_views.withdraw_by_link, name="withdraw"),
    path("<slug:slug>/", public_views.signup_public, name="signup"),
    path("<slug:slug>/tak/", public_views.signup_thanks, name="thanks"),
    path("<slug:slug>/afmeldt/", public_views.withdrawn, name="withdrawn"),
]
