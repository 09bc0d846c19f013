from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "pingcheng.notices"
    label = "notices"
    verbose_name = _("通知")

    def ready(self) -> None:
        from pingcheng.audit.registry import audit_exempt, audit_register

        # Registers the platform's own kinds and the system check that their templates exist, and the check
        # that the send lease outlasts every channel's timeout.
        from pingcheng.notices import checks, kinds, subscription_kinds  # noqa: F401
        from pingcheng.notices.models import (
            DigestItem,
            Fanout,
            Notice,
            StaffNoticePreference,
            Subscriber,
            SubscriberCode,
            Subscription,
        )

        # A notice is written as part of another write (already recorded); staff later change it by a resend.
        audit_register(Notice, exclude=["context", "claimed_at", "claim_token", "lease_until"], mask=["recipient"],
                       mask_callable="pingcheng.audit.registry.mask_contact", log_creation=False)  # fmt: skip
        audit_exempt(Subscriber, Subscription, SubscriberCode,
                     reason="residents manage their own subscription; staff never write it")  # fmt: skip
        audit_exempt(Fanout, DigestItem, reason="derived from the events that caused them, which are recorded")
        # Administrators set grid workers' warning mobiles here: who changed a number is worth a record.
        audit_register(StaffNoticePreference, mask=["phone"], mask_callable="pingcheng.audit.registry.mask_contact")
