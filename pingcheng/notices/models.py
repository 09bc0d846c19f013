import secrets
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingcheng.models import TimeStampedModel
from pingcheng.notices.masking import mask_address

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请填写11位手机号码。"), code="phone_invalid")


def subscriber_token() -> str:
    """An unguessable token for the links that manage or end a subscription (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class Subscriber(TimeStampedModel):
    """A member of the public who asked for notices by e-mail and/or SMS.

    Nothing is sent before ``confirmed_at`` (double opt-in) or after ``is_active`` is cleared (unsubscribed).
    ``token`` identifies the subscriber in the links that manage or end the subscription, instead of the
    guessable primary key.
    """

    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[mobile_validator])
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    token = models.CharField(_("管理令牌"), max_length=64, unique=True, default=subscriber_token, editable=False)

    class Meta:
        verbose_name = _("订阅者")
        verbose_name_plural = _("订阅者")
        constraints = [
            models.CheckConstraint(condition=~Q(email="") | ~Q(phone=""), name="subscriber_has_an_address"),
        ]

    def __str__(self) -> str:
        return mask_address(self.email) or mask_address(self.phone)


class Notice(models.Model):
    """One message to one person by one channel, written in the same transaction as the event that causes it.

    ``(key, channel, person)`` de-duplicates: the same event enqueued twice for one person is one row per
    channel, and another person enqueued under the same key gets rows of their own. E-mail and SMS
    rows are delivered by a worker that claims the row with a lease (``claim_token``, ``lease_until``), sends
    outside any transaction with ``uuid`` as the idempotency key, and marks it sent only if it still holds
    the claim. In-site (inbox) rows are delivered by being committed; ``read_at`` records that the user
    opened them.

    ``recipient`` is the address at enqueue; it is blanked after the retention period, or at once when the
    notice is cancelled because its person left, and ``recipient_hint`` (masked) stays for the outbox.
    ``last_error`` never holds an address (``masking.mask_contacts``).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")
        INBOX = "inbox", _("站内信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败，待重试")
        DEAD = "dead", _("已放弃")
        # Not sent because the person unsubscribed or was deactivated before it went out.
        CANCELED = "canceled", _("已取消")

    uuid = models.UUIDField(_("幂等键"), default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("去重键"), max_length=200)
    kind = models.CharField(_("类型"), max_length=80, blank=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="notices",
    )  # fmt: skip
    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("订阅者"), null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    recipient = models.CharField(_("收件地址"), max_length=254, blank=True)
    recipient_hint = models.CharField(_("收件人"), max_length=254, blank=True)
    template = models.CharField(_("模板"), max_length=80)
    context = models.JSONField(_("模板数据"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status, default=Status.PENDING)
    send_after = models.DateTimeField(_("最早发送时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claim_token = models.UUIDField(_("领取凭据"), null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            # One row per event, channel and person. NULLs are distinct in a unique index and a row has at most
            # one of user and subscriber, so each absent one counts as 0 (rows from before people: both).
            models.UniqueConstraint(
                "key",
                "channel",
                Coalesce("user", Value(0), output_field=models.BigIntegerField()),
                Coalesce("subscriber", Value(0), output_field=models.BigIntegerField()),
                name="notice_key_channel_person_unique",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(subscriber__isnull=True), name="notice_one_recipient"
            ),
            models.CheckConstraint(condition=~Q(channel="inbox") | Q(user__isnull=False), name="notice_inbox_has_user"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notice_due_idx"),
            models.Index(fields=["user", "channel", "-sent_at"], name="notice_inbox_idx"),
            # The retention sweep looks only at rows that still hold an address.
            models.Index(fields=["status", "sent_at"], condition=~Q(recipient=""), name="notice_address_kept_idx"),
            # What the subscribe page sent to one address today (subscriptions.ADDRESS_MESSAGES_PER_DAY).
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(kind__in=["subscription_confirm", "subscription_code", "subscription_manage_link"]),
                name="notice_address_messages_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.masked_recipient}: {self.kind or self.template}"

    @property
    def masked_recipient(self) -> str:
        """Recipients are residents' contacts: show only enough to tell them apart."""
        return self.recipient_hint or mask_address(self.recipient) or "***"

    @property
    def is_unread(self) -> bool:
        return self.channel == self.Channel.INBOX and self.read_at is None


class Topic(models.TextChoices):
    """What a resident may follow. Warnings (预警) are sent by pingcheng.alerts to the same subscriptions."""

    NEWS = "news", _("新闻")
    CAMPAIGN = "campaign", _("专项活动")
    WARNING = "warning", _("预警")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("即时")
    DAILY = "daily", _("每日摘要")
    WEEKLY = "weekly", _("每周摘要")


class Subscription(models.Model):
    """One thing a subscriber follows, at a frequency: a topic in a unit and everything below it (or the whole
    district when ``unit`` is empty), or a ``stream`` — something a product lets residents follow besides units,
    named by a key the product defines and lists (``pingcheng.notices.streams``; the newsroom's sections,
    ``section:<id>``). A stream row has no unit: it is followed wherever its events happen. Warnings ignore the
    frequency: they always go out at once."""

    subscriber = models.ForeignKey(Subscriber, verbose_name=_("订阅者"), on_delete=models.CASCADE,
                                   related_name="subscriptions")  # fmt: skip
    unit = models.ForeignKey("directory.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", help_text=_("留空表示全区。"))  # fmt: skip
    topic = models.CharField(_("主题"), max_length=16, choices=Topic)
    frequency = models.CharField(_("频率"), max_length=16, choices=Frequency, default=Frequency.IMMEDIATE)
    stream = models.CharField(_("栏目"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        ordering = ["subscriber", "topic", "unit", "stream"]
        constraints = [
            # One row per topic and unit (the district: no unit) or per topic and stream.
            models.UniqueConstraint(
                "subscriber",
                "topic",
                Coalesce("unit", Value(0), output_field=models.BigIntegerField()),
                "stream",
                name="subscription_unique_topic_unit_stream",
            ),
            models.CheckConstraint(condition=Q(stream="") | Q(unit__isnull=True), name="subscription_stream_no_unit"),
        ]
        indexes = [
            models.Index(fields=["topic", "unit"], name="subscription_topic_unit_idx"),
            models.Index(fields=["topic", "stream"], condition=~Q(stream=""), name="subscription_stream_idx"),
        ]

    def __str__(self) -> str:
        where = self.stream or self.unit or _("全区")
        return f"{self.get_topic_display()} · {where} · {self.get_frequency_display()}"


class SubscriberCode(models.Model):
    """A one-time code sent by SMS to confirm a phone number. Only its hash is kept; a few wrong tries end it."""

    subscriber = models.ForeignKey(Subscriber, verbose_name=_("订阅者"), on_delete=models.CASCADE,
                                   related_name="codes")  # fmt: skip
    code_hash = models.CharField(_("验证码摘要"), max_length=128)
    expires_at = models.DateTimeField(_("有效期至"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subscriber} {self.created_at:%Y-%m-%d %H:%M}"


class Fanout(models.Model):
    """One event for an audience of subscribers (a topic in some units, or in some streams), expanded by Celery in
    chunks.

    Written in the same transaction as its cause, unique by ``key``; ``cursor`` is the last subscriber id
    expanded, so an interrupted expansion resumes where it stopped and a second run adds nothing (the notices
    and digest items it writes are unique per subscriber too). ``immediate_only`` events (reminders due in
    hours) skip digest subscribers: a digest the next morning would come after the event.
    """

    key = models.CharField(_("去重键"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=80)
    topic = models.CharField(_("主题"), max_length=16, choices=Topic)
    unit_paths = models.JSONField(_("单位路径"), default=list, blank=True)
    streams = models.JSONField(_("栏目"), default=list, blank=True)
    context = models.JSONField(_("模板数据"), default=dict, blank=True)
    immediate_only = models.BooleanField(_("仅即时订阅者"), default=False)
    cursor = models.BigIntegerField(_("已展开至"), default=0)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)
    done_at = models.DateTimeField(_("展开完成"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("订阅群发")
        verbose_name_plural = _("订阅群发")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["done_at", "created_at"], name="fanout_pending_idx")]

    def __str__(self) -> str:
        return self.key


class DigestItem(models.Model):
    """One event waiting for a subscriber's daily or weekly digest; ``digest_key`` is set when it went out."""

    subscriber = models.ForeignKey(Subscriber, verbose_name=_("订阅者"), on_delete=models.CASCADE,
                                   related_name="digest_items")  # fmt: skip
    frequency = models.CharField(_("频率"), max_length=16, choices=Frequency)
    key = models.CharField(_("去重键"), max_length=200)
    topic = models.CharField(_("主题"), max_length=16, choices=Topic)
    context = models.JSONField(_("模板数据"), default=dict, blank=True)
    digest_key = models.CharField(_("摘要"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("摘要条目")
        verbose_name_plural = _("摘要条目")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["subscriber", "key"], name="digest_item_unique")]
        indexes = [models.Index(fields=["frequency", "digest_key", "created_at"], name="digest_item_due_idx")]

    def __str__(self) -> str:
        return self.key


class StaffNoticePreference(models.Model):
    """The channels a staff member receives work notices by. Without a row: the inbox and e-mail (as before)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), on_delete=models.CASCADE,
                                related_name="notice_preference")  # fmt: skip
    by_inbox = models.BooleanField(_("站内信"), default=True)
    by_email = models.BooleanField(_("电子邮件"), default=True)
    by_sms = models.BooleanField(_("短信"), default=False)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[mobile_validator])
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.CheckConstraint(condition=Q(by_sms=False) | ~Q(phone=""), name="staff_sms_needs_phone"),
        ]

    def __str__(self) -> str:
        return str(self.user)
