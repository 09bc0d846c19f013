"""Reads of the campaigns product. Totals are always derived from the activities' figures, never stored."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Sum

from campaigns.models import Activity, ActivityFigure, Campaign, Finding, Metric
from pingcheng.directory.models import Unit
from pingcheng.workdays import workday_today

# Only what took place counts towards a figure: a plan is not a result, a cancelled activity never happened.
COUNTED = (Activity.Status.HELD, Activity.Status.CLOSED)


def activities_counted(*, campaign: Campaign, unit: Unit | None = None) -> QuerySet[Activity]:
    """The campaign's activities that took place, by ``unit`` and the units below it when given."""
    activities = Activity.objects.filter(campaign=campaign, status__in=COUNTED)
    if unit is not None:
        activities = activities.filter(unit__path__startswith=unit.path)
    return activities


def campaign_totals(*, campaign: Campaign, unit: Unit | None = None, public: bool = False) -> dict[Metric, Decimal]:
    """Each metric of the campaign's type with the sum of the figures recorded by activities that took place
    (zero where nothing was recorded), in the type's order; one query for the sums. ``public``: only public
    activities count, so that the public page never discloses what internal activities recorded."""
    counted = activities_counted(campaign=campaign, unit=unit)
    if public:
        counted = counted.filter(is_public=True)
    sums = dict(
        ActivityFigure.objects.filter(activity__in=counted)
        .values("metric")
        .annotate(total=Sum("value"))
        .values_list("metric", "total")
    )
    return {metric: sums.get(metric.pk, Decimal(0)) for metric in campaign.campaign_type.metrics.all()}


@dataclass(frozen=True)
class Progress:
    unit: Unit
    metric: Metric
    target: Decimal
    done: Decimal

    @property
    def percent(self) -> int:
        """Whole percent of the target reached, capped at 100 for the bar (the figures themselves are not)."""
        if not self.target:
            return 100
        return min(100, int(self.done * 100 / self.target))


def campaign_progress(*, campaign: Campaign) -> list[Progress]:
    """Every target of the campaign beside what its unit (and the units below it) recorded."""
    progress = []
    for target in campaign.targets.select_related("unit", "metric").order_by("unit__path", "metric__sort_order"):
        done = (
            ActivityFigure.objects.filter(activity__in=activities_counted(campaign=campaign, unit=target.unit),
                                          metric=target.metric)  # fmt: skip
            .aggregate(total=Sum("value"))["total"]
        )
        progress.append(Progress(unit=target.unit, metric=target.metric, target=target.value, done=done or Decimal(0)))
    return progress


def findings_open(*, today: date | None = None) -> QuerySet[Finding]:
    """Findings not yet cleared, the overdue ones flagged (``overdue``), the most urgent first."""
    today = today or workday_today()
    overdue = Q(status__in=[Finding.Status.ORDERED, Finding.Status.IN_PROGRESS], deadline_due__lt=today)
    return (
        Finding.objects.exclude(status=Finding.Status.CLEARED)
        .annotate(overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .order_by("-overdue", "deadline_due", "-found_at")
    )
