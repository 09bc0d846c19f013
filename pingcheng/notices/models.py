from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """One message to one recipient, written in the same transaction as the event that causes it.

    ``key`` de-duplicates: the same event enqueued twice is one row. Delivery claims the row with a
    guarded UPDATE, so two workers or two sweeps never send it twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败，待重试")
        DEAD = "dead", _("已放弃")

    key = models.CharField(_("去重键"), max_length=200, unique=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel)
    recipient = models.CharField(_("收件人"), max_length=254)
    template = models.CharField(_("模板"), max_length=80)
    context = models.JSONField(_("模板数据"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status, default=Status.PENDING)
    send_after = models.DateTimeField(_("最早发送时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notice_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.masked_recipient}: {self.template}"

    @property
    def masked_recipient(self) -> str:
        """Recipients are residents' contacts: show only enough to tell them apart."""
        value = self.recipient
        if "@" in value:
            name, _sep, domain = value.partition("@")
            return f"{name[:1]}***@{domain}"
        if len(value) >= 7:
            return f"{value[:3]}****{value[-4:]}"
        return "***"
