"""Demo warning: a heavy-rain flood warning issued by Xinwang street to 御锦源社区, half of it acknowledged.

It needs the demo logins (the issuer is the street's staff account), so it is written by ``link_accounts``,
which ``load_demo --accounts`` runs once the accounts exist. Idempotent: found again by its title.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from pingcheng.alerts.models import Alert, AlertFanout, AlertRecipient
from pingcheng.alerts.services import alert_acknowledge, alert_fanout_run
from pingcheng.directory.models import Unit

TITLE = "暴雨橙色预警"
TEXT = (
    "市气象台发布暴雨橙色预警，预计今夜至明日我区有大到暴雨，局地大暴雨。请各网格员立即巡查辖区低洼院落、"
    "地下车库和危旧房屋，转移危险区域群众，发现险情及时上报社区。"
)


def load(*, units: dict[str, Unit]) -> str:
    return _("预警：演示预警随演示账号生成（load_demo --accounts）")


def link_accounts() -> None:
    issuer = get_user_model().objects.filter(username="xinwang").first()
    community = Unit.objects.filter(code="yujinyuan").first()
    if issuer is None or community is None:
        return
    alert = Alert.objects.filter(title=TITLE, issued_by=issuer).first()
    if alert is None:
        alert = Alert.objects.create(title=TITLE, text=TEXT, severity=Alert.Severity.ORANGE, issued_by=issuer)
        alert.units.set([community])
        AlertFanout.objects.create(alert=alert, round=0)
    for fanout in alert.fanouts.exclude(phase=AlertFanout.Phase.DONE):
        alert_fanout_run(fanout_id=fanout.pk)
    recipients = list(alert.recipients.order_by("pk"))
    for recipient in recipients[: len(recipients) // 2]:
        if recipient.acknowledged_at is None:
            alert_acknowledge(recipient=recipient, via=AlertRecipient.Via.LINK)
