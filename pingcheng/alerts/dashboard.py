"""The back office's home panel for warnings (预警): what this person has not acknowledged yet, and for an issuer
the way to issue one and how their recent warnings stand.

Nothing else in the back office links ``/alerts/``: a grid worker who missed the SMS finds the warning here, and
a street's or the district's issuer finds the issue page and each board. Three queries at most, whatever the
number of warnings or recipients.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pingcheng.alerts import access
from pingcheng.alerts.models import AlertRecipient
from pingcheng.dashboard import Panel, PanelItem

SHOWN = 5  # warnings listed by name in each part; the count is always whole
RECENT_DAYS = 30  # an issuer's warnings older than this have had their answers


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "n月j日 H:i")


def alerts_panel(*, user) -> Panel | None:
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return None
    items = []
    # One query for the list, and a count only when the list is full.
    pending = list(
        AlertRecipient.objects.filter(user=user, acknowledged_at__isnull=True)
        .select_related("alert")
        .only("token", "alert__title", "alert__severity", "alert__issued_at")
        .order_by("-alert__issued_at", "-pk")[: SHOWN + 1]
    )
    waiting = len(pending) if len(pending) <= SHOWN else AlertRecipient.objects.filter(
        user=user, acknowledged_at__isnull=True
    ).count()  # fmt: skip
    if waiting:
        items.append(PanelItem(label=_("待我确认的预警"), count=waiting, url=reverse("notices:inbox"), urgent=True,
                               note=_("请打开预警，确认已收到")))  # fmt: skip
    for recipient in pending[:SHOWN]:
        alert = recipient.alert
        items.append(PanelItem(
            label=_("确认收到：%(title)s") % {"title": alert.title},
            url=reverse("alerts:ack", args=[recipient.token]),
            note=f"{alert.get_severity_display()} · {_when(alert.issued_at)}",
            urgent=True,
        ))  # fmt: skip

    if access.user_may_issue(user):
        items.append(PanelItem(label=_("发布预警"), url=reverse("alerts:new"), note=_("向辖区网格员、社区和街道发送")))
        since = timezone.now() - timedelta(days=RECENT_DAYS)
        recent = (
            access.alerts_for_user(user)
            .filter(issued_at__gte=since)
            .annotate(total=Count("recipients"),
                      missing=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=True)))
            .only("pk", "title", "issued_at")
            .order_by("-issued_at", "-pk")[:SHOWN]
        )  # fmt: skip
        for alert in recent:
            items.append(PanelItem(
                label=alert.title,
                count=alert.missing,
                url=reverse("alerts:board", args=[alert.pk]),
                note=_("%(when)s · 未确认 %(missing)s / 共 %(total)s 人")
                % {"when": _when(alert.issued_at), "missing": alert.missing, "total": alert.total},
                urgent=alert.missing > 0,
            ))  # fmt: skip
        items.append(PanelItem(label=_("全部预警"), url=reverse("alerts:list")))
    if not items:
        return None
    return Panel(title=_("预警"), items=items, order=5)

