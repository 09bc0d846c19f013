"""The platform's kinds for residents' subscriptions, registered from ``NoticesConfig.ready()``.

Confirmation messages are urgent: the resident is waiting for them on the page, so quiet hours and the daily
cap do not hold them (the subscribe page's rate limits bound them instead). The news and digest kinds are
what products send through ``audience.subscribers_notify``; their context gives ``title`` and ``url``.
"""

from django.utils.translation import gettext_lazy as _

from pingcheng.notices.kinds import kind_register
from pingcheng.notices.models import Notice

EMAIL, SMS = Notice.Channel.EMAIL, Notice.Channel.SMS

kind_register(name="subscription_confirm", channels={EMAIL}, urgent=True,
              description=_("确认订阅：发到订阅邮箱的确认链接"))  # fmt: skip
kind_register(name="subscription_code", channels={SMS}, urgent=True,
              description=_("确认订阅：发到订阅手机的验证码"))  # fmt: skip
kind_register(name="subscription_manage_link", channels={EMAIL, SMS}, urgent=True,
              description=_("管理订阅：已确认的地址再次订阅时，发给它的管理链接"))  # fmt: skip
kind_register(name="news_published", channels={EMAIL, SMS},
              description=_("新闻发布：订阅了相关单位新闻的居民"))  # fmt: skip
kind_register(name="digest_daily", template="digest", channels={EMAIL, SMS},
              description=_("每日摘要：订阅者一天的通知汇总"))  # fmt: skip
kind_register(name="digest_weekly", template="digest", channels={EMAIL, SMS},
              description=_("每周摘要：订阅者一周的通知汇总"))  # fmt: skip
