"""The ledger (台账): a unit's activities with their figures and findings for a period, as a street office hands
it upward — XLSX with a title row, the unit and period, one sheet per campaign type with its figures as columns
and a totals row, and a sheet of findings; or CSV, one row per recorded figure, for other software.

Built from the same records as every page (never from typed-in sums); only activities that took place count.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from campaigns.models import Activity, ActivityFigure, Campaign, CampaignType, Finding
from campaigns.selectors import COUNTED
from pingcheng.directory.models import Unit

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LedgerScope:
    """What a ledger covers: a unit and the units below it, a period, and optionally a campaign or a type."""

    unit: Unit
    date_from: date
    date_to: date
    campaign: Campaign | None = None
    campaign_type: CampaignType | None = None

    @property
    def title(self) -> str:
        what = self.campaign.title if self.campaign else (self.campaign_type.name if self.campaign_type else "专项活动")
        return f"{self.unit.name}{what}台账"

    @property
    def period(self) -> str:
        return f"{_day(self.date_from)}至{_day(self.date_to)}"


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def ledger_activities(scope: LedgerScope, activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """``activities`` (already narrowed to what the user may see) that fall in the scope, in date order, with
    their figures and finding counts read in one query each."""
    zone = timezone.get_current_timezone()
    start = timezone.datetime.combine(scope.date_from, timezone.datetime.min.time(), tzinfo=zone)
    end = timezone.datetime.combine(scope.date_to, timezone.datetime.max.time(), tzinfo=zone)
    selected = activities.filter(
        status__in=COUNTED, unit__path__startswith=scope.unit.path, starts_at__range=(start, end)
    )
    if scope.campaign is not None:
        selected = selected.filter(campaign=scope.campaign)
    if scope.campaign_type is not None:
        selected = selected.filter(campaign__campaign_type=scope.campaign_type)
    return (
        selected.select_related("campaign__campaign_type", "unit")
        .prefetch_related(Prefetch("figures", queryset=ActivityFigure.objects.select_related("metric")))
        .annotate(finding_count=Count("findings", distinct=True),
                  cleared_count=Count("findings", filter=Q(findings__status=Finding.Status.CLEARED), distinct=True))
        .order_by("campaign__campaign_type__sort_order", "campaign__campaign_type__name", "starts_at", "pk")
    )  # fmt: skip


def _by_type(activities: Iterable[Activity]) -> dict[CampaignType, list[Activity]]:
    grouped: dict[CampaignType, list[Activity]] = {}
    for activity in activities:
        grouped.setdefault(activity.campaign.campaign_type, []).append(activity)
    return grouped


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
BASE_COLUMNS = ["序号", "日期", "活动主题", "专项活动", "开展单位", "地点", "参与单位"]
END_COLUMNS = ["发现问题", "已销号", "活动内容"]


def ledger_xlsx(
    scope: LedgerScope, activities: QuerySet[Activity], *, by: str, progress: Progress | None = None
) -> bytes:
    """The workbook: one sheet per campaign type present (figures of that type as columns, a totals row),
    then the findings of those activities."""
    rows = list(activities)
    total = len(rows)
    workbook = Workbook()
    workbook.remove(workbook.active)
    done = 0
    for kind, kind_rows in _by_type(rows).items() or {None: []}.items():
        sheet = workbook.create_sheet(title=_sheet_title(kind.name if kind else "活动"))
        metrics = list(kind.metrics.all()) if kind else []
        headers = BASE_COLUMNS + [f"{m.name}（{m.unit}）" for m in metrics] + END_COLUMNS
        _heading(sheet, f"{scope.title}（{kind.name if kind else '无记录'}）", scope, by=by, width=len(headers))
        _append(sheet, headers)
        for cell in sheet[3]:
            cell.font = BOLD
        sums = [Decimal(0)] * len(metrics)
        findings = cleared = 0
        for number, activity in enumerate(kind_rows, start=1):
            values = {figure.metric_id: figure.value for figure in activity.figures.all()}
            figures = [values.get(metric.pk) for metric in metrics]
            sums = [s + (v or 0) for s, v in zip(sums, figures, strict=True)]
            findings += activity.finding_count
            cleared += activity.cleared_count
            _append(sheet, [
                number, timezone.localtime(activity.starts_at).date(), activity.title, activity.campaign.title,
                activity.unit.name, activity.place, activity.partners_other,
                *[_number(v) if v is not None else None for v in figures],
                activity.finding_count, activity.cleared_count, activity.report or activity.summary,
            ])  # fmt: skip
            sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
            done += 1
            if progress and done % 50 == 0:
                progress(done, total)
        _append(sheet, ["合计", None, f"{len(kind_rows)}次活动", None, None, None, None,
                        *[_number(s) for s in sums], findings, cleared, None])  # fmt: skip
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        _widths(sheet, len(headers))
    _findings_sheet(workbook, scope, rows, by=by)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if progress:
        progress(total, total)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    """A type's name as Excel takes a sheet's: at most 31 characters, none of \\ / ? * : [ ], and no apostrophe
    at either end (a type called 防汛/防台 made every ledger holding it fail)."""
    return re.sub(r"[\\/?*:\[\]]+", "-", name)[:31].strip("'") or "活动"


def _append(sheet, values: Iterable) -> None:
    """Append a row of record text: C0 control characters (a phone keyboard's stray escape or bell) are
    dropped, as openpyxl refuses them and one such activity would fail every ledger that holds it.

    openpyxl writes a string starting with "=" as a formula and "#N/A" as an error: text typed in the field
    (``=HYPERLINK(…)`` as a title) must stay text in the file a street office opens in Excel.
    """
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type in ("f", "e"):
            cell.data_type = "s"


def _heading(sheet, title: str, scope: LedgerScope, *, by: str, width: int) -> None:
    _append(sheet, [title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet["A1"].font = TITLE
    sheet["A1"].alignment = Alignment(horizontal="center")
    exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    _append(sheet, [f"填报单位：{scope.unit.name}　统计时间：{scope.period}　导出：{exported}（{by}）"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 1))


def _widths(sheet, columns: int) -> None:
    for column in range(1, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14 if column > 2 else 8 if column == 1 else 12


FINDING_COLUMNS = [
    "序号",
    "发现日期",
    "活动主题",
    "位置",
    "问题描述",
    "严重程度",
    "责任单位",
    "状态",
    "整改期限",
    "销号日期",
]


def _findings_sheet(workbook: Workbook, scope: LedgerScope, activities: list[Activity], *, by: str) -> None:
    sheet = workbook.create_sheet(title="问题隐患")
    _heading(sheet, f"{scope.title}（问题隐患）", scope, by=by, width=len(FINDING_COLUMNS))
    _append(sheet, FINDING_COLUMNS)
    for cell in sheet[3]:
        cell.font = BOLD
    findings = (
        Finding.objects.filter(activity__in=[a.pk for a in activities])
        .select_related("activity", "responsible_unit")
        .order_by("found_at", "pk")
    )
    for number, finding in enumerate(findings, start=1):
        _append(sheet, [
            number, timezone.localtime(finding.found_at).date(), finding.activity.title, finding.location,
            finding.description, finding.get_severity_display(), finding.responsible_unit.name,
            finding.get_status_display(), finding.deadline_due,
            timezone.localtime(finding.cleared_at).date() if finding.cleared_at else None,
        ])  # fmt: skip
    _widths(sheet, len(FINDING_COLUMNS))


# Excel runs a CSV cell that starts with one of these as a formula (CSV injection): such text gets a leading
# apostrophe, which Excel shows as text and never as part of the value.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_row(values: Iterable) -> list:
    return [
        f"'{value}" if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS) else value for value in values
    ]


CSV_COLUMNS = [
    "日期",
    "活动主题",
    "专项活动",
    "活动类型",
    "开展单位",
    "地点",
    "指标",
    "数值",
    "计量单位",
    "发现问题",
    "已销号",
]


def ledger_csv(activities: QuerySet[Activity]) -> bytes:
    """One row per recorded figure (an activity without figures: one row without), UTF-8 with a BOM so that
    Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for activity in activities:
        common = [timezone.localtime(activity.starts_at).date().isoformat(), activity.title, activity.campaign.title,
                  activity.campaign.campaign_type.name, activity.unit.name, activity.place]  # fmt: skip
        counts = [activity.finding_count, activity.cleared_count]
        figures = sorted(activity.figures.all(), key=lambda f: (f.metric.sort_order, f.metric_id))
        for figure in figures or [None]:
            if figure is None:
                writer.writerow(_csv_row([*common, "", "", "", *counts]))
            else:
                writer.writerow(_csv_row([*common, figure.metric.name, f"{_number(figure.value)}", figure.metric.unit,
                                          *counts]))  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
