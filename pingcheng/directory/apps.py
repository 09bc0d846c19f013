from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "pingcheng.directory"
    label = "directory"
    verbose_name = _("区划与单位")
