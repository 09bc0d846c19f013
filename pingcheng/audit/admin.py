"""The audit trail in the back office: read-only, and for district administrators (and superusers) only.

Scope: a log entry names a row of any model, and most rows do not carry a unit, so the trail cannot be cut
along units the way ledgers are; other staff see none of it (each product's own pages show a row's history
where that is useful). Nobody may add, change or delete an entry here, superusers included: the trail is
only worth something if the people it records cannot edit it.
"""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from pingcheng.audit.models import PersonalDataExport
from pingcheng.directory import access
from pingcheng.directory.admin_base import HistoryRefusedFirstMixin


class DistrictAdminReadOnly(HistoryRefusedFirstMixin):
    def _may_read(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and access.user_sees_everything(user)

    def has_module_permission(self, request) -> bool:
        return self._may_read(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may_read(request)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# auditlog registers its own admin, which lets anyone with Django's model permissions read the trail;
# ours replaces it with the platform's rule.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(DistrictAdminReadOnly, LogEntryAdmin):
    list_display = ["created", "resource_url", "action", "msg_short", "user_url"]
    list_per_page = 50


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(DistrictAdminReadOnly, admin.ModelAdmin):
    list_display = ["at", "username", "what", "count"]
    search_fields = ["username", "what"]
    date_hierarchy = "at"
    list_per_page = 50
