from django.urls import path

from . import (
    export_views,
    figure_views,
    meeting_views,
    network_views,
    record_views,
    referral_views,
    views,
)

app_name = "advice"

# Cases, outcomes, closing and joining (views.py)
urlpatterns = [
    # cases:start
    path("", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/followup/", views.case_followup, name="case_followup"),
    path("cases/<int:pk>/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/join/", views.case_join, name="case_join"),
    # cases:end
]

# Meetings and drop-in hours (meeting_views.py)
urlpatterns += [
    # meetings:start
    path(
        "cases/<int:pk>/meetings/new/",
        meeting_views.meeting_create,
        name="meeting_create",
    ),
    path(
        "cases/<int:pk>/meetings/<int:meeting_pk>/edit/",
        meeting_views.meeting_edit,
        name="meeting_edit",
    ),
    path("drop-in/", meeting_views.drop_in_list, name="drop_in_list"),
    path(
        "drop-in/<int:drop_in_pk>/visit/",
        meeting_views.drop_in_visit,
        name="drop_in_visit",
    ),
    # meetings:end
]

# Onward referrals (referral_views.py)
urlpatterns += [
    # referrals:start
    path(
        "cases/<int:pk>/referrals/new/",
        referral_views.referral_create,
        name="referral_create",
    ),
    path(
        "cases/<int:pk>/referrals/<int:referral_pk>/move/",
        referral_views.referral_move,
        name="referral_move",
    ),
    # referrals:end
]

# A household's data, erasure, the access log and colleagues' look-up
# (record_views.py)
urlpatterns += [
    # records:start
    path(
        "cases/<int:pk>/household/export/",
        record_views.household_export,
        name="household_export",
    ),
    path(
        "cases/<int:pk>/household/erase/",
        record_views.household_erase,
        name="household_erase",
    ),
    path("access-log/", record_views.access_log, name="access_log"),
    path(
        "access-log/export/<str:fmt>/",
        export_views.access_log_export,
        name="access_log_export",
    ),
    path("lookup/", record_views.case_lookup, name="case_lookup"),
    # records:end
]

# Figures (figure_views.py) and Udsættelsesnetværket (network_views.py)
urlpatterns += [
    # figures:start
    path("figures/", figure_views.advice_figures, name="advice_figures"),
    path(
        "figures/export/<slug:slug>.<str:fmt>",
        figure_views.advice_figures_export,
        name="advice_figures_export",
    ),
    path("network/", network_views.network, name="network"),
    path(
        "network/export/<str:fmt>/",
        network_views.network_export,
        name="network_export",
    ),
    path(
        "network/<int:year>/report/",
        network_views.network_report,
        name="network_report",
    ),
    # figures:end
]
