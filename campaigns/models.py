"""Campaigns (专项活动): types and the figures they count, campaigns with their targets, the activities units
hold, the figures each activity records, and the findings (问题/隐患) raised on them with their rectification.

Totals are never stored: a campaign's figures are the sum of its activities' ``ActivityFigure`` rows
(``campaigns.selectors``), so a corrected activity corrects every ledger and dashboard at once. Every status
change of an activity or a finding is an append-only event row (who, what, when, note).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pingcheng.directory.models import Unit
from pingcheng.models import WorkingDayDeadline


class CampaignType(models.Model):
    """A kind of campaign (防非宣传, 创城, 防汛 …) and, through ``metrics``, the figures worth counting for it."""

    name = models.CharField(_("类型名称"), max_length=40, unique=True)
    slug = models.SlugField(_("网址代码"), max_length=40, unique=True)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Metric(models.Model):
    """One figure a campaign type counts: what it is, in what unit, and what counts towards it."""

    campaign_type = models.ForeignKey(CampaignType, verbose_name=_("活动类型"), on_delete=models.CASCADE,
                                      related_name="metrics")  # fmt: skip
    code = models.SlugField(_("代码"), max_length=40, help_text=_("导出表格和接口使用的英文代码，如 leaflets。"))
    name = models.CharField(_("指标名称"), max_length=40)
    unit = models.CharField(_("计量单位"), max_length=12, help_text=_("如：条、份、人次、处、小时。"))
    meaning = models.CharField(_("统计口径"), max_length=200, blank=True, help_text=_("什么算一次、怎么数。"))
    allows_fraction = models.BooleanField(_("可填小数"), default=False, help_text=_("如志愿服务时长；其余只填整数。"))
    is_public = models.BooleanField(_("对外公开"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["campaign_type", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign_type", "code"], name="metric_code_unique_per_type")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Campaign(models.Model):
    class Level(models.TextChoices):
        DISTRICT = "district", _("区级")
        STREET = "street", _("街道级")
        COMMUNITY = "community", _("社区级")

    title = models.CharField(_("活动名称"), max_length=80)
    slug = models.SlugField(_("网址代码"), max_length=60, unique=True)
    campaign_type = models.ForeignKey(CampaignType, verbose_name=_("活动类型"), on_delete=models.PROTECT,
                                      related_name="campaigns")  # fmt: skip
    level = models.CharField(_("层级"), max_length=16, choices=Level)
    lead_unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+")
    partner_units = models.ManyToManyField(Unit, verbose_name=_("协办单位"), blank=True, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("活动说明"), blank=True)
    is_public = models.BooleanField(_("对外公开"), default=True,
                                    help_text=_("公开的活动在网站“专项活动”栏目展示；内部活动只在后台可见。"))  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("专项活动")
        verbose_name_plural = _("专项活动")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.slug])


class Target(models.Model):
    """What the district asks of one unit for one figure of a campaign (e.g. 御锦源社区: 宣传资料 500 份)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("专项活动"), on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    metric = models.ForeignKey(Metric, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0"))])  # fmt: skip

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["campaign", "unit__path", "metric__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "metric"], name="target_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.metric.name} {self.value}"

    def clean(self) -> None:
        # A figure of another type is never recorded by this campaign's activities: its progress would stay 0.
        # (On the admin's add page the campaign is the unsaved one being added, known but without an id.)
        campaign = self.campaign if self.campaign_id or Target.campaign.is_cached(self) else None
        if campaign and self.metric_id and self.metric.campaign_type_id != campaign.campaign_type_id:
            message = _("“%(metric)s”不是这项专项活动的类型的统计指标。") % {"metric": self.metric.name}
            raise ValidationError({"metric": ValidationError(message, code="target_metric_of_another_type")})


class Activity(models.Model):
    """One event of a campaign held by a unit: planned, held, closed with a short report; or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PLANNED = "planned", _("计划")
        HELD = "held", _("已开展")
        CLOSED = "closed", _("已总结")
        CANCELLED = "cancelled", _("已取消")

    campaign = models.ForeignKey(Campaign, verbose_name=_("专项活动"), on_delete=models.PROTECT,
                                 related_name="activities")  # fmt: skip
    unit = models.ForeignKey(Unit, verbose_name=_("开展单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("活动主题"), max_length=80)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    partner_units = models.ManyToManyField(Unit, verbose_name=_("联合单位"), blank=True, related_name="+")
    partners_other = models.CharField(_("其他参与方"), max_length=200, blank=True,
                                      help_text=_("目录里没有的单位，如：社工站、城管、交警。"))  # fmt: skip
    summary = models.TextField(_("活动内容"), blank=True)
    report = models.TextField(_("活动总结"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.DRAFT)
    is_public = models.BooleanField(_("对外公开"), default=True)
    cancel_reason = models.CharField(_("取消或改期说明"), max_length=200, blank=True)
    # iCalendar's SEQUENCE: raised each time the time, the place or the status changes what attendees see.
    sequence = models.PositiveIntegerField(_("修订次数"), default=0, editable=False)
    photos = models.ManyToManyField("photos.Photo", verbose_name=_("照片"), blank=True, related_name="+")
    articles = models.ManyToManyField("articles.Article", verbose_name=_("相关报道"), blank=True,
                                      related_name="campaign_activities")  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The key of the field form it was sent from: the same form sent twice (a second tap, a resend on a bad
    # connection) finds this activity instead of recording it again.
    submission = models.UUIDField(_("提交编号"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "-starts_at"], name="activity_campaign_time_idx"),
            models.Index(fields=["unit", "-starts_at"], name="activity_unit_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")), name="activity_ends_after_start"
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.title


class ActivityFigure(models.Model):
    """One figure an activity recorded (e.g. 发放宣传资料 300 份). Never negative; whole unless the metric allows."""

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="figures")
    metric = models.ForeignKey(Metric, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("数值"), max_digits=12, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0"))])  # fmt: skip

    class Meta:
        verbose_name = _("活动数据")
        verbose_name_plural = _("活动数据")
        ordering = ["metric__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "metric"], name="figure_unique_per_activity"),
            models.CheckConstraint(condition=Q(value__gte=0), name="figure_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name} {self.value}"


class ActivityEvent(models.Model):
    """Append-only: each step of an activity (planned, held, closed, moved, cancelled), by whom and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("填报")
        PLANNED = "planned", _("提交计划")
        HELD = "held", _("开展")
        CLOSED = "closed", _("总结")
        MOVED = "moved", _("改期")
        CANCELLED = "cancelled", _("取消")
        EDITED = "edited", _("修改")

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL,
                           related_name="+")  # fmt: skip
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Finding(WorkingDayDeadline):
    """A problem or hazard found on an activity (an inspection, a patrol), and its rectification:
    found → ordered (限期整改) → in progress → reported done → re-inspected (回头看) → cleared (销号), or failed
    → ordered again. The deadline is counted in working days from the order (``pingcheng.workdays``)."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("一般")
        SERIOUS = "serious", _("较重")
        URGENT = "urgent", _("紧急")

    class Status(models.TextChoices):
        FOUND = "found", _("已发现")
        ORDERED = "ordered", _("限期整改")
        IN_PROGRESS = "in_progress", _("整改中")
        REPORTED = "reported", _("已报整改")
        FAILED = "failed", _("复查未通过")
        CLEARED = "cleared", _("已销号")

    activity = models.ForeignKey(Activity, verbose_name=_("发现于活动"), on_delete=models.PROTECT,
                                 related_name="findings")  # fmt: skip
    location = models.CharField(_("位置"), max_length=120)
    description = models.TextField(_("问题描述"))
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity, default=Severity.MINOR)
    responsible_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                                         related_name="+")  # fmt: skip
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.FOUND)
    photos = models.ManyToManyField("photos.Photo", verbose_name=_("照片"), blank=True, related_name="+")
    found_at = models.DateTimeField(_("发现时间"))
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发现人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    # Set when an overdue finding is handed to the unit above the responsible one.
    escalated_to = models.ForeignKey(Unit, verbose_name=_("已上报至"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")  # fmt: skip
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    submission = models.UUIDField(_("提交编号"), null=True, blank=True, unique=True, editable=False)  # as Activity's

    class Meta:
        verbose_name = _("问题隐患")
        verbose_name_plural = _("问题隐患")
        ordering = ["-found_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline_due"], name="finding_open_due_idx"),
            models.Index(fields=["responsible_unit", "status"], name="finding_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.location}：{self.description[:20]}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLEARED


class FindingEvent(models.Model):
    """Append-only: each step of a finding's rectification, by whom and when, with the status it left."""

    class Action(models.TextChoices):
        FOUND = "found", _("发现")
        ORDERED = "ordered", _("下达整改")
        STARTED = "started", _("开始整改")
        REPORTED = "reported", _("报告整改完成")
        PASSED = "passed", _("复查通过（销号）")
        FAILED = "failed", _("复查未通过")
        ESCALATED = "escalated", _("逾期上报")

    finding = models.ForeignKey(Finding, verbose_name=_("问题隐患"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Finding.Status, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Finding.Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL,
                           related_name="+")  # fmt: skip
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class LedgerExport(models.Model):
    """A ledger someone asked for that is built in the background; downloaded by that person only."""

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel（XLSX）")
        CSV = "csv", _("CSV")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE,
                                     related_name="+")  # fmt: skip
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, verbose_name=_("专项活动"), null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")  # fmt: skip
    campaign_type = models.ForeignKey(CampaignType, verbose_name=_("活动类型"), null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="+")  # fmt: skip
    date_from = models.DateField(_("开始日期"))
    date_to = models.DateField(_("结束日期"))
    format = models.CharField(_("格式"), max_length=8, choices=Format, default=Format.XLSX)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    row_count = models.PositiveIntegerField(_("活动数"), default=0)
    file_name = models.CharField(_("文件"), max_length=200, blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始生成"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导出")
        verbose_name_plural = _("台账导出")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="ledger_export_period"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.date_from}—{self.date_to}"
