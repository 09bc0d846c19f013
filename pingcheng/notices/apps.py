from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "pingcheng.notices"
    label = "notices"
    verbose_name = _("通知")

    def ready(self) -> None:
        # Registers the platform's own kinds and the system check that their templates exist, and the check
        # that the send lease outlasts every channel's timeout.
        from pingcheng.notices import checks, kinds  # noqa: F401
