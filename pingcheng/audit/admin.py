"""The audit trail in the back office: read-only, and for district administrators (and superusers) only.

Scope: a log entry names a row of any model, and most rows do not carry a unit, so the trail cannot be cut
along units the way ledgers are; other staff see none of it (each product's own pages show a row's history
where that is useful). Nobody may add, change or delete an entry here, superusers included: the trail is
only worth something if the people it records cannot edit it.

The trail is shown through the ``AuditEntry`` proxy (操作记录) with columns, filters and the table of changes
labelled here in Chinese: django-auditlog's own admin speaks English only.
"""

from auditlog.models import LogEntry
from auditlog.render import get_field_verbose_name
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from pingcheng.accounts import person_name
from pingcheng.audit.models import AuditEntry, PersonalDataExport
from pingcheng.directory import access
from pingcheng.directory.admin_base import HistoryRefusedFirstMixin

# The changes column of the list names the changed fields up to about this many characters.
CHANGED_FIELDS_SHOWN = 60
# To the second: the order of writes is what a reader of the trail is after.
TIMESTAMP_FORMAT = "Y年n月j日 H:i:s"
M2M_OPERATION_LABELS = {"add": _("添加"), "delete": _("移除")}


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


# auditlog registers its own admin, which lets anyone with Django's model permissions read the trail and
# speaks English; ours shows the same rows through the AuditEntry proxy, under the platform's rule.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


class ActionFilter(admin.SimpleListFilter):
    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(str(action), label) for action, label in AuditEntry.ACTION_LABELS.items()]

    def queryset(self, request, queryset):
        # Only the offered values: anything else typed into the URL lists everything rather than erring.
        if self.value() in {str(action) for action in AuditEntry.ACTION_LABELS}:
            return queryset.filter(action=int(self.value()))
        return queryset


class ResourceTypeFilter(admin.SimpleListFilter):
    title = _("对象类型")
    parameter_name = "resource_type"

    def lookups(self, request, model_admin):
        ids = model_admin.get_queryset(request).order_by().values_list("content_type_id", flat=True).distinct()
        types = [ContentType.objects.get_for_id(pk) for pk in ids]
        return sorted(((str(content_type.pk), str(content_type)) for content_type in types), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(content_type_id=int(self.value()))
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(DistrictAdminReadOnly, admin.ModelAdmin):
    list_display = ["created", "resource", "action_shown", "changed_fields", "actor_shown"]
    list_filter = [ActionFilter, ResourceTypeFilter]
    list_select_related = ["content_type", "actor"]
    search_fields = ["timestamp", "object_repr", "changes", "actor__first_name", "actor__last_name", "actor__username"]
    date_hierarchy = "timestamp"
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["created", "actor_shown", "resource"]}),
        (_("改动"), {"fields": ["action_shown", "changes_table"]}),
    ]
    readonly_fields = ["created", "actor_shown", "resource", "action_shown", "changes_table"]

    @admin.display(description=_("时间"), ordering="timestamp")
    def created(self, entry: AuditEntry) -> str:
        return date_format(localtime(entry.timestamp), TIMESTAMP_FORMAT)

    @admin.display(description=_("操作人"), ordering="actor")
    def actor_shown(self, entry: AuditEntry):
        if entry.actor is None:
            return _("系统")  # a Celery task or a management command: no one was logged in
        app_label, model_name = settings.AUTH_USER_MODEL.lower().split(".")
        url = reverse(f"admin:{app_label}_{model_name}_change", args=[entry.actor.pk])
        return format_html('<a href="{}">{}</a>', url, person_name(entry.actor))

    @admin.display(description=_("对象"))
    def resource(self, entry: AuditEntry):
        content_type = entry.content_type
        try:
            url = reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[entry.object_pk])
        except NoReverseMatch:
            return f"{content_type} - {entry.object_repr}"
        return format_html('<a href="{}">{} - {}</a>', url, content_type, entry.object_repr)

    @admin.display(description=_("操作"), ordering="action")
    def action_shown(self, entry: AuditEntry) -> str:
        return entry.action_label

    @admin.display(description=_("改动"))
    def changed_fields(self, entry: AuditEntry) -> str:
        if entry.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        changes = entry.changes_dict
        names = "、".join(_field_label(entry, field) for field in changes)
        if len(names) > CHANGED_FIELDS_SHOWN:
            names = names[:CHANGED_FIELDS_SHOWN] + "…"
        return _("%(count)s 项：%(names)s") % {"count": len(changes), "names": names}

    @admin.display(description=_("改动内容"))
    def changes_table(self, entry: AuditEntry):
        fields, links = [], []
        for index, (field, change) in enumerate(sorted(entry.changes_dict.items()), 1):
            name = _field_label(entry, field)
            if isinstance(change, dict) and change.get("type") == "m2m":
                operation = M2M_OPERATION_LABELS.get(change.get("operation"), change.get("operation"))
                objects = format_html_join(mark_safe("<br>"), "{}", ((obj,) for obj in change.get("objects", [])))
                links.append((index, name, operation, objects))
            else:
                fields.append((index, name, *change))
        tables = []
        if fields:
            tables.append(_table(("#", _("字段"), _("原值"), _("新值")), fields))
        if links:
            tables.append(_table(("#", _("关联"), _("操作"), _("对象")), links))
        return mark_safe("".join(tables))  # every cell went through format_html


def _field_label(entry: AuditEntry, field_name: str) -> str:
    """The field's verbose name; for the primary key and for the other side of a relation, which Django names
    in English from the attribute, "ID" and the related model's name."""
    model = entry.content_type.model_class()
    try:
        field = model._meta.get_field(field_name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if field is not None and getattr(field, "primary_key", False):
        return "ID"
    if field is not None and field.auto_created and field.is_relation and field.related_model is not None:
        return str(field.related_model._meta.verbose_name)
    return str(get_field_verbose_name(entry, field_name))


def _table(headers, rows) -> str:
    head = format_html("<tr>{}</tr>", format_html_join("", "<th>{}</th>", ((header,) for header in headers)))
    body = format_html_join("", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),)
                                                 for row in rows))  # fmt: skip
    return format_html("<table>{}{}</table>", head, body)


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(DistrictAdminReadOnly, admin.ModelAdmin):
    list_display = ["at", "username", "what", "count"]
    search_fields = ["username", "what"]
    date_hierarchy = "at"
    list_per_page = 50
