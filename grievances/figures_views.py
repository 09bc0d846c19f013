"""The desk's figures page (/desk/figures/): the 三率 and 满意率 by unit and by month (``grievances.figures``),
drawn with ``pingcheng.charts`` with the numbers in tables beside the charts, and the same numbers as XLSX
(``?download=xlsx``). Thin: the form reads the filter, the figures come from the database."""

import datetime
import re
from functools import wraps
from urllib.parse import quote

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from grievances import figures as fig
from pingcheng import charts
from pingcheng.workdays import workday_today

DEFAULT_MONTHS = 6
_MONTH = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*")
_INPUT_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figures_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = fig.figures_access(request.user)  # PermissionDenied → the site's 403 page
        return view(request, scope, *args, **kwargs)

    return never_cache(wrapper)


class MonthField(forms.CharField):
    """``2026-06`` (what ``<input type="month">`` sends) or ``2026年6月``, as the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        match = _MONTH.fullmatch(text)
        if not match:
            raise forms.ValidationError(_("请按“2026-06”的格式填写年月。"), code="month_invalid")
        year, month = int(match[1]), int(match[2])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(_("没有这个月份，请检查年和月。"), code="month_invalid")
        return datetime.date(year, month, 1)


class FiguresForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("单位"), queryset=None, required=False,
                                  empty_label=gettext_lazy("全部单位（及下级）"),
                                  error_messages={"invalid_choice": gettext_lazy("没有这个单位，或不在您的范围内。")})  # fmt: skip
    start = MonthField(label=gettext_lazy("起始月份"), required=False)
    end = MonthField(label=gettext_lazy("截止月份"), required=False)

    def __init__(self, data, *, scope: fig.FiguresScope):
        super().__init__(data)
        self.fields["unit"].queryset = scope.unit_choices()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        this_month = fig.month_start(workday_today())
        end = data.get("end") or this_month
        start = data.get("start")
        if start is None:
            start = end
            for _step in range(DEFAULT_MONTHS - 1):
                start = (start - datetime.timedelta(days=1)).replace(day=1)
        if start > end:
            self.add_error("start", _("起始月份不能晚于截止月份。"))
        elif len(fig.months_between(start, end)) > fig.MAX_MONTHS:
            self.add_error("start", _("一次最多统计 %(n)s 个月。") % {"n": fig.MAX_MONTHS})
        data["start"], data["end"] = start, end
        return data


@figures_required
def desk_figures(request, scope: fig.FiguresScope):
    form = FiguresForm(request.GET, scope=scope)
    context = {"form": form, "nav": "none", "definitions": fig.DEFINITIONS}
    if not form.is_valid():
        # A value a month input cannot hold (``2026-13``) is explained beside the field, not echoed into it.
        form.data = form.data.copy()
        for name in ("start", "end"):
            if not _INPUT_MONTH.fullmatch(form.data.get(name, "")):
                form.data[name] = ""
        return render(request, "grievances/desk/figures.html", context)
    unit = form.cleaned_data.get("unit")
    if unit is not None and not scope.may_see(unit):  # the choices are scoped already; kept as a second lock
        raise PermissionDenied
    # The month inputs show the period counted, also when it was the default (left empty).
    form.data = form.data.copy()
    form.data["start"] = form.cleaned_data["start"].strftime("%Y-%m")
    form.data["end"] = form.cleaned_data["end"].strftime("%Y-%m")
    figures = fig.figures_build(scope=scope, first=form.cleaned_data["start"], last=form.cleaned_data["end"],
                                unit=unit)  # fmt: skip
    where = unit.name if unit else (_("全区各单位") if scope.everything else _("本单位及下级单位"))
    if request.GET.get("download") == "xlsx":
        by = request.user.get_full_name() or request.user.get_username()
        content = fig.figures_xlsx(figures, where=where, by=by)
        filename = _("诉求办理统计（%(where)s，%(period)s）.xlsx") % {"where": where, "period": figures.period}
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename=\"figures.xlsx\"; filename*=UTF-8''{quote(filename)}"
        return response
    query = request.GET.copy()
    query["download"] = "xlsx"
    query["start"] = figures.first.strftime("%Y-%m")
    query["end"] = figures.last.strftime("%Y-%m")
    context.update(figures=figures, where=where, unit=unit, download=query.urlencode(), **_charts(figures))
    return render(request, "grievances/desk/figures.html", context)


def _bars(rows: list[fig.Row], name: str) -> list[charts.Bar]:
    bars = []
    for row in rows:
        rate = getattr(row, name)
        if rate.percent is not None:
            bars.append(charts.Bar(row.label, rate.percent, f"（{rate.done}/{rate.of}）"))
    return bars


def _chart(rows: list[fig.Row], name: str, *, by: str, period: str):
    title = fig.RATE_TITLES[name]
    what = _("各单位") if by == "unit" else _("每月")
    description = _("%(period)s%(what)s的%(rate)s，括号内为分子/分母；无可计算数据的不画出；数字见下表。") % {
        "period": period, "what": what, "rate": title,
    }  # fmt: skip
    svg = charts.bar_chart(chart_id=f"chart-{by}-{name}", title=f"{what}{title}", unit="%",
                           bars=_bars(rows, name), description=description)  # fmt: skip
    return title, svg


def _charts(figures: fig.Figures) -> dict:
    return {
        "unit_charts": [_chart(figures.by_unit, name, by="unit", period=figures.period) for name in fig.RATES],
        "month_charts": [_chart(figures.by_month, name, by="month", period=figures.period) for name in fig.RATES],
    }
