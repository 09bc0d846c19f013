"""``{% load dashboard %}{% role_home %}``: the panels and the unread notices on the back office's home page."""

from django import template

from pingcheng.dashboard import dashboard_panels

register = template.Library()


@register.inclusion_tag("admin/includes/role_home.html", takes_context=True)
def role_home(context):
    from pingcheng.notices.selectors import inbox_list, inbox_unread_count

    user = context["request"].user
    return {
        "panels": dashboard_panels(user=user),
        "unread_count": inbox_unread_count(user=user),
        "inbox": inbox_list(user=user, limit=5),
    }
