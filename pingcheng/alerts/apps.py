from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "pingcheng.alerts"
    label = "alerts"
    verbose_name = _("预警")

    def ready(self) -> None:
        from pingcheng.alerts import notice_kinds  # noqa: F401 — registers the warning's notice kind
        from pingcheng.alerts.dashboard import alerts_panel
        from pingcheng.alerts.models import Alert, AlertFanout, AlertRecipient
        from pingcheng.audit.registry import audit_exempt, audit_register
        from pingcheng.dashboard import dashboard_panel_register
        from pingcheng.demo import demo_loader_register

        demo_loader_register(
            "alerts", "pingcheng.alerts.demo.load", link_accounts="pingcheng.alerts.demo.link_accounts"
        )
        dashboard_panel_register("alerts.home", alerts_panel)
        audit_register(Alert, m2m=["units"])
        audit_exempt(AlertRecipient, reason="written in bulk by the fan-out; acknowledgements are the recipients' own")
        audit_exempt(AlertFanout, reason="the fan-out's progress, written by the worker")
