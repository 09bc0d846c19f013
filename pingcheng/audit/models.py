from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingcheng.notices.masking import mask_contacts


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


# The back office is Chinese; django-auditlog and django-axes ship no Chinese and name their tables in English
# ("Audit log › Log entries", "Axes › Access attempts"). These proxies give the same rows Chinese names on the
# admin index, in breadcrumbs and titles; their admins (``pingcheng.audit.admin``, ``LoginLockAdmin`` in
# ``pingcheng.directory.admin``) label every column themselves. No table of their own, no new data.


class AuditEntry(LogEntry):
    """An entry of the audit trail (django-auditlog's ``LogEntry``) as the district administrator reads it."""

    ACTION_LABELS = {
        LogEntry.Action.CREATE: _("新增"),
        LogEntry.Action.UPDATE: _("修改"),
        LogEntry.Action.DELETE: _("删除"),
        LogEntry.Action.ACCESS: _("查看"),
    }

    class Meta:
        proxy = True
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")

    def __str__(self) -> str:
        return f"{self.action_label}：{self.object_repr}"

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))


class LoginLock(AccessAttempt):
    """django-axes' count of failed logins for one account and address within the cool-off (``pingcheng.accounts``);
    at ``AXES_FAILURE_LIMIT`` failures they are locked out."""

    class Meta:
        proxy = True
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录锁定")

    def __str__(self) -> str:
        # A login may be a phone number: masked in titles and in the admin's own history of deletions.
        return f"{mask_contacts(self.username or '') or '—'} · {self.ip_address or '—'}"
