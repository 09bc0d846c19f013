from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PingchengConfig(AppConfig):
    """The platform itself: site-wide views, templates and the demo-data command."""

    name = "pingcheng"
    verbose_name = _("平城区平台")

    def ready(self) -> None:
        from pingcheng.celery import ensure_filesystem_broker_folders

        ensure_filesystem_broker_folders()
