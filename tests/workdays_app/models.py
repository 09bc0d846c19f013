from django.db import models

from pingcheng.models import TimeStampedModel, WorkingDayDeadline


class Case(WorkingDayDeadline, TimeStampedModel):
    title = models.CharField("标题", max_length=80)

    class Meta:
        verbose_name = "测试件"

    def __str__(self) -> str:
        return self.title
