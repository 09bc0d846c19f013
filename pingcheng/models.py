"""Abstract models every product builds on, and the platform's working-day calendar tables."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Rows that record when they were made and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class WorkdayOverride(TimeStampedModel):
    """One day whose status the State Council's annual notice sets: a holiday, or a make-up workday (调休补班).

    Entered by the district administrator; it wins over ``chinese_calendar`` and over the Monday–Friday
    rule (see ``pingcheng.workdays``).
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("上班"), default=False, help_text=_("勾选表示当天上班（如调休补班）；不勾选表示当天放假。")
    )
    note = models.CharField(_("说明"), max_length=120, blank=True, help_text=_("如“元旦”“春节调休补班”。"))

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {_('上班') if self.is_workday else _('放假')}"


class WorkdayYear(TimeStampedModel):
    """The district administrator's statement that a year's official arrangement is fully entered.

    A year is "known" when ``chinese_calendar`` covers it or when a row here says ``complete``: then every
    day of that year without a ``WorkdayOverride`` follows Monday–Friday *for certain*, and answers about it
    are no longer provisional. The admin enters the year's holidays and make-up days as overrides first,
    then ticks ``complete``; a year left unticked keeps its answers provisional.
    """

    year = models.PositiveSmallIntegerField(
        _("年份"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    complete = models.BooleanField(
        _("已录入全年安排"),
        default=False,
        help_text=_("录入该年全部放假和调休补班日期后勾选；勾选后该年其余日期按周一至周五确定，不再标为暂定。"),
    )
    source = models.CharField(
        _("依据"), max_length=200, blank=True, help_text=_("如国务院办公厅关于该年部分节假日安排的通知文号。")
    )

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class WorkingDayDeadline(models.Model):
    """A deadline of N working days from a start date, computed when the row is written.

    Set the four fields with ``pingcheng.workdays.deadline_set`` in the product's service. A later calendar
    edit through ``workday_calendar_save`` / ``workday_calendar_delete`` (the admin's path) recomputes, in the
    same transaction, every row whose span it reaches; rows still ``deadline_provisional`` (their span ran
    into a year the calendar did not know) are also revisited by ``manage.py workdays_recompute``.
    The fields are empty until a deadline starts (an inquiry only starts its clock when it is accepted).
    """

    deadline_start = models.DateField(_("起算日期"), null=True, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True)
    deadline_due = models.DateField(_("截止日期"), null=True, blank=True, editable=False, db_index=True)
    deadline_provisional = models.BooleanField(
        _("截止日期暂定"),
        default=False,
        editable=False,
        db_index=True,
        help_text=_("期限跨入尚未公布节假日安排的年份，暂按周一至周五计算，安排录入后自动重算。"),
    )

    class Meta:
        abstract = True


class PublicChange(models.Model):
    """When what the public sees of a product last changed; written by ``pingcheng.page_cache`` when the
    product announces a change, read for ``Last-Modified`` instead of aggregating the product's tables."""

    product = models.CharField(_("产品"), max_length=40, primary_key=True)
    changed_at = models.DateTimeField(_("最后变化时间"))

    class Meta:
        verbose_name = _("公开内容变化时间")
        verbose_name_plural = _("公开内容变化时间")

    def __str__(self) -> str:
        return f"{self.product}: {self.changed_at:%Y-%m-%d %H:%M:%S}"
