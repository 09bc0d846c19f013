"""The leaders' dashboard pages (``campaigns.dashboard``): thin views that read the filter, ask the dashboard
for the figures and draw them with ``pingcheng.charts``; each chart's numbers are printed as a table too."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from campaigns import dashboard as board
from pingcheng import charts


def leader_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            scope = board.dashboard_access(request.user)
        except PermissionDenied as refused:
            # The site's 403 page says nothing of why; a grid worker is told where their own records are.
            return render(request, "campaigns/field/dashboard_refused.html", {"reason": str(refused), "nav": "none"},
                          status=403)  # fmt: skip
        return view(request, scope, *args, **kwargs)

    return never_cache(wrapper)


@leader_required
def dashboard(request, scope):
    return _page(request, scope, campaign=None)


@leader_required
def dashboard_campaign(request, scope, pk: int):
    return _page(request, scope, campaign=board.dashboard_campaign_access(scope=scope, pk=pk))


def _page(request, scope, *, campaign):
    base_roots = board.breakdown_root(scope, None)
    form = board.DashboardForm(request.GET, scope=scope, roots=base_roots, campaign=campaign)
    template = "campaigns/field/dashboard_campaign.html" if campaign else "campaigns/field/dashboard.html"
    context = {"form": form, "campaign": campaign, "nav": "none"}
    if not form.is_valid():
        return render(request, template, context)
    unit = form.cleaned_data.get("unit")
    roots = [unit] if unit else base_roots
    chosen = campaign or form.cleaned_data.get("campaign")
    first, last = form.dates()
    data = board.dashboard_build(area=scope.narrowed(unit), roots=roots, first=first, last=last, campaign=chosen,
                                 drill_down=campaign is not None)  # fmt: skip
    context.update(board=data, chosen=chosen, unit=unit, where=" · ".join(root.name for root in roots),
                   ledger=board.ledger_request(roots=roots, first=first, last=last, campaign=chosen),
                   **_charts(data, campaign))  # fmt: skip
    return render(request, template, context)


def _charts(data: board.Dashboard, campaign) -> dict:
    period = _("%(first)s至%(last)s") % {"first": _day(data.first), "last": _day(data.last)}
    step = _("每周") if data.step_kind == "week" else _("每月")
    found = [charts.Bar(row.label, row.open, _("其中逾期 %(n)s") % {"n": row.overdue} if row.overdue else "")
             for row in data.units]  # fmt: skip
    drawn = {
        "units_chart": charts.bar_chart(
            chart_id="chart-units", title=_("各单位开展活动场次"), unit=_("场"),
            description=_("%(period)s已开展和已总结的活动，按开展单位统计；数字见下表。") % {"period": period},
            bars=[charts.Bar(row.label, row.activities) for row in data.units]),
        "findings_chart": charts.bar_chart(
            chart_id="chart-findings", title=_("各单位未销号的问题隐患"), unit=_("个"), bars=found,
            description=_("截至今天尚未销号的问题隐患，按发现问题的活动的开展单位统计，逾期的数目写在数字后；数字见下表。")),
        "series_chart": charts.time_series(
            chart_id="chart-series", title=_("%(step)s开展活动场次") % {"step": step}, unit=_("场"),
            description=_("%(period)s%(step)s开展的活动场次，从早到晚；数字见下表。") % {"period": period, "step": step},
            points=[charts.Point(s.label, s.activities, s.short) for s in data.steps]),
    }  # fmt: skip
    if campaign is None:
        drawn["campaigns_chart"] = charts.bar_chart(
            chart_id="chart-campaigns", title=_("各专项活动开展场次"), unit=_("场"),
            description=_("%(period)s各专项活动已开展的活动场次；数字见下表。") % {"period": period},
            bars=[charts.Bar(row.label, row.activities) for row in data.campaigns])  # fmt: skip
        for row in data.campaigns:
            row.chart = charts.sparkline(chart_id=f"spark-{row.key}", values=row.series,
                                         title=_("%(campaign)s%(step)s活动场次") % {"campaign": row.label, "step": step})  # fmt: skip
        return drawn
    drawn["progress_chart"] = charts.progress_bars(
        chart_id="chart-progress", title=_("目标完成情况"),
        description=_("每项目标的完成数和目标数，按整个活动期统计；数字见下表。"),
        goals=[charts.Goal(f"{p.unit.name} · {p.metric.name}", p.done, p.target, p.metric.unit) for p in data.progress])  # fmt: skip
    drawn["metric_charts"] = [
        (metric, charts.bar_chart(chart_id=f"chart-metric-{metric.pk}", title=_("各单位%(metric)s") % {"metric": metric.name},
                         unit=metric.unit, bars=[charts.Bar(row.label, row.figures.get(metric.pk, 0)) for row in data.units],
                         description=_("%(period)s%(metric)s（%(unit)s），按开展单位统计；数字见下表。")
                         % {"period": period, "metric": metric.name, "unit": metric.unit}))
        for metric in data.metrics
    ]  # fmt: skip
    drawn["figure_rows"] = board.figure_table(data)
    return drawn


def _day(day) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}
