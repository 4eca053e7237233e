from django.urls import path

from . import (
    contact_views,
    figure_views,
    import_views,
    incident_views,
    map_views,
    network_views,
    photo_views,
    views,
    walk_views,
)

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
    # Beredskab: incidents, their timeline and the partners told of them.
    # incidents:start
    path(
        "beredskab/",
        incident_views.incident_list,
        name="incident_list",
    ),
    path(
        "beredskab/incidents/new/",
        incident_views.incident_create,
        name="incident_create",
    ),
    path(
        "beredskab/incidents/<int:pk>/",
        incident_views.incident_detail,
        name="incident_detail",
    ),
    path(
        "beredskab/incidents/<int:pk>/edit/",
        incident_views.incident_edit,
        name="incident_edit",
    ),
    path(
        "beredskab/incidents/<int:pk>/entries/new/",
        incident_views.entry_create,
        name="entry_create",
    ),
    path(
        "beredskab/incidents/<int:pk>/notify/",
        incident_views.incident_notify,
        name="incident_notify",
    ),
    path(
        "beredskab/incidents/<int:pk>/notifications/<int:notification_pk>/retry/",
        incident_views.notification_retry,
        name="notification_retry",
    ),
    path(
        "beredskab/incidents/<int:pk>/close/",
        incident_views.incident_close,
        name="incident_close",
    ),
    path(
        "beredskab/incidents/<int:pk>/reopen/",
        incident_views.incident_reopen,
        name="incident_reopen",
    ),
    # incidents:end
    # Beredskab: the contact lists, and the crime-prevention network's meetings.
    # network:start
    path(
        "beredskab/contacts/",
        contact_views.contact_list,
        name="contact_list",
    ),
    path(
        "beredskab/contacts/new/",
        contact_views.contact_create,
        name="contact_create",
    ),
    path(
        "beredskab/contacts/<int:pk>/edit/",
        contact_views.contact_edit,
        name="contact_edit",
    ),
    path(
        "beredskab/contacts/<int:pk>/delete/",
        contact_views.contact_delete,
        name="contact_delete",
    ),
    path(
        "beredskab/network/",
        network_views.meeting_list,
        name="meeting_list",
    ),
    path(
        "beredskab/network/new/",
        network_views.meeting_create,
        name="meeting_create",
    ),
    path(
        "beredskab/network/<int:pk>/",
        network_views.meeting_detail,
        name="meeting_detail",
    ),
    path(
        "beredskab/network/<int:pk>/edit/",
        network_views.meeting_edit,
        name="meeting_edit",
    ),
    path(
        "beredskab/network/<int:pk>/tasks/new/",
        network_views.task_create,
        name="task_create",
    ),
    path(
        "beredskab/tasks/",
        network_views.task_list,
        name="task_list",
    ),
    path(
        "beredskab/tasks/<int:pk>/edit/",
        network_views.task_edit,
        name="task_edit",
    ),
    path(
        "beredskab/tasks/<int:pk>/done/",
        network_views.task_done,
        name="task_done",
    ),
    path(
        "beredskab/tasks/<int:pk>/reopen/",
        network_views.task_reopen,
        name="task_reopen",
    ),
    # network:end
    # Beredskab in figures.
    # figures:start
    path(
        "beredskab/figures/",
        figure_views.beredskab_figures,
        name="beredskab_figures",
    ),
    # figures:end
]
