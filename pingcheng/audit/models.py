from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDataExport(models.Model):
    """One export of residents' personal data (a ledger, a list of inquiries …): who, what, how many rows, when.

    Written by ``personal_data_export_logged`` and never changed; ``username`` keeps the name after the
    account is gone.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("用户名"), max_length=150)
    what = models.CharField(_("导出内容"), max_length=200)
    count = models.PositiveIntegerField(_("条数"))
    at = models.DateTimeField(_("导出时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("个人信息导出记录")
        verbose_name_plural = _("个人信息导出记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} · {self.what} · {self.count}"
