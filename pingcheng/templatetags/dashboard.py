"""``{% load dashboard %}{% role_home %}``: the panels and the unread notices on the back office's home page."""

import logging

from django import template

from pingcheng.dashboard import dashboard_panels, isolated_from_failure

register = template.Library()
logger = logging.getLogger(__name__)


@register.inclusion_tag("admin/includes/role_home.html", takes_context=True)
def role_home(context):
    from pingcheng.notices.selectors import inbox_list, inbox_unread_count

    user = context["request"].user
    try:
        with isolated_from_failure():
            unread_count, inbox = inbox_unread_count(user=user), inbox_list(user=user, limit=5)
    except Exception:  # logged: the home page opens even when the inbox cannot be read
        logger.exception("role home: the inbox could not be read")
        unread_count, inbox = 0, []
    return {"panels": dashboard_panels(user=user), "unread_count": unread_count, "inbox": inbox}
