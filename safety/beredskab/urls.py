"""The beredskab's pages: incidents, contacts, the network and the figures."""

from django.urls import path

from . import contact_views, figure_views, incident_views, network_views

urlpatterns = [
    # Beredskab: incidents, their timeline and the partners told of them.
    path("beredskab/", incident_views.incident_list, name="incident_list"),
    path(
        "beredskab/incidents/export/<str:fmt>/",
        incident_views.incident_export,
        name="incident_export",
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
    # Beredskab: the contact lists, and the crime-prevention network's meetings.
    path("beredskab/contacts/", contact_views.contact_list, name="contact_list"),
    path(
        "beredskab/contacts/export/<str:fmt>/",
        contact_views.contact_export,
        name="contact_export",
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
    path("beredskab/network/", network_views.meeting_list, name="meeting_list"),
    path("beredskab/network/new/", network_views.meeting_create, name="meeting_create"),
    path(
        "beredskab/network/export/<str:fmt>/",
        network_views.meeting_export,
        name="meeting_export",
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
    path("beredskab/tasks/", network_views.task_list, name="task_list"),
    path(
        "beredskab/tasks/export/<str:fmt>/",
        network_views.task_export,
        name="task_export",
    ),
    path("beredskab/tasks/<int:pk>/edit/", network_views.task_edit, name="task_edit"),
    path("beredskab/tasks/<int:pk>/done/", network_views.task_done, name="task_done"),
    path(
        "beredskab/tasks/<int:pk>/reopen/",
        network_views.task_reopen,
        name="task_reopen",
    ),
    # Beredskab in figures.
    path(
        "beredskab/figures/",
        figure_views.beredskab_figures,
        name="beredskab_figures",
    ),
]
