from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pingcheng.directory.admin_base import RoleModelAdmin
from pingcheng.directory.models import Role
from pingcheng.models import WorkdayOverride, WorkdayYear
from pingcheng.workdays import deadlines_recompute_all, workday_library_knows, workday_library_says

# Every staff member may look the calendar up (deadlines depend on it); only district administrators and
# superusers change it, which the base grants them whatever ``change_roles`` says.
ALL_STAFF_ROLES = frozenset(Role.values)


class CalendarAdmin(RoleModelAdmin):
    """Saving or deleting calendar data recomputes the provisional deadlines in the same transaction.

    Only provisional deadlines move (see ``pingcheng.workdays``); the message tells the administrator what
    the edit did. Should the recompute fail, the edit is rolled back with it rather than half applied.
    """

    view_roles = ALL_STAFF_ROLES

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._recompute(request)

    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._recompute(request)

    @transaction.atomic
    def delete_queryset(self, request, queryset: QuerySet):
        super().delete_queryset(request, queryset)
        self._recompute(request)

    def _recompute(self, request) -> None:
        changed = sum(deadlines_recompute_all().values())
        if changed:
            message = ngettext("已重算 %d 个暂定截止日期。", "已重算 %d 个暂定截止日期。", changed) % changed
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
