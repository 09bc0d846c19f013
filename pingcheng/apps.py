from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PingchengConfig(AppConfig):
    """The platform itself: site-wide views, templates and the demo-data command."""

    name = "pingcheng"
    verbose_name = _("平城区平台")

    def ready(self) -> None:
        from pingcheng.audit.registry import audit_exempt, audit_register
        from pingcheng.celery import ensure_filesystem_broker_folders
        from pingcheng.db_timestamps import timestamps_loader_connect
        from pingcheng.models import PublicChange, WorkdayOverride, WorkdayYear

        ensure_filesystem_broker_folders()
        timestamps_loader_connect()
        audit_register(WorkdayOverride, WorkdayYear)
        audit_exempt(PublicChange, reason="a timestamp the page cache keeps, no one edits it")
