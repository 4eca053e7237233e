from django.contrib import admin

from boligsocial.admin_site import BackboneAdmin

from .models import ReportSchedule


@admin.register(ReportSchedule)
class ReportScheduleAdmin(BackboneAdmin):
    """Reports asked for by themselves after each quarter or year (Celery beat
    looks every hour); the run is mailed to the person named."""

    list_display = ["kind", "frequency", "plan_period", "owner", "is_active"]
    list_filter = ["kind", "frequency", "is_active"]
    list_select_related = ["plan_period", "owner"]
    filter_horizontal = ["areas"]
    readonly_fields = ["last_period_end"]
