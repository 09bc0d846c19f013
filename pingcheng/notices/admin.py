from collections import Counter

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pingcheng.directory.admin_base import RoleModelAdmin
from pingcheng.directory.models import Role
from pingcheng.errors import DomainError
from pingcheng.notices.models import Notice
from pingcheng.notices.services import notice_resend


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
    exclude = ["recipient", "recipient_hint", "user", "subscriber"]
    readonly_fields = [
        f.name for f in Notice._meta.fields if f.name not in {"id", "recipient", "recipient_hint", "user", "subscriber"}
    ] + ["masked_recipient"]
    actions = ["resend"]

    @admin.display(description=_("收件人"))
    def masked_recipient(self, obj: Notice) -> str:
        return obj.masked_recipient

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
