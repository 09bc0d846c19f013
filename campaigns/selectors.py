"""Reads of the campaigns product. Totals are always derived from the activities' figures, never stored."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, DecimalField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from campaigns.models import Activity, ActivityFigure, Campaign, Finding, Metric, Target
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
        return min(100, self.share)

    @property
    def share(self) -> int:
        """Whole percent of the target reached, past 100 when it was exceeded (a target of 0 is met)."""
        if not self.target:
            return 100
        return int(self.done * 100 / self.target)


def targets_with_done(targets: QuerySet[Target]) -> QuerySet[Target]:
    """``targets`` each annotated with ``done``: what its unit and the units below it recorded for its figure
    in activities of its campaign that took place — summed by the database, one query however many targets."""
    done = (
        ActivityFigure.objects.filter(
            activity__campaign=OuterRef("campaign"),
            metric=OuterRef("metric"),
            activity__status__in=COUNTED,
            activity__unit__path__startswith=OuterRef("unit__path"),
        )
        .order_by()
        .values("metric")
        .annotate(total=Sum("value"))
        .values("total")
    )
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=1))
    return targets.annotate(done=Coalesce(Subquery(done, output_field=DecimalField(max_digits=12, decimal_places=1)),
                                          zero))  # fmt: skip


def campaign_progress(*, campaign: Campaign, within: Q | None = None) -> list[Progress]:
    """Every target of the campaign beside what its unit (and the units below it) recorded; one query.
    ``within``: only the targets of some units (a staff member's own)."""
    targets = campaign.targets.select_related("unit", "metric").order_by("unit__path", "metric__sort_order", "pk")
    if within is not None:
        targets = targets.filter(within)
    return [Progress(unit=target.unit, metric=target.metric, target=target.value, done=target.done)
            for target in targets_with_done(targets)]  # fmt: skip


def finding_overdue_q(today: date) -> Q:
    """A finding ordered to be fixed by a deadline that has passed and not yet reported done."""
    return Q(status__in=[Finding.Status.ORDERED, Finding.Status.IN_PROGRESS], deadline_due__lt=today)


def findings_open(*, today: date | None = None) -> QuerySet[Finding]:
    """Findings not yet cleared, the overdue ones flagged (``overdue``), the most urgent first."""
    overdue = finding_overdue_q(today or workday_today())
    return (
        Finding.objects.exclude(status=Finding.Status.CLEARED)
        .annotate(overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .order_by("-overdue", "deadline_due", "-found_at")
    )
