"""The inquiry desk's back office: dispatchers set up topics (and the unit each routes to) and deadline
policies; handlers keep their unit's answer templates and FAQ entries; inquiries are listed read-only within
the user's reach (the desk pages at /desk/ are where they are worked on). Residents' names and phones never
appear here, not even masked: the desk shows them masked and logs a reveal.
"""

from django.contrib import admin
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from grievances import access
from grievances.models import AnswerTemplate, DeadlinePolicy, FaqEntry, Inquiry, InquiryEvent, Topic
from pingcheng.directory.admin_base import RoleAdminMixin, RoleModelAdmin, ScopedModelAdmin, unit_choices_anywhere
from pingcheng.page_cache import page_product_changed

HANDLERS = frozenset(access.HANDLER_ROLES)
DISPATCHERS = frozenset(access.DISPATCHER_ROLES)
INQUIRY_STAFF = HANDLERS | DISPATCHERS
# A topic may route to any unit of the district.
unit_choices_anywhere(Topic, "default_unit")


class PublicChangeMixin:
    """Topics and FAQ entries are printed on the public pages (the FAQ, the suggestions before asking, the
    answers grouped by topic): a change or a deletion refreshes the cached pages at once, after the commit, as
    a service's does. Answer templates and deadline policies appear on no public page and need none."""

    def _public_changed(self) -> None:
        transaction.on_commit(lambda: page_product_changed("grievances"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._public_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._public_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._public_changed()


@admin.register(Topic)
class TopicAdmin(PublicChangeMixin, RoleModelAdmin):
    view_roles = INQUIRY_STAFF
    change_roles = DISPATCHERS
    list_display = ("name", "default_unit", "sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request, obj=None) -> bool:
        # Inquiries keep their topic (PROTECT): a topic is retired by unticking 启用.
        return False


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(RoleModelAdmin):
    """Changing a policy applies to inquiries filed from now on: a filed inquiry keeps the deadline it was told."""

    view_roles = INQUIRY_STAFF
    change_roles = DISPATCHERS
    list_display = ("kind", "topic", "working_days")
    list_filter = ("kind",)


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(ScopedModelAdmin):
    view_roles = INQUIRY_STAFF
    change_roles = INQUIRY_STAFF
    list_display = ("title", "topic", "unit", "is_active")
    list_filter = ("is_active", "topic")
    search_fields = ("title", "text")


@admin.register(FaqEntry)
class FaqEntryAdmin(PublicChangeMixin, ScopedModelAdmin):
    view_roles = INQUIRY_STAFF
    change_roles = INQUIRY_STAFF
    list_display = ("question", "topic", "unit", "is_published", "sort_order")
    list_filter = ("is_published", "topic")
    search_fields = ("question", "answer")


class InquiryEventInline(RoleAdminMixin, admin.TabularInline):
    model = InquiryEvent
    view_roles = INQUIRY_STAFF
    fields = ("at", "action", "from_status", "to_status", "actor", "actor_unit", "note", "visible_to_resident")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Inquiry)
class InquiryAdmin(RoleModelAdmin):
    """Read-only: every step is taken on the desk page, through the services."""

    view_roles = INQUIRY_STAFF
    list_display = ("tracking", "title", "kind", "status", "lead_unit", "deadline_due", "is_supervised", "desk")
    list_filter = ("status", "kind", "topic", "is_published", "is_supervised")
    search_fields = ("tracking_code", "title")
    list_select_related = ("lead_unit",)
    date_hierarchy = "submitted_at"
    fields = (
        "tracking_code", "kind", "topic", "place_unit", "title", "text", "channel", "status", "lead_unit",
        "deadline_start", "deadline_working_days", "deadline_due", "deadline_provisional", "is_supervised",
        "publish_consent", "is_published", "public_title", "public_question", "rating", "rating_note", "redo_round",
        "reject_reason", "submitted_at", "assigned_at", "accepted_at", "answered_at", "closed_at",
        "personal_data_erased_at", "created_by",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [InquiryEventInline]

    def get_queryset(self, request):
        return access.inquiries_for_user(request.user).select_related("lead_unit", "topic")

    def has_view_permission(self, request, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or access.inquiries_for_user(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_object(self, request, object_id, from_field=None):
        try:
            return super().get_object(request, object_id, from_field)
        except (OverflowError, ValueError):
            raise Http404 from None

    @admin.display(description=_("查询码"), ordering="tracking_code")
    def tracking(self, obj: Inquiry) -> str:
        return obj.tracking_code_display

    @admin.display(description=_("办理"))
    def desk(self, obj: Inquiry) -> str:
        return format_html('<a href="{}">{}</a>', reverse("grievances-desk:detail", kwargs={"pk": obj.pk}), _("打开"))
