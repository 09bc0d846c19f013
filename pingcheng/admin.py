from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pingcheng.directory.admin_base import RoleModelAdmin
from pingcheng.directory.models import Role
from pingcheng.models import WorkdayOverride, WorkdayYear
from pingcheng.workdays import (
    workday_calendar_delete,
    workday_calendar_save,
    workday_library_knows,
    workday_library_says,
)

# Every staff member may look the calendar up (deadlines depend on it); only district administrators and
# superusers change it, which the base grants them whatever ``change_roles`` says.
ALL_STAFF_ROLES = frozenset(Role.values)


class CalendarAdmin(RoleModelAdmin):
    """Saving or deleting calendar data goes through the working-day services, which recompute the stored
    deadlines the edit reaches in the same transaction; the message tells the administrator what it moved.
    """

    view_roles = ALL_STAFF_ROLES

    def save_model(self, request, obj, form, change):
        self._report(request, workday_calendar_save(entry=obj))

    def delete_model(self, request, obj):
        self._report(request, workday_calendar_delete(entries=self.model.objects.filter(pk=obj.pk)))

    def delete_queryset(self, request, queryset: QuerySet):
        self._report(request, workday_calendar_delete(entries=queryset))

    def _report(self, request, changed: int) -> None:
        if changed:
            message = ngettext("已重算 %d 个截止日期。", "已重算 %d 个截止日期。", changed) % changed
        else:
            message = _("没有截止日期受这项修改影响。")
        self.message_user(request, message, messages.INFO)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(CalendarAdmin):
    list_display = ["date", "weekday", "is_workday", "note", "library_says"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "note"]

    @admin.display(description=_("星期"))
    def weekday(self, obj: WorkdayOverride) -> str:
        return date_format(obj.date, "l")

    @admin.display(description=_("日历库"))
    def library_says(self, obj: WorkdayOverride) -> str:
        # What the day would be without this row, so that a redundant or mistyped override stands out.
        says = workday_library_says(day=obj.date)
        if says is None:
            return _("未收录")
        return _("上班") if says else _("放假")


@admin.register(WorkdayYear)
class WorkdayYearAdmin(CalendarAdmin):
    list_display = ["year", "complete", "source", "library_knows"]
    list_filter = ["complete"]
    fields = ["year", "complete", "source"]

    @admin.display(description=_("日历库已收录"), boolean=True)
    def library_knows(self, obj: WorkdayYear) -> bool:
        return workday_library_knows(year=obj.year)
