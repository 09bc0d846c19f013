"""Warnings (预警) that staff issue to units, the people they reach, and each person's acknowledgement.

A warning is written with one fan-out job (``AlertFanout``) in the issuer's transaction; Celery expands the
job into ``AlertRecipient`` rows and outbox notices in chunks (``pingcheng.alerts.services``). Each recipient
acknowledges through an unguessable link (``token``) or by replying the short ``code`` by SMS.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingcheng.directory.models import Unit
from pingcheng.notices.models import Subscriber

# Six-digit reply codes are a bijection of a recipient's ordinal within its warning: (ordinal × M + offset) mod
# 10⁶ with M coprime to 10⁶, so codes never collide inside one warning, whatever the order chunks commit in.
CODE_SPACE = 1_000_000


def ack_token() -> str:
    """An unguessable acknowledgement token (128 bits, URL-safe, 22 characters: short enough for an SMS)."""
    return secrets.token_urlsafe(16)


def code_multiplier() -> int:
    while True:
        value = secrets.randbelow(CODE_SPACE)
        if value % 2 and value % 5:
            return value


def code_offset() -> int:
    return secrets.randbelow(CODE_SPACE)


class Alert(models.Model):
    """One warning issued by a staff member to chosen units (and everything below them)."""

    class Severity(models.TextChoices):
        BLUE = "blue", _("蓝色")
        YELLOW = "yellow", _("黄色")
        ORANGE = "orange", _("橙色")
        RED = "red", _("红色")

    title = models.CharField(_("标题"), max_length=60, help_text=_("如“暴雨橙色预警”。"))
    text = models.TextField(_("内容"), max_length=300, help_text=_("将以短信发出，请简明扼要（300字以内）。"))
    severity = models.CharField(_("预警级别"), max_length=8, choices=Severity, default=Severity.YELLOW)
    units = models.ManyToManyField(Unit, verbose_name=_("发布范围"), related_name="alerts")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="alerts_issued"
    )
    issued_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    resend_count = models.PositiveSmallIntegerField(_("重发次数"), default=0)
    # The key of the form it was issued from: the same form sent twice (a double tap on a slow network) finds the
    # warning the first sending wrote instead of warning everyone twice.
    submission = models.UUIDField(_("提交编号"), null=True, blank=True, unique=True, editable=False)
    code_multiplier = models.PositiveIntegerField(default=code_multiplier, editable=False)
    code_offset = models.PositiveIntegerField(default=code_offset, editable=False)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("alerts:board", args=[self.pk])

    def reply_code(self, ordinal: int) -> str:
        return f"{(ordinal * self.code_multiplier + self.code_offset) % CODE_SPACE:06d}"


class AlertRecipient(models.Model):
    """One person a warning reached: a staff member through a membership, or a subscriber of a unit.

    ``unit`` is where the person stands under the warning's units (a grid worker's grid), so the board counts
    unit by unit. ``name`` is kept as the board shows it (a colleague's name, a subscriber's masked address).
    """

    class Via(models.TextChoices):
        LINK = "link", _("链接确认")
        SMS = "sms", _("短信回复")

    alert = models.ForeignKey(Alert, verbose_name=_("预警"), on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="alert_receipts",
    )  # fmt: skip
    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("订阅者"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="alert_receipts",
    )  # fmt: skip
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=80)
    role = models.CharField(_("身份"), max_length=40, blank=True)
    token = models.CharField(_("确认令牌"), max_length=32, unique=True, default=ack_token, editable=False)
    code = models.CharField(_("回复码"), max_length=6)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_via = models.CharField(_("确认方式"), max_length=8, choices=Via, blank=True)
    created_at = models.DateTimeField(_("通知时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预警接收人")
        verbose_name_plural = _("预警接收人")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "user"], condition=Q(user__isnull=False), name="alert_recipient_user_once"
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["alert", "subscriber"],
                condition=Q(subscriber__isnull=False),
                name="alert_recipient_subscriber_once",
            ),  # fmt: skip
            models.UniqueConstraint(fields=["alert", "code"], name="alert_recipient_code_unique"),
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(subscriber__isnull=True), name="alert_recipient_one_person"
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["alert", "unit", "acknowledged_at"], name="alert_recipient_board_idx")]

    def __str__(self) -> str:
        return f"{self.alert} · {self.name}"

    @property
    def person_key(self) -> str:
        """The person part of the notice's de-duplication key: ``u<user id>`` or ``s<subscriber id>``."""
        return f"u{self.user_id}" if self.user_id else f"s{self.subscriber_id}"


class AlertFanout(models.Model):
    """One expansion of a warning into notices: ``round`` 0 is the warning itself, n the n-th re-send.

    Written by the request with the warning (or the re-send); a worker advances ``cursor`` chunk by chunk under
    a row lock, so a second worker, a redelivered task or the sweep continue where the last chunk committed.
    """

    class Phase(models.TextChoices):
        STAFF = "staff", _("工作人员")
        SUBSCRIBERS = "subscribers", _("订阅者")
        RESEND = "resend", _("未确认人员")
        DONE = "done", _("已完成")

    alert = models.ForeignKey(Alert, verbose_name=_("预警"), on_delete=models.CASCADE, related_name="fanouts")
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    phase = models.CharField(_("阶段"), max_length=12, choices=Phase, default=Phase.STAFF)
    cursor = models.BigIntegerField(_("进度"), default=0)
    ordinal = models.PositiveIntegerField(_("已编号人数"), default=0)
    notices_written = models.PositiveIntegerField(_("已写通知"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警分发任务")
        verbose_name_plural = _("预警分发任务")
        constraints = [models.UniqueConstraint(fields=["alert", "round"], name="alert_fanout_round_unique")]
        indexes = [models.Index(fields=["phase"], condition=~Q(phase="done"), name="alert_fanout_open_idx")]

    def __str__(self) -> str:
        return f"{self.alert} #{self.round}"
