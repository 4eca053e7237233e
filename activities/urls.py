from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
]
