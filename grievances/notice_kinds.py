"""The inquiry desk's notice kinds, registered from ``GrievancesConfig.ready()``.

Staff (the lead unit's handlers, the dispatchers) get the in-site inbox and e-mail; the resident gets SMS
only (``notice_enqueue_sms``: no account, and the phone is blanked on the notice once it is delivered).
"""

from django.utils.translation import gettext_lazy as _

from pingcheng.notices.kinds import kind_register
from pingcheng.notices.models import Notice

STAFF = {Notice.Channel.INBOX, Notice.Channel.EMAIL}

kind_register(name="inquiry_assigned", channels=STAFF, description=_("新诉求分派到本单位：请受理或在 1 个工作日内退单"))
kind_register(name="inquiry_co_handling", channels=STAFF, description=_("本单位被列为诉求的协办单位：请提交协办意见"))
kind_register(name="inquiry_due_soon", channels=STAFF, description=_("诉求明天到期：请在截止日期前答复"))
kind_register(name="inquiry_supervised", channels=STAFF, description=_("诉求被督办：请尽快办理并答复"))
kind_register(name="inquiry_redo", channels=STAFF, description=_("居民对答复不满意：诉求退回本单位重新办理"))
kind_register(name="inquiry_overdue", channels=STAFF, description=_("诉求已超过答复期限：请督办"))
kind_register(name="inquiry_returned", channels=STAFF, description=_("承办单位退单：请重新分派"))
kind_register(name="inquiry_extension_requested", channels=STAFF, description=_("承办单位申请延期：请审批"))
kind_register(
    name="inquiry_resident_update",
    channels={Notice.Channel.SMS},
    description=_("告知居民诉求的办理进展（受理、答复、延期、不予受理）"),
)
