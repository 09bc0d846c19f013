"""The leaders' dashboard (专项工作看板): per campaign and per unit, what was done, progress against targets,
open and overdue findings, and activity over time — for the district and the streets' and communities' staff.

Who sees what is decided here, once: district staff everything; a street's staff their street and its
communities; a community's staff their community; grid workers, who log but do not lead, nothing (403). A
campaign none of the viewer's units takes part in is the same 404 as a missing one, and the figures of a
campaign the viewer does see are only those of the viewer's units: a street's leader opening a district-wide
campaign sees their street's share, never the neighbours'.

Every figure is counted by the database from the activity records (``GROUP BY``), in a fixed number of queries
whatever the number of activities, campaigns or units. Internal activities count here (unlike the public page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, DateField, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth, TruncWeek
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.forms import UnitChoiceField, ledger_day_in_range
from campaigns.models import Activity, ActivityFigure, Campaign, Finding, Metric, Target
from campaigns.selectors import (
    COUNTED,
    Progress,
    campaign_progress,
    finding_overdue_q,
    targets_with_done,
)
from pingcheng.dashboard import Panel, PanelItem
from pingcheng.directory import access as directory_access
from pingcheng.directory.models import Role, Unit
from pingcheng.workdays import workday_today

# Those who lead campaign work. Grid workers log activities; the dashboard is for the people they report to.
LEADER_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.DISTRICT_ADMIN})
# The units a breakdown is made of: the territory's tree. Activities of departments and organisations (or of the
# unit itself) fall in the scope's own row.
AREA_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE, Unit.Kind.GRID)
LONGEST_PERIOD_DAYS = 366 * 3
WEEKLY_UP_TO_DAYS = 184  # longer periods are counted by month: 53 weekly columns say less than 12 monthly ones


def user_sees_dashboard(user) -> bool:
    return directory_access.user_sees_everything(user) or directory_access.user_has_role(user, *LEADER_ROLES)


def dashboard_access(user) -> DashboardScope:
    """The viewer's scope; a grid worker or anyone else without a leader's role is refused (403)."""
    if not user_sees_dashboard(user):
        raise PermissionDenied(_("专项工作看板供区、街道和社区负责同志使用；网格员请在“活动填报”中查看自己的记录。"))
    if directory_access.user_sees_everything(user):
        return DashboardScope(roots=(), everything=True)
    return DashboardScope(roots=tuple(directory_access.unit_paths_for_user(user, roles=LEADER_ROLES)))


@dataclass(frozen=True)
class DashboardScope:
    """The subtrees (unit paths) the viewer leads, or everything."""

    roots: tuple[str, ...]
    everything: bool = False

    def q(self, path_lookup: str) -> Q:
        """Rows whose unit (``path_lookup``, e.g. ``activity__unit__path``) lies in the scope."""
        if self.everything:
            return Q()
        if not self.roots:
            return Q(pk__in=[])
        condition = Q()
        for root in self.roots:
            condition |= Q(**{f"{path_lookup}__startswith": root})
        return condition

    def narrowed(self, unit: Unit | None) -> DashboardScope:
        return self if unit is None else DashboardScope(roots=(unit.path,))

    def campaigns(self) -> QuerySet[Campaign]:
        """The campaigns one of the scope's units takes part in (``campaigns.access.campaign_units``, as a
        set): every district campaign; a street's or community's own where its lead or a partner lies in the
        scope or above it."""
        if self.everything:
            return Campaign.objects.all()
        related = Q(pk__in=[])
        partners = Q(pk__in=[])
        for root in self.roots:
            above = _ancestor_paths(root)
            related |= Q(lead_unit__path__startswith=root) | Q(lead_unit__path__in=above)
            partners |= Q(unit__path__startswith=root) | Q(unit__path__in=above)
        partnered = Campaign.partner_units.through.objects.filter(partners).values("campaign_id")
        return Campaign.objects.filter(Q(level=Campaign.Level.DISTRICT) | related | Q(pk__in=partnered))


def _ancestor_paths(path: str) -> list[str]:
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts))]


def dashboard_campaign_access(*, scope: DashboardScope, pk) -> Campaign:
    """The campaign if one of the scope's units takes part in it; the same 404 for missing and not yours."""
    try:
        return scope.campaigns().select_related("campaign_type", "lead_unit").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("专项活动不存在") from None


def breakdown_root(scope: DashboardScope, unit: Unit | None) -> list[Unit]:
    """The units the scope is made of: the chosen one, the viewer's own, or the district's root(s)."""
    if unit is not None:
        return [unit]
    if scope.everything:
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
    return list(Unit.objects.filter(path__in=scope.roots).order_by("path"))


def breakdown_units(roots: list[Unit]) -> QuerySet[Unit]:
    """One row per unit the scope divides into: a single root's areas one level down (a district's streets, a
    street's communities, a community's grids), or the roots themselves when the viewer leads several."""
    if len(roots) != 1:
        return Unit.objects.filter(pk__in=[root.pk for root in roots]).order_by("path")
    return roots[0].children.filter(kind__in=AREA_KINDS, is_active=True).order_by("sort_order", "path")


# --- the filter ------------------------------------------------------------------------------------------


class Period:
    MONTH, QUARTER, YEAR, CAMPAIGN, CUSTOM = "month", "quarter", "year", "campaign", "custom"


class IsoDateInput(forms.DateInput):
    """A date input that never echoes a value it cannot hold: a hand-typed ``2026-13-01`` in the query string
    would make the page invalid HTML (the message beside the field says what was wrong)."""

    input_type = "date"

    def format_value(self, value):
        if isinstance(value, str):
            try:
                date.fromisoformat(value)
            except ValueError:
                return None
        return super().format_value(value)


class DashboardForm(forms.Form):
    """The dashboard's filter, read from the query string: a campaign (overview only), a unit below the
    viewer's (district staff: a street), and a period. Bad input is a message beside the field, never a 500."""

    campaign = forms.ModelChoiceField(label=gettext_lazy("专项活动"), queryset=Campaign.objects.none(), required=False,
                                      empty_label=gettext_lazy("全部专项活动"))  # fmt: skip
    unit = UnitChoiceField(label=gettext_lazy("街道"), queryset=Unit.objects.none(), required=False,
                           empty_label=gettext_lazy("全部"))  # fmt: skip
    period = forms.ChoiceField(label=gettext_lazy("时段"), required=False)
    date_from = forms.DateField(label=gettext_lazy("自定开始日期"), required=False, validators=[ledger_day_in_range],
                                widget=IsoDateInput(format="%Y-%m-%d"))  # fmt: skip
    date_to = forms.DateField(label=gettext_lazy("自定结束日期"), required=False, validators=[ledger_day_in_range],
                              widget=IsoDateInput(format="%Y-%m-%d"))  # fmt: skip

    def __init__(self, data, *, scope: DashboardScope, roots: list[Unit], campaign: Campaign | None = None,
                 today: date | None = None):  # fmt: skip
        super().__init__(data, label_suffix="")
        self.today = today or timezone.localdate()
        self.campaign_fixed = campaign
        choices = [(Period.MONTH, _("本月")), (Period.QUARTER, _("本季度")), (Period.YEAR, _("本年")),
                   (Period.CUSTOM, _("自定日期"))]  # fmt: skip
        if campaign is not None:
            choices.insert(0, (Period.CAMPAIGN, _("活动全程")))
            del self.fields["campaign"]
        else:
            self.fields["campaign"].queryset = scope.campaigns().order_by("-starts_on", "pk")
        self.fields["period"].choices = choices
        self.fields["period"].initial = choices[0][0]
        if len(roots) == 1:
            self.fields["unit"].queryset = breakdown_units(roots)
            self.fields["unit"].label = _unit_label(roots[0])
        else:  # several units led: the breakdown lists them, there is nothing to narrow to one level down
            del self.fields["unit"]

    def clean_period(self) -> str:
        return self.cleaned_data.get("period") or self.fields["period"].initial

    def clean(self):
        data = super().clean()
        period = data.get("period")
        if period != Period.CUSTOM:
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if "date_from" not in self.errors and start is None:
            self.add_error(
                "date_from", ValidationError(_("选择“自定日期”时请填写开始日期。"), code="period_start_missing")
            )
        if "date_to" not in self.errors and end is None:
            self.add_error("date_to", ValidationError(_("选择“自定日期”时请填写结束日期。"), code="period_end_missing"))
        if start and end and end < start:
            self.add_error("date_to", ValidationError(_("结束日期不能早于开始日期。"), code="period_reversed"))
        elif start and end and (end - start).days > LONGEST_PERIOD_DAYS:
            self.add_error("date_to", ValidationError(_("一次最多查看三年。"), code="period_too_long"))
        return data

    def dates(self) -> tuple[date, date]:
        """The period asked for, as first and last day (valid form only)."""
        data, today = self.cleaned_data, self.today
        period = data["period"]
        if period == Period.CUSTOM:
            return data["date_from"], data["date_to"]
        if period == Period.CAMPAIGN and self.campaign_fixed is not None:
            return self.campaign_fixed.starts_on, max(self.campaign_fixed.starts_on, self.campaign_fixed.ends_on)
        if period == Period.YEAR:
            return date(today.year, 1, 1), date(today.year, 12, 31)
        if period == Period.QUARTER:
            first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        else:
            first = today.replace(day=1)
        months = 3 if period == Period.QUARTER else 1
        after = date(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1)
        return first, after - timedelta(days=1)


def _unit_label(root: Unit) -> str:
    return {Unit.Kind.DISTRICT: _("街道"), Unit.Kind.STREET: _("社区（村）")}.get(root.kind, _("网格"))


# --- the figures -----------------------------------------------------------------------------------------


@dataclass
class Row:
    """One unit or campaign of a breakdown and its counts."""

    key: int
    label: str
    url: str = ""
    activities: int = 0
    found: int = 0
    open: int = 0
    overdue: int = 0
    figures: dict[int, Decimal] = field(default_factory=dict)
    goals_met: int = 0
    goals: int = 0
    series: list[int] = field(default_factory=list)
    note: str = ""
    chart: str = ""  # a sparkline of ``series``, drawn by the view


@dataclass
class Step:
    start: date
    label: str
    short: str
    activities: int = 0


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


def steps_for(first: date, last: date) -> tuple[str, list[Step]]:
    """The columns of the series: each week (Monday first) of a period up to half a year, else each month."""
    steps = []
    if (last - first).days <= WEEKLY_UP_TO_DAYS:
        day = first - timedelta(days=first.weekday())
        while day <= last:
            steps.append(Step(day, _("%(month)s月%(day)s日起的一周") % {"month": day.month, "day": day.day},
                              f"{day.month}/{day.day}"))  # fmt: skip
            day += timedelta(days=7)
        return "week", steps
    day = first.replace(day=1)
    while day <= last:
        steps.append(Step(day, _("%(year)s年%(month)s月") % {"year": day.year, "month": day.month},
                          _("%(month)s月") % {"month": day.month}))  # fmt: skip
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return "month", steps


def _bucket(path_lookup: str, units: list[Unit]) -> Case:
    """Which breakdown row a record falls in, computed by the database (0: none of them, the scope's own)."""
    whens = [When(**{f"{path_lookup}__startswith": unit.path}, then=Value(unit.pk)) for unit in units]
    return Case(*whens, default=Value(0), output_field=IntegerField())


@dataclass
class Dashboard:
    """Everything one dashboard page shows, for one scope, period and (optionally) campaign."""

    first: date
    last: date
    today: date
    step_kind: str
    steps: list[Step]
    units: list[Row]
    campaigns: list[Row] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    totals: dict[Metric, Decimal] = field(default_factory=dict)
    progress: list[Progress] = field(default_factory=list)
    overdue_findings: list[Finding] = field(default_factory=list)

    @property
    def activities(self) -> int:
        return sum(row.activities for row in self.units)

    @property
    def found(self) -> int:
        return sum(row.found for row in self.units)

    @property
    def open(self) -> int:
        return sum(row.open for row in self.units)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.units)


def dashboard_build(*, area: DashboardScope, roots: list[Unit], first: date, last: date,
                    campaign: Campaign | None = None, drill_down: bool = False) -> Dashboard:  # fmt: skip
    """The figures of the page. Queries: the breakdown's units, activities by unit, by campaign and step, the
    findings by unit and by campaign, and on a campaign's own page its metrics, figures by unit, the targets
    and the overdue findings — the same number for ten activities or a hundred thousand."""
    today = workday_today()
    start, end = _bounds(first, last)
    units = list(breakdown_units(roots))
    own_row = Row(key=0, label=_("%(unit)s本级及直属单位") % {"unit": roots[0].name} if len(roots) == 1 else _("其他"))
    rows = {unit.pk: Row(key=unit.pk, label=unit.name) for unit in units}

    activities = Activity.objects.filter(_counted_q(area, start, end, campaign))
    findings = Finding.objects.filter(area.q("activity__unit__path"))
    if campaign is not None:
        findings = findings.filter(activity__campaign=campaign)
    # Found in the period, or still open today (an open finding of last quarter is still this quarter's work).
    findings = findings.filter(Q(found_at__gte=start, found_at__lt=end) | ~Q(status=Finding.Status.CLEARED))
    finding_counts = {
        "found": Count("pk", filter=Q(found_at__gte=start, found_at__lt=end)),
        "open": Count("pk", filter=~Q(status=Finding.Status.CLEARED)),
        "overdue": Count("pk", filter=finding_overdue_q(today)),
    }

    by_unit = _bucket("unit__path", units)
    for entry in activities.annotate(bucket=by_unit).order_by().values("bucket").annotate(n=Count("pk")):
        rows.get(entry["bucket"], own_row).activities += entry["n"]
    for entry in (findings.annotate(bucket=_bucket("activity__unit__path", units)).order_by().values("bucket")
                  .annotate(**finding_counts)):  # fmt: skip
        row = rows.get(entry["bucket"], own_row)
        row.found, row.open, row.overdue = (
            row.found + entry["found"],
            row.open + entry["open"],
            row.overdue + entry["overdue"],
        )

    step_kind, steps = steps_for(first, last)
    trunc = (TruncWeek if step_kind == "week" else TruncMonth)("starts_at", output_field=DateField())
    per_step: dict[tuple[int, date], int] = {}
    for entry in activities.annotate(step=trunc).order_by().values("campaign", "step").annotate(n=Count("pk")):
        per_step[entry["campaign"], entry["step"]] = entry["n"]
    for step in steps:
        step.activities = sum(n for (_campaign, day), n in per_step.items() if day == step.start)

    dashboard = Dashboard(first=first, last=last, today=today, step_kind=step_kind, steps=steps,
                          units=[*rows.values()] + ([own_row] if _has_counts(own_row) else []))  # fmt: skip
    if drill_down and campaign is not None:
        figures = ActivityFigure.objects.filter(_counted_q(area, start, end, campaign, prefix="activity__"))
        _campaign_details(dashboard, campaign=campaign, area=area, units=units, rows=rows, own_row=own_row,
                          figures=figures, findings=findings, today=today)  # fmt: skip
    else:
        dashboard.campaigns = _campaign_rows(area=area, campaign=campaign, first=first, last=last, start=start,
                                             end=end, per_step=per_step, steps=steps, findings=findings,
                                             counts=finding_counts)  # fmt: skip
    return dashboard


def _counted_q(
    area: DashboardScope, start: datetime, end: datetime, campaign: Campaign | None, *, prefix: str = ""
) -> Q:
    """Activities of the area that took place in the period (of the campaign): as conditions on the activity's
    own columns, or through ``prefix`` on a row that joins it (a figure), so that the database joins instead of
    checking a list of ids (three times faster on 200,000 activities)."""
    condition = area.q(f"{prefix}unit__path") & Q(**{f"{prefix}status__in": COUNTED, f"{prefix}starts_at__gte": start,
                                                      f"{prefix}starts_at__lt": end})  # fmt: skip
    if campaign is not None:
        condition &= Q(**{f"{prefix}campaign": campaign})
    return condition


def _has_counts(row: Row) -> bool:
    return bool(row.activities or row.found or row.open or any(row.figures.values()))


def _campaign_rows(*, area, campaign, first, last, start, end, per_step, steps, findings, counts) -> list[Row]:
    campaigns = area.campaigns().filter(starts_on__lte=last, ends_on__gte=first)
    if campaign is not None:
        campaigns = campaigns.filter(pk=campaign.pk)
    rows = {}
    for item in campaigns.select_related("campaign_type").order_by("-ends_on", "-starts_on", "pk"):
        rows[item.pk] = Row(key=item.pk, label=item.title, note=item.campaign_type.name,
                            url=reverse("campaigns-field:dashboard_campaign", args=[item.pk]))  # fmt: skip
    for (campaign_pk, _day), n in per_step.items():
        if campaign_pk in rows:
            rows[campaign_pk].activities += n
    for row in rows.values():
        row.series = [per_step.get((row.key, step.start), 0) for step in steps]
    for entry in (
        findings.filter(activity__campaign__in=list(rows)).order_by().values("activity__campaign").annotate(**counts)
    ):
        row = rows[entry["activity__campaign"]]
        row.found, row.open, row.overdue = entry["found"], entry["open"], entry["overdue"]
    targets = targets_with_done(Target.objects.filter(area.q("unit__path"), campaign__in=list(rows)))
    for target in targets.order_by().only("pk", "campaign_id", "value"):
        rows[target.campaign_id].goals += 1
        rows[target.campaign_id].goals_met += target.done >= target.value
    return list(rows.values())


def _campaign_details(dashboard: Dashboard, *, campaign, area, units, rows, own_row, figures, findings, today) -> None:
    """A campaign's figures by unit and metric (their sums are its totals), its targets and overdue findings."""
    dashboard.metrics = list(campaign.campaign_type.metrics.all())
    dashboard.totals = dict.fromkeys(dashboard.metrics, Decimal(0))
    by_metric = {metric.pk: metric for metric in dashboard.metrics}
    grouped = (
        figures.annotate(bucket=_bucket("activity__unit__path", units))
        .order_by()
        .values("bucket", "metric")
        .annotate(total=Sum("value"))
    )
    for entry in grouped:
        row = rows.get(entry["bucket"], own_row)
        row.figures[entry["metric"]] = row.figures.get(entry["metric"], Decimal(0)) + entry["total"]
        if entry["metric"] in by_metric:
            dashboard.totals[by_metric[entry["metric"]]] += entry["total"]
    if _has_counts(own_row) and own_row not in dashboard.units:
        dashboard.units.append(own_row)
    dashboard.progress = campaign_progress(campaign=campaign, within=area.q("unit__path"))
    dashboard.overdue_findings = list(
        findings.filter(finding_overdue_q(today)).select_related("activity__unit", "responsible_unit")
        .order_by("deadline_due", "pk")[:20]
    )  # fmt: skip


def figure_table(dashboard: Dashboard) -> list[tuple[Row, list[Decimal]]]:
    """Each unit's row with its figure for each metric, in the metrics' order."""
    return [(row, [row.figures.get(metric.pk, Decimal(0)) for metric in dashboard.metrics]) for row in dashboard.units]


def ledger_request(*, roots: list[Unit], first: date, last: date, campaign: Campaign | None) -> dict | None:
    """What the ledger page is sent to export the same records (it checks the unit is the viewer's own); none
    when the page covers several units, which one ledger does not."""
    if len(roots) != 1:
        return None
    return {"unit": roots[0].pk, "date_from": first.isoformat(), "date_to": last.isoformat(),
            "campaign": campaign.pk if campaign else "", "campaign_type": "", "file_format": "xlsx"}  # fmt: skip


# --- the role home ---------------------------------------------------------------------------------------


def leader_panel(*, user) -> Panel | None:
    """The back office's home for campaign leaders: the dashboard, with today's open and overdue findings."""
    if not user_sees_dashboard(user):
        return None
    scope = dashboard_access(user)
    counts = Finding.objects.filter(scope.q("activity__unit__path")).aggregate(
        open=Count("pk", filter=~Q(status=Finding.Status.CLEARED)), overdue=Count("pk", filter=finding_overdue_q(workday_today()))
    )  # fmt: skip
    url = reverse("campaigns-field:dashboard")
    items = [
        PanelItem(label=_("专项工作看板"), url=url, note=_("各项活动的数据、目标进度和问题整改")),
        PanelItem(label=_("未销号的问题隐患"), count=counts["open"], url=url),
        PanelItem(label=_("已逾期未整改"), count=counts["overdue"], url=url, urgent=counts["overdue"] > 0),
    ]
    return Panel(title=_("专项活动"), items=items, order=30)


# Findings by what they wait for: the responsible unit rectifies an ordered one; the unit where it was found (or
# the one it was escalated to) orders a new or failed one and re-inspects a reported one (campaigns.workflow).
_TO_RECTIFY = (Finding.Status.ORDERED, Finding.Status.IN_PROGRESS)
_TO_ORDER = (Finding.Status.FOUND, Finding.Status.FAILED)


def field_panel(*, user) -> Panel | None:
    """The back office's home for whoever logs campaign work (grid workers, community and street staff): the way
    to the phone pages at /field/, with their drafts and the findings waiting on their units. Three queries: the
    memberships, the activities' counts and the findings' counts (none for a correspondent or newsroom staff,
    whose memberships open no campaign records)."""
    from campaigns import access  # campaigns.access imports this module for DashboardScope

    if not access.user_works_on_campaigns(user):
        return None
    everything = directory_access.user_sees_everything(user)
    rectifying = DashboardScope(roots=tuple(directory_access.unit_paths_for_user(user, roles=access.CAMPAIGN_ROLES)),
                                everything=everything)  # fmt: skip
    deciding = DashboardScope(roots=tuple(directory_access.unit_paths_for_user(user, roles=access.FINDING_DECIDERS)),
                              everything=everything)  # fmt: skip
    rectifier = rectifying.q("responsible_unit__path")
    decider = deciding.q("activity__unit__path") | deciding.q("escalated_to__path")
    activities = access.activities_for_user(user).aggregate(
        drafts=Count("pk", filter=Q(status=Activity.Status.DRAFT, created_by=user)),
        to_report=Count("pk", filter=Q(status=Activity.Status.HELD)),
    )
    to_rectify = Q(status__in=_TO_RECTIFY) & rectifier
    findings = Finding.objects.filter(rectifier | decider).exclude(status=Finding.Status.CLEARED).aggregate(
        to_rectify=Count("pk", filter=to_rectify),
        overdue=Count("pk", filter=to_rectify & finding_overdue_q(workday_today())),
        to_order=Count("pk", filter=Q(status__in=_TO_ORDER) & decider),
        to_reinspect=Count("pk", filter=Q(status=Finding.Status.REPORTED) & decider),
    )  # fmt: skip
    home = reverse("campaigns-field:home")
    on_findings, on_drafts, on_report = f"{home}#findings-heading", f"{home}#drafts-heading", f"{home}#report-heading"
    items = [
        PanelItem(label=_("登记活动"), url=reverse("campaigns-field:activity_new"),
                  note=_("巡查、宣传、走访等，手机上填写")),  # fmt: skip
        PanelItem(label=_("我的草稿"), count=activities["drafts"], url=on_drafts),
    ]
    if activities["to_report"]:
        items.append(PanelItem(label=_("已开展、待总结的活动"), count=activities["to_report"], url=on_report))
    items.append(PanelItem(label=_("待整改的问题"), count=findings["to_rectify"], url=on_findings,
                           urgent=findings["overdue"] > 0,
                           note=_("其中 %(n)s 项已逾期") % {"n": findings["overdue"]} if findings["overdue"] else ""))  # fmt: skip
    if everything or deciding.roots:
        items.append(PanelItem(label=_("待下达整改的问题"), count=findings["to_order"], url=on_findings))
        items.append(PanelItem(label=_("待复查的问题"), count=findings["to_reinspect"], url=on_findings))
    items.append(PanelItem(label=_("打开活动填报"), url=home, note=_("全部待办、计划中的活动和台账导出")))
    return Panel(title=_("现场工作"), items=items, order=20)
