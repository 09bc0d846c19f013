"""Back office: the warnings list and each warning's read-only acknowledgement board. A staff member's warning
mobile is their notice preference's number (``pingcheng.notices`` admin, 通知偏好).

Warnings are issued on their own page (``/alerts/new/``), not here: the admin shows them, scoped like the
boards (the issuer's own, everything for a district administrator), and never changes them.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingcheng.alerts import access, selectors
from pingcheng.alerts.models import Alert
from pingcheng.directory.admin_base import RoleModelAdmin


@admin.register(Alert)
class AlertAdmin(RoleModelAdmin):
    list_display = ["title", "severity", "issued_by", "issued_at", "acknowledged_count", "board_link"]
    list_filter = ["severity", "issued_at"]
    search_fields = ["title"]
    fields = ["title", "severity", "text", "units", "issued_by", "issued_at", "resend_count", "board"]
    readonly_fields = fields

    @property
    def view_roles(self) -> frozenset[str]:
        """Whoever may issue warnings sees them here: the issue page's roles, read from the settings on each
        request (``RoleAdminMixin`` reads this per request), so the two never disagree."""
        return frozenset(access.issuer_roles())

    def get_queryset(self, request):
        return (
            access.alerts_for_user(request.user)
            .select_related("issued_by")
            .annotate(total=Count("recipients"),
                      acknowledged=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=False)))
        )  # fmt: skip

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("已确认/已通知"))
    def acknowledged_count(self, alert: Alert) -> str:
        return f"{alert.acknowledged} / {alert.total}"

    @admin.display(description=_("确认看板"))
    def board_link(self, alert: Alert) -> str:
        return format_html('<a href="{}">{}</a>', reverse("alerts:board", args=[alert.pk]), _("打开"))

    @admin.display(description=_("确认情况"))
    def board(self, alert: Alert) -> str:
        return render_to_string("alerts/admin_board.html", {"alert": alert, **selectors.alert_board(alert=alert)})
