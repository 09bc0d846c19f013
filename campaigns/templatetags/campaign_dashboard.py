"""Whether to offer the leaders' dashboard (``campaigns.dashboard``) on a page that does not know about it."""

from django import template

from campaigns.dashboard import user_sees_dashboard

register = template.Library()


@register.filter
def sees_campaign_dashboard(user) -> bool:
    return user_sees_dashboard(user)
