from django.contrib import admin

from boligsocial.admin_site import BackboneAdmin, RoleGatedAdmin

from .models import Activity, FocusArea, Indicator, PlanPeriod, Target


class FocusAreaInline(RoleGatedAdmin, admin.TabularInline):
    model = FocusArea
    extra = 0
    fields = ["name", "kind", "theme", "order"]
    show_change_link = True


@admin.register(PlanPeriod)
class PlanPeriodAdmin(BackboneAdmin):
    list_display = ["name", "start", "end"]
    filter_horizontal = ["areas"]
    inlines = [FocusAreaInline]


class ActivityInline(RoleGatedAdmin, admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["name", "status", "responsible", "order"]
    show_change_link = True


@admin.register(FocusArea)
class FocusAreaAdmin(BackboneAdmin):
    list_display = ["name", "plan_period", "kind", "theme", "order"]
    list_filter = ["plan_period", "kind"]
    list_select_related = ["plan_period"]
    inlines = [ActivityInline]


class IndicatorInline(RoleGatedAdmin, admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["name", "unit", "order"]
    show_change_link = True


@admin.register(Activity)
class ActivityAdmin(BackboneAdmin):
    list_display = ["name", "focus_area", "status", "responsible"]
    list_filter = ["focus_area__plan_period", "focus_area", "status"]
    list_select_related = ["focus_area", "responsible"]
    search_fields = ["name"]
    filter_horizontal = ["areas", "partners"]
    inlines = [IndicatorInline]


class TargetInline(RoleGatedAdmin, admin.TabularInline):
    model = Target
    extra = 0
    fields = ["year", "value", "note", "is_demo"]


@admin.register(Indicator)
class IndicatorAdmin(BackboneAdmin):
    list_display = ["name", "activity", "unit"]
    list_filter = ["activity__focus_area__plan_period"]
    list_select_related = ["activity"]
    search_fields = ["name", "activity__name"]
    inlines = [TargetInline]
