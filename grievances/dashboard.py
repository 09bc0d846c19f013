"""The inquiry desk's panel on the back office's home page (``pingcheng.dashboard``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from grievances import access, selectors
from pingcheng.dashboard import Panel, PanelItem


def desk_panel(*, user) -> Panel | None:
    """Handlers: their unit's open inquiries, overdue and due soon; dispatchers also what waits for them."""
    if not access.user_works_on_inquiries(user):
        return None
    counts = selectors.desk_counts(user=user)
    url = reverse("grievances-desk:list")
    items = [
        PanelItem(label=_("办理中的诉求"), count=counts.open, url=url),
        PanelItem(
            label=_("已逾期"), count=counts.overdue, url=f"{url}?scope=all&status=overdue", urgent=counts.overdue > 0
        ),
        PanelItem(label=_("今明两天到期"), count=counts.due_soon, url=url, urgent=counts.due_soon > 0),
    ]
    if access.user_is_dispatcher(user):
        items += [
            PanelItem(
                label=_("待分派（含退单）"),
                count=counts.waiting,
                url=f"{url}?scope=all&status=waiting",
                urgent=counts.waiting > 0,
            ),  # fmt: skip
            PanelItem(
                label=_("延期待审批"),
                count=counts.extensions_pending,
                url=f"{url}?scope=all",
                urgent=counts.extensions_pending > 0,
            ),  # fmt: skip
        ]
    items.append(PanelItem(label=_("办理统计（响应率、按时办结率、解决率、满意率）"), url=reverse("grievances-desk:figures")))
    return Panel(title=_("群众诉求"), items=items, order=40)
