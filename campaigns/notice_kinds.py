"""The campaigns' notice kinds, registered from ``CampaignsConfig.ready()`` with their send-time guards.

Residents who follow campaign events (``Topic.CAMPAIGN``) of a unit are told when a public activity there is
announced, and get reminders 24 h and 2 h before a public
activity there, and a notice when one is moved or cancelled. Staff get work notices: an activity that ended
without its report, a finding due tomorrow, a finding overdue and escalated to their unit.

A reminder is checked again when it is sent (``rules.guard_register``): if the activity has moved or been
cancelled since (its ``sequence`` or status changed), the reminder is cancelled, not sent — the "moved" or
"cancelled" notice tells the truth instead. A finding's notices are checked the same way.
"""

from django.utils.translation import gettext_lazy as _

from pingcheng.notices.kinds import kind_register
from pingcheng.notices.models import Notice

EMAIL, SMS, INBOX = Notice.Channel.EMAIL, Notice.Channel.SMS, Notice.Channel.INBOX

kind_register(name="campaign_activity_announced", channels={EMAIL, SMS},
              description=_("新活动预告：公开活动发布为计划，告知订阅该单位活动的居民"))  # fmt: skip
kind_register(name="campaign_activity_reminder", channels={EMAIL, SMS},
              description=_("活动提醒：公开活动开始前24小时和2小时，告知订阅该单位活动的居民"))  # fmt: skip
kind_register(name="campaign_activity_moved", channels={EMAIL, SMS},
              description=_("活动改期：已预告的公开活动改了时间或地点"))  # fmt: skip
kind_register(name="campaign_activity_cancelled", channels={EMAIL, SMS},
              description=_("活动取消：已预告的公开活动取消了"))  # fmt: skip
kind_register(name="campaign_activity_close_due", channels={INBOX, EMAIL, SMS},
              description=_("活动待总结：活动已结束但还没有总结，提醒填报人"))  # fmt: skip
kind_register(name="campaign_finding_due", channels={INBOX, EMAIL, SMS},
              description=_("整改明天到期：告知责任单位"))  # fmt: skip
kind_register(name="campaign_finding_overdue", channels={INBOX, EMAIL, SMS},
              description=_("整改逾期已上报：告知上级单位督促"))  # fmt: skip
