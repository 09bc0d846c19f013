from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("专项活动")

    def ready(self) -> None:
        from campaigns.cache import CAMPAIGNS
        from campaigns.dashboard import field_panel, leader_panel
        from campaigns.models import (
            Activity,
            ActivityEvent,
            ActivityFigure,
            Campaign,
            CampaignType,
            Finding,
            FindingEvent,
            LedgerExport,
            Metric,
            Target,
        )
        from campaigns.photo_usage import campaign_photo_usages
        from pingcheng.audit.registry import audit_exempt, audit_register
        from pingcheng.dashboard import dashboard_panel_register
        from pingcheng.demo import demo_loader_register
        from pingcheng.page_cache import page_product_register
        from pingcheng.photos.access import photo_usage_register

        page_product_register(CAMPAIGNS)
        from django.db.models.signals import m2m_changed

        from campaigns.signal_handlers import activity_articles_changed

        m2m_changed.connect(activity_articles_changed, sender=Activity.articles.through,
                            dispatch_uid="campaigns.activity_articles_changed")  # fmt: skip
        photo_usage_register(campaign_photo_usages)
        # Notice kinds and the guards that check a reminder is still true when it is sent (campaigns/notices.py).
        from campaigns import notice_kinds, notices  # noqa: F401
        from pingcheng.notices.rules import guard_register

        guard_register("campaign_activity_announced", notices.activity_announcement_still_true)
        guard_register("campaign_activity_reminder", notices.activity_reminder_still_true)
        guard_register("campaign_activity_moved", notices.activity_change_still_true)
        guard_register("campaign_finding_due", notices.finding_due_still_true)
        guard_register("campaign_finding_overdue", notices.finding_overdue_still_true)
        dashboard_panel_register("campaigns.leader", leader_panel)
        dashboard_panel_register("campaigns.field", field_panel)
        demo_loader_register("campaigns", "campaigns.demo.load")
        for model in (CampaignType, Metric, Campaign, Target, ActivityFigure):
            audit_register(model)
        audit_register(Activity, m2m=["partner_units"])
        audit_register(Finding)
        audit_exempt(ActivityEvent, FindingEvent, reason="append-only history written by campaigns.services itself")
        audit_exempt(
            LedgerExport, reason="the export queue: written by the request and the worker, readable by its requester"
        )
