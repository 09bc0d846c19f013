"""The public inquiry desk's data (诉求): what residents ask, who answers, by when, and what happened.

- ``Topic`` routes an inquiry to its default unit (a department or a street office); ``DeadlinePolicy`` says
  how many working days each kind (and optionally each topic) gets; ``AnswerTemplate`` and ``FaqEntry`` help
  handlers answer and residents find answers before asking.
- ``Inquiry`` is one question, complaint, suggestion or request for help. Its status moves through
  ``grievances.workflow`` only (submitted → assigned → accepted → answered → rated → closed, or rejected /
  returned); its deadline is the shared ``WorkingDayDeadline`` (working days, stored at write time,
  provisional beyond the known calendar). ``lead_unit`` handles it; ``CoHandling`` rows add co-handling units.
  The resident's name and phone are encrypted at rest (``pingcheng.personal_data``); ``phone_digest`` (a keyed
  HMAC) finds an inquiry by phone and ``phone_tail`` (last 4 digits) pairs with the unguessable
  ``tracking_code`` for tracking. The retention job blanks all three and deletes photos
  (``personal_data_erased_at``).
- ``InquiryEvent`` is the append-only history: every step writes one row (who, unit, from → to, note, whether
  the resident sees it); rows are never updated or deleted.
- ``Reply`` is a unit's text on an inquiry: the official answer (shown to the resident, published with consent)
  or a co-handler's opinion / internal note. ``Extension`` is a unit's request for more working days and the
  supervisor's decision. ``InquiryPhoto`` links the resident's photos (shared ``pingcheng.photos.Photo``).

Personal data is never stored anywhere else in plaintext: notices to the resident carry the phone only until
delivery (``notices_erase_addresses``), events and replies never quote it.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingcheng.chinese import mask_name, mask_phone
from pingcheng.models import TimeStampedModel, WorkingDayDeadline
from pingcheng.personal_data import EncryptedTextField

# No 0/O, 1/I/L: a resident reads the code off an SMS and types it on a phone keypad.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12  # 31**12 ≈ 7.9e17 codes: not guessable within any rate limit
TRACKING_PREFIX = "PC"


def tracking_code_new() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def tracking_code_normalise(raw: str) -> str:
    """The stored form of what a resident typed: ``pc-abcd efgh-jk2m`` → ``ABCDEFGHJK2M``; "" if malformed.

    Ambiguous characters are read as the ones the alphabet keeps (O→0 is not in it, so O and 0 both fail
    rather than guessing)."""
    compact = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if compact.startswith(TRACKING_PREFIX) and len(compact) == TRACKING_LENGTH + len(TRACKING_PREFIX):
        compact = compact[len(TRACKING_PREFIX) :]
    if len(compact) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in compact):
        return ""
    return compact


def tracking_code_display(code: str) -> str:
    return f"{TRACKING_PREFIX}-{code[0:4]}-{code[4:8]}-{code[8:12]}" if code else ""


class Kind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    HELP = "help", _("求助")


class Topic(models.Model):
    name = models.CharField(_("名称"), max_length=60, unique=True)
    slug = models.SlugField(_("网址代码"), max_length=60, unique=True, allow_unicode=False)
    default_unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("默认承办单位"), on_delete=models.PROTECT, related_name="inquiry_topics"
    )
    description = models.TextField(_("说明"), blank=True, help_text=_("向居民说明这一类问题包括什么。"))
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class DeadlinePolicy(models.Model):
    """Working days to answer an inquiry of a kind; a row with a topic wins over the kind's general row."""

    DEFAULT_WORKING_DAYS = {Kind.CONSULT: 3, Kind.COMPLAINT: 10, Kind.SUGGESTION: 10, Kind.HELP: 5}

    kind = models.CharField(_("诉求类型"), max_length=16, choices=Kind)
    topic = models.ForeignKey(
        Topic, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="deadline_policies",
        help_text=_("留空表示该类型的通用时限。"),
    )  # fmt: skip
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["kind", "topic__name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "topic"], name="deadline_policy_kind_topic_unique"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(topic__isnull=True), name="deadline_policy_kind_general_unique"
            ),
            models.CheckConstraint(
                condition=Q(working_days__gte=1, working_days__lte=60), name="deadline_policy_days_in_range"
            ),
        ]

    def __str__(self) -> str:
        where = self.topic.name if self.topic_id else _("通用")
        return f"{self.get_kind_display()} · {where} · {self.working_days}"


class AnswerTemplate(models.Model):
    topic = models.ForeignKey(
        Topic, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="answer_templates"
    )
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="answer_templates", help_text=_("留空表示所有单位可用。"),
    )  # fmt: skip
    title = models.CharField(_("标题"), max_length=80)
    text = models.TextField(_("答复内容"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["topic__sort_order", "title"]

    def __str__(self) -> str:
        return self.title


class FaqEntry(TimeStampedModel):
    topic = models.ForeignKey(Topic, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="faq_entries")
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("解答单位"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="faq_entries",
    )  # fmt: skip
    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("解答"))
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_published = models.BooleanField(_("公开"), default=True)

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")
        ordering = ["topic__sort_order", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.question


class Inquiry(WorkingDayDeadline):
    Kind = Kind

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待分派")
        ASSIGNED = "assigned", _("已分派")
        ACCEPTED = "accepted", _("办理中")
        ANSWERED = "answered", _("已答复")
        RATED = "rated", _("已评价")
        CLOSED = "closed", _("已办结")
        RETURNED = "returned", _("已退回，待重新分派")
        REJECTED = "rejected", _("不予受理")

    class Channel(models.TextChoices):
        WEB = "web", _("网上")
        PHONE = "phone", _("电话")
        VISIT = "visit", _("来访")
        LETTER = "letter", _("来信")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    class RejectReason(models.TextChoices):
        OUT_OF_SCOPE = "out_of_scope", _("不属于受理范围")
        DUPLICATE = "duplicate", _("重复诉求")
        ABUSIVE = "abusive", _("含辱骂或无实际内容")

    OPEN_STATUSES = (Status.ASSIGNED, Status.ACCEPTED)

    tracking_code = models.CharField(_("查询码"), max_length=TRACKING_LENGTH, unique=True, default=tracking_code_new)
    kind = models.CharField(_("诉求类型"), max_length=16, choices=Kind)
    topic = models.ForeignKey(Topic, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="inquiries")
    place_unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("所在街道/社区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inquiries_about",
    )  # fmt: skip
    title = models.CharField(_("标题"), max_length=80)
    text = models.TextField(_("内容"))
    channel = models.CharField(_("来源渠道"), max_length=8, choices=Channel, default=Channel.WEB)
    name = EncryptedTextField(_("姓名"), blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_digest = models.CharField(_("手机号摘要"), max_length=64, blank=True, db_index=True, editable=False)
    phone_tail = models.CharField(_("手机尾号"), max_length=4, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.SUBMITTED)
    lead_unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("主办单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inquiries_led",
    )  # fmt: skip
    co_units = models.ManyToManyField(
        "directory.Unit", verbose_name=_("协办单位"), through="CoHandling", related_name="inquiries_co_handled",
        blank=True,
    )  # fmt: skip
    publish_consent = models.BooleanField(_("同意公开答复"), default=False)
    is_published = models.BooleanField(_("已公开"), default=False)
    public_title = models.CharField(_("公开标题"), max_length=80, blank=True)
    public_question = models.TextField(_("公开问题（已去除个人信息）"), blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating, blank=True)
    rating_note = models.TextField(_("评价意见"), blank=True)
    redo_round = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    reject_reason = models.CharField(_("不予受理原因"), max_length=16, choices=RejectReason, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    is_supervised = models.BooleanField(_("督办中"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reminded_due = models.DateField(_("已提醒的截止日期"), null=True, blank=True, editable=False)
    overdue_notified_due = models.DateField(_("已通报逾期的截止日期"), null=True, blank=True, editable=False)
    idempotency_key = models.CharField(_("提交幂等键"), max_length=64, unique=True, editable=False)
    personal_data_erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inquiries_recorded", help_text=_("电话或来访登记的工作人员。"),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["lead_unit", "status", "deadline_due"], name="inquiry_unit_status_due_idx"),
            models.Index(fields=["status", "deadline_due"], name="inquiry_status_due_idx"),
            models.Index(fields=["is_published", "-published_at"], name="inquiry_published_idx"),
            models.Index(fields=["status", "closed_at"], name="inquiry_status_closed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(is_published=True) | Q(publish_consent=True), name="inquiry_published_needs_consent"
            ),
            models.CheckConstraint(
                condition=Q(status="submitted")
                | Q(status="rejected")
                | Q(status="returned")
                | Q(lead_unit__isnull=False),
                name="inquiry_routed_has_lead_unit",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code_display} {self.title}"

    @property
    def tracking_code_display(self) -> str:
        return tracking_code_display(self.tracking_code)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def masked_name(self) -> str:
        return mask_name(self.name) if self.name else ""

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CoHandling(models.Model):
    """A unit asked to help the lead unit; its opinion is a ``Reply`` of kind ``co_opinion``."""

    inquiry = models.ForeignKey(Inquiry, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="co_handlings")
    unit = models.ForeignKey("directory.Unit", verbose_name=_("协办单位"), on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("添加人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("添加时间"), default=timezone.now)
    done_at = models.DateTimeField(_("协办意见提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("协办")
        verbose_name_plural = _("协办")
        constraints = [models.UniqueConstraint(fields=["inquiry", "unit"], name="cohandling_unique_unit")]

    def __str__(self) -> str:
        return f"{self.inquiry_id} · {self.unit}"


class InquiryEvent(models.Model):
    """One step in an inquiry's history. Append-only: never updated or deleted (``save`` and ``delete``
    refuse, and on PostgreSQL a trigger refuses UPDATE/DELETE as well)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("提交诉求")
        RECORDED = "recorded", _("工作人员登记")
        ASSIGNED = "assigned", _("分派")
        REASSIGNED = "reassigned", _("改派")
        ACCEPTED = "accepted", _("受理")
        RETURNED = "returned", _("退单")
        REJECTED = "rejected", _("不予受理")
        CO_ADDED = "co_added", _("增加协办单位")
        CO_OPINION = "co_opinion", _("协办意见")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("批准延期")
        EXTENSION_REFUSED = "extension_refused", _("不批准延期")
        SUPERVISED = "supervised", _("督办")
        ANSWERED = "answered", _("答复")
        RATED = "rated", _("评价")
        REDO = "redo", _("重办")
        CLOSED = "closed", _("办结")
        AUTO_CLOSED = "auto_closed", _("逾期未评价，自动办结")
        PUBLISHED = "published", _("公开答复")
        UNPUBLISHED = "unpublished", _("撤回公开")
        REVEALED = "revealed", _("查看联系方式")
        NOTE = "note", _("内部备注")
        PERSONAL_DATA_ERASED = "personal_data_erased", _("删除个人信息")

    inquiry = models.ForeignKey(Inquiry, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=24, choices=Action)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Inquiry.Status, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Inquiry.Status, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    actor_unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("操作单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    visible_to_resident = models.BooleanField(_("居民可见"), default=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["inquiry", "at"], name="inquiryevent_inquiry_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("办理记录不能修改。"), code="event_append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("办理记录不能删除。"), code="event_append_only")


class Reply(models.Model):
    class Kind(models.TextChoices):
        ANSWER = "answer", _("正式答复")
        CO_OPINION = "co_opinion", _("协办意见")
        NOTE = "note", _("内部备注")

    inquiry = models.ForeignKey(Inquiry, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="replies")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind, default=Kind.ANSWER)
    unit = models.ForeignKey("directory.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("内容"))
    is_official_answer = models.BooleanField(_("正式答复"), default=False)
    is_public = models.BooleanField(_("公开"), default=False)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=0)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(is_public=True) | Q(is_official_answer=True), name="reply_public_only_if_official"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit}"


class Extension(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    inquiry = models.ForeignKey(Inquiry, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey("directory.Unit", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    working_days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decision_note = models.TextField(_("审批意见"), blank=True)
    old_due = models.DateField(_("原截止日期"), null=True, blank=True)
    new_due = models.DateField(_("新截止日期"), null=True, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry"], condition=Q(status="pending"), name="extension_one_pending_per_inquiry"
            ),
            models.CheckConstraint(
                condition=Q(working_days__gte=1, working_days__lte=30), name="extension_days_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id} +{self.working_days}"


class InquiryPhoto(models.Model):
    inquiry = models.ForeignKey(Inquiry, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="photos")
    photo = models.ForeignKey("photos.Photo", verbose_name=_("图片"), on_delete=models.CASCADE, related_name="+")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求图片")
        verbose_name_plural = _("诉求图片")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["inquiry", "photo"], name="inquiryphoto_unique")]

    def __str__(self) -> str:
        return f"{self.inquiry_id} · {self.photo_id}"
