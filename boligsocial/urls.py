from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import (
    export_views,
    health,
    kept_forms,
    notification_views,
    people_views,
    two_factor,
    views,
)
from .import_views import import_urls
from .organisation_imports import ORGANISATION_IMPORT

auth_urls = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("resume/", kept_forms.resume_form, name="resume_form"),
    path("2fa/setup/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("2fa/new-link/", people_views.two_factor_new_link, name="two_factor_new_link"),
    path(
        "invitation/<str:token>/",
        people_views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "2fa/backup-codes/",
        two_factor.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/count/", views.my_work_count, name="my_work_count"),
    path("search/", views.search, name="search"),
    path("areas/", views.area_list, name="area_list"),
    # Housing organisations, their departments and the partners, from a sheet.
    *import_urls("organisations/import/", "organisation_import", ORGANISATION_IMPORT),
    path("people/", people_views.person_list, name="person_list"),
    path("people/invite/", people_views.person_invite, name="person_invite"),
    path("people/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people_views.person_edit, name="person_edit"),
    path(
        "people/<int:pk>/deactivate/",
        people_views.person_deactivate,
        name="person_deactivate",
    ),
    path(
        "people/<int:pk>/reactivate/",
        people_views.person_reactivate,
        name="person_reactivate",
    ),
    path(
        "people/<int:pk>/reset-two-factor/",
        people_views.person_reset_app,
        name="person_reset_app",
    ),
    path(
        "people/<int:pk>/invitation/resend/",
        people_views.person_invitation_resend,
        name="person_invitation_resend",
    ),
    path(
        "people/<int:pk>/invitation/revoke/",
        people_views.person_invitation_revoke,
        name="person_invitation_revoke",
    ),
    path(
        "notifications/",
        notification_views.notification_list,
        name="notification_list",
    ),
    path(
        "notifications/settings/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
    path(
        "notifications/read/",
        notification_views.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "notifications/<int:pk>/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:pk>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path(
        "exports/<int:pk>/download/",
        export_views.export_job_download,
        name="export_job_download",
    ),
    path(
        "exports/<int:pk>/retry/",
        export_views.export_job_retry,
        name="export_job_retry",
    ),
    path("areas/<slug:slug>/", views.area_detail, name="area_detail"),
    path("plan/", include("activities.urls")),
    path("safety/", include("safety.urls")),
    path("nabohjaelp/", include("safety.nabohjaelp.public_urls")),
    path("meld/", include("safety.meldinger.public_urls")),
    path("advice/", include("advice.urls")),
    path("reports/", include("reports.urls")),
    path("account/", include(auth_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Not public: a monitor's token, or a signed-in coordinator or admin.
    path("health/", health.health_live, name="health_live"),
    path("health/ready/", health.health_ready, name="health_ready"),
]

handler500 = views.server_error
