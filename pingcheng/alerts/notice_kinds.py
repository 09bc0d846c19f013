"""The warning's notice kind: urgent (it bypasses digests and quiet hours) and sent by every channel."""

from django.utils.translation import gettext_lazy as _

from pingcheng.notices.kinds import kind_register
from pingcheng.notices.models import Notice

ALERT_KIND = "alert_issued"

kind_register(
    name=ALERT_KIND, channels=Notice.Channel.values, urgent=True,
    description=_("预警：发给所选单位的网格员、工作人员和订阅者，请其确认收到"),
)  # fmt: skip
