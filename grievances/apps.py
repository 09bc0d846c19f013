from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("群众诉求")

    def ready(self) -> None:
        from grievances import (
            notice_kinds,  # noqa: F401 — registers the desk's notice kinds
            verification,  # PhoneCode (migration 0002) lives beside its code
        )
        from grievances.dashboard import desk_panel
        from grievances.models import (
            AnswerTemplate,
            CoHandling,
            DeadlinePolicy,
            Extension,
            FaqEntry,
            Inquiry,
            InquiryEvent,
            InquiryPhoto,
            Reply,
            Topic,
        )
        from pingcheng.audit.registry import audit_exempt, audit_register
        from pingcheng.dashboard import dashboard_panel_register
        from pingcheng.demo import demo_loader_register
        from pingcheng.page_cache import page_product_register

        page_product_register("grievances")
        dashboard_panel_register("grievances.desk", desk_panel)
        demo_loader_register("grievances", "grievances.demo.load", link_accounts="grievances.demo.link_accounts")
        for model in (Topic, DeadlinePolicy, AnswerTemplate, FaqEntry):
            audit_register(model)
        # The resident's name and phone never reach the audit log, not even encrypted.
        audit_register(Inquiry, exclude=["name", "phone", "phone_digest", "phone_tail", "reminded_due",
                                         "overdue_notified_due"])  # fmt: skip
        audit_exempt(InquiryEvent, reason="append-only history written by grievances.services itself")
        audit_exempt(Reply, CoHandling, Extension, InquiryPhoto,
                     reason="written only by grievances.services, each step recorded as an InquiryEvent")  # fmt: skip
        audit_exempt(verification.PhoneCode,
                     reason="one-time phone codes: short-lived rows written by the public form, holding only keyed "
                            "hashes; an audit copy would keep them beyond their deletion")  # fmt: skip
