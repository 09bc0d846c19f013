import json
import re
from collections import Counter
from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pingcheng.directory import access as directory_access
from pingcheng.directory.admin_base import RoleModelAdmin
from pingcheng.directory.models import Role
from pingcheng.errors import DomainError
from pingcheng.notices.kinds import kinds_all
from pingcheng.notices.masking import mask_address
from pingcheng.notices.models import Notice, StaffNoticePreference, Subscriber, Subscription
from pingcheng.notices.services import notice_resend
from pingcheng.notices.streams import stream_label

# What a message carried that works as a key: a link's unguessable token (a subscriber's manage link, a warning's
# acknowledgement link) and a one-time code. Whoever reads the outbox must not be able to use them.
_TOKEN_IN_LINK = re.compile(r"/[A-Za-z0-9_-]{20,}(?=/|$)")
_SECRET_KEYS = frozenset({"code"})


def context_without_credentials(value, key: str = ""):
    """A notice's template data as the outbox shows it: tokens in links and one-time codes replaced by ``***``."""
    if isinstance(value, dict):
        return {name: context_without_credentials(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [context_without_credentials(item) for item in value]
    if key in _SECRET_KEYS and value not in (None, ""):
        return "***"
    if isinstance(value, str):
        return _TOKEN_IN_LINK.sub("/***", value)
    return value


@admin.register(Notice)
class NoticeAdmin(RoleModelAdmin):
    """The outbox, for supervisors and administrators: what went out, what is stuck, and a re-send.

    Addresses are shown masked only; the full address is never on the page.
    """

    view_roles = frozenset({Role.SUPERVISOR})
    list_display = ["created_at", "kind", "channel", "masked_recipient", "status", "attempts", "next_attempt_at",
                    "sent_at", "read_at"]  # fmt: skip
    list_filter = ["status", "channel", "kind"]
    search_fields = ["key", "kind"]
    date_hierarchy = "created_at"
    exclude = ["recipient", "recipient_hint", "user", "subscriber", "context"]
    readonly_fields = [
        f.name for f in Notice._meta.fields
        if f.name not in {"id", "recipient", "recipient_hint", "user", "subscriber", "context"}
    ] + ["masked_recipient", "context_shown"]  # fmt: skip
    actions = ["resend"]
    change_list_template = "admin/notices/notice/change_list.html"
    REPORT_DAYS = 14

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="notices_notice_report"), *super().get_urls()]

    def report_view(self, request):
        """Counts per day, kind and channel over the last REPORT_DAYS days, by outcome; one grouped query."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        since = timezone.now() - timedelta(days=self.REPORT_DAYS)
        statuses = Notice.Status
        rows = (
            Notice.objects.filter(created_at__gte=since)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .values("day", "kind", "channel")
            .annotate(
                total=Count("pk"),
                sent=Count("pk", filter=Q(status=statuses.SENT)),
                waiting=Count("pk", filter=Q(status__in=[statuses.PENDING, statuses.FAILED, statuses.SENDING])),
                dead=Count("pk", filter=Q(status=statuses.DEAD)),
                canceled=Count("pk", filter=Q(status=statuses.CANCELED)),
            )
            .order_by("-day", "kind", "channel")
        )
        labels = {kind.name: str(kind.description).split("：")[0] for kind in kinds_all()}
        channels = dict(Notice.Channel.choices)
        rows = [{**row, "kind_label": labels.get(row["kind"], row["kind"]), "channel_label": channels.get(
            row["channel"], row["channel"])} for row in rows]  # fmt: skip
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "rows": rows,
                   "days": self.REPORT_DAYS, "title": _("通知统计")}  # fmt: skip
        return TemplateResponse(request, "admin/notices/notice/report.html", context)

    @admin.display(description=_("收件人"))
    def masked_recipient(self, obj: Notice) -> str:
        return obj.masked_recipient

    @admin.display(description=_("模板数据"))
    def context_shown(self, obj: Notice) -> str:
        return json.dumps(context_without_credentials(obj.context), ensure_ascii=False)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("重新发送所选的失败或已放弃通知"), permissions=["view"])
    def resend(self, request, queryset):
        count = 0
        refused = Counter()
        for notice in queryset.filter(status__in=[Notice.Status.DEAD, Notice.Status.FAILED]):
            try:
                notice_resend(notice=notice)
            except DomainError as error:
                refused[error.code] += 1
            else:
                count += 1
        self.message_user(
            request, ngettext("已重新安排 %d 条通知。", "已重新安排 %d 条通知。", count) % count, messages.SUCCESS
        )
        for code, number in sorted(refused.items()):
            self.message_user(request, self._refusal_message(code, number), messages.WARNING)

    @staticmethod
    def _refusal_message(code: str, count: int) -> str:
        if code == "notice_address_erased":
            return ngettext("%d 条通知的收件地址已按保留期限清除，未能重新发送。",
                            "%d 条通知的收件地址已按保留期限清除，未能重新发送。", count) % count  # fmt: skip
        if code == "notice_recipient_left":
            return ngettext("%d 条通知的收件人已退订或停用，未能重新发送。",
                            "%d 条通知的收件人已退订或停用，未能重新发送。", count) % count  # fmt: skip
        return ngettext("%d 条通知未能重新发送。", "%d 条通知未能重新发送。", count) % count


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ["topic", "unit", "followed_stream", "frequency", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("栏目"))
    def followed_stream(self, subscription: Subscription) -> str:
        return stream_label(subscription.stream) if subscription.stream else "-"
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(RoleModelAdmin):
    """Residents' subscriptions, read-only for supervisors: residents manage their own from their link.

    The address is shown masked only; the full address and the token never reach the page.
    """

    view_roles = frozenset({Role.SUPERVISOR})
    list_display = ["masked_address", "confirmed_at", "is_active", "subscription_count", "created_at"]
    list_filter = ["is_active", ("confirmed_at", admin.EmptyFieldListFilter), "subscriptions__topic"]
    fields = ["masked_address", "confirmed_at", "is_active", "created_at"]
    readonly_fields = fields
    inlines = [SubscriptionInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(subscription_total=Count("subscriptions"))

    @admin.display(description=_("地址"))
    def masked_address(self, obj: Subscriber) -> str:
        return str(obj)

    @admin.display(description=_("订阅数"), ordering="subscription_total")
    def subscription_count(self, obj: Subscriber) -> int:
        return obj.subscription_total

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StaffNoticePreference)
class StaffNoticePreferenceAdmin(RoleModelAdmin):
    """Staff members' channels and SMS number (a grid worker's warning mobile), for district administrators only:
    the number belongs to a person, whichever units they work in. Staff set their own at /notices/preferences/."""

    change_roles = frozenset({Role.DISTRICT_ADMIN})
    list_display = ["user", "by_inbox", "by_email", "by_sms", "masked_phone"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    autocomplete_fields = ["user"]
    fields = ["user", "phone", "by_inbox", "by_email", "by_sms"]

    @admin.display(description=_("手机号码"))
    def masked_phone(self, preference: StaffNoticePreference) -> str:
        return mask_address(preference.phone)

    def has_module_permission(self, request) -> bool:
        return directory_access.user_sees_everything(request.user) and super().has_module_permission(request)
