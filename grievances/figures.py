"""The desk's figures (三率 and 满意率) by lead unit and by month of submission, computed by the database.

Definitions (the page and the README print the same words, ``DEFINITIONS``):

- An inquiry counts for the unit that leads it now (``lead_unit``) and for the month it was submitted
  (Asia/Shanghai). Rejected inquiries (不予受理) and those waiting for a unit (待分派, 退回) do not count.
- 响应率: of the inquiries assigned to the unit, the share it accepted within one working day — the services'
  退单 window (``RETURN_WINDOW_WORKING_DAYS``: at most one working day in (assigned, accepted]), so assigned on
  a Friday, accepted on the following Monday is in time, on Tuesday late. The acceptance is the first 受理
  event after the latest assignment (a redo round's automatic acceptance writes none).
  An inquiry whose window is still running and that is not yet accepted is not counted either way.
- 按时办结率: of the inquiries answered (已答复, 已评价, 已办结) or still open past their deadline, the share
  answered on or before the stored deadline — which an approved extension (延期) moves and a redo round (重办)
  restarts, so the last answer is held to the last deadline.
- 解决率: of the closed inquiries (已办结), the share whose last rating is 满意 or 基本满意, or that closed
  unrated without a redo; an 不满意 rating that stands (also after the redo round) is not resolved.
- 满意率: of the rated inquiries (the latest rating; one in its redo round holds its 不满意), the share rated
  满意 or 基本满意.

A rate with nothing to count is ``None`` and shown as "—", never as 0 %.

Queries: two GROUP BY queries (counts by unit × month; acceptances by unit × month × assignment day ×
acceptance day) and the working-day calendar for the span of those days (one query, two when it reaches a
year the calendar library does not know) — the same number whatever the number of inquiries or units.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from grievances import access
from grievances.models import Inquiry, InquiryEvent, Topic
from grievances.services import RETURN_WINDOW_WORKING_DAYS
from pingcheng.directory.models import Unit
from pingcheng.workdays import SHANGHAI, workday_after_each, workday_today

S = Inquiry.Status
ANSWERED = (S.ANSWERED, S.RATED, S.CLOSED)
GOOD_RATINGS = (Inquiry.Rating.SATISFIED, Inquiry.Rating.BASICALLY)
COUNTED_OUT = (S.SUBMITTED, S.RETURNED, S.REJECTED)
MAX_MONTHS = 24
RATES = ("response", "on_time", "resolution", "satisfaction")

DEFINITIONS = {
    "scope": gettext_lazy(
        "诉求按现在的主办单位、按提交月份（北京时间）统计；不予受理、待分派和被退回的诉求不计入。"
        "分母为 0 的比率显示为“—”，不是 0%。"
    ),
    "response": gettext_lazy(
        "响应率＝按时受理的诉求 ÷ 已分派的诉求。按时受理指在分派后 1 个工作日内受理（与退单时限相同："
        "在分派日之后的第 2 个工作日之前受理，例如周五分派、下周一受理仍算按时）；以最近一次分派后的第一次受理为准，"
        "重办时的自动受理不算。受理时限未到、尚未受理的诉求暂不计入。"
    ),
    "on_time": gettext_lazy(
        "按时办结率＝在办理期限内答复的诉求 ÷（已答复的诉求＋超过期限仍未答复的诉求）。期限为系统记录的截止日期："
        "批准延期后按新的截止日期；重办后按重办的截止日期考核最后一次答复。"
    ),
    "resolution": gettext_lazy(
        "解决率＝已解决的诉求 ÷ 已办结的诉求。已解决指居民最后一次评价为“满意”或“基本满意”，或未评价、未重办而自动办结；"
        "评价“不满意”（包括重办后仍不满意）的不算解决。"
    ),
    "satisfaction": gettext_lazy(
        "满意率＝评价“满意”和“基本满意”的诉求 ÷ 已评价的诉求（以最近一次评价为准；重办中的诉求按其“不满意”评价计）。"
    ),
}


@dataclass(frozen=True)
class Rate:
    """``done`` of ``of``; ``percent`` is None when there is nothing to count."""

    done: int = 0
    of: int = 0

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.done + other.done, self.of + other.of)

    @property
    def percent(self) -> Decimal | None:
        if not self.of:
            return None
        return (Decimal(self.done) * 100 / Decimal(self.of)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def text(self) -> str:
        percent = self.percent
        return "—" if percent is None else f"{percent}%"


@dataclass
class Row:
    """One unit in one month, or a sum of such rows (a unit over the period, a month over the units, all)."""

    label: str
    unit_id: int | None = None
    month: datetime.date | None = None
    inquiries: int = 0
    response: Rate = field(default_factory=Rate)
    on_time: Rate = field(default_factory=Rate)
    resolution: Rate = field(default_factory=Rate)
    satisfaction: Rate = field(default_factory=Rate)

    def add(self, other: Row) -> None:
        self.inquiries += other.inquiries
        for name in RATES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def rates(self) -> list[Rate]:
        return [getattr(self, name) for name in RATES]


@dataclass(frozen=True)
class Figures:
    first: datetime.date  # first day of the first month
    last: datetime.date  # first day of the last month
    rows: list[Row]  # unit × month, units by name, months in order; only pairs with inquiries
    by_unit: list[Row]
    by_month: list[Row]  # every month of the period, empty ones too
    total: Row

    @property
    def period(self) -> str:
        return month_range_label(self.first, self.last)


@dataclass(frozen=True)
class FiguresScope:
    """Whose figures a user may read: every unit (dispatchers) or the units they handle."""

    everything: bool
    units: QuerySet[Unit]

    def inquiries(self) -> QuerySet[Inquiry]:
        rows = Inquiry.objects.exclude(status__in=COUNTED_OUT).filter(lead_unit__isnull=False)
        return rows if self.everything else rows.filter(lead_unit__in=self.units)

    def unit_choices(self) -> QuerySet[Unit]:
        """Units worth choosing: those that lead an inquiry or route a topic (within the user's reach)."""
        units = Unit.objects.all() if self.everything else self.units
        leads = Exists(Inquiry.objects.filter(lead_unit=OuterRef("pk")))
        routes = Exists(Topic.objects.filter(default_unit=OuterRef("pk")))
        return units.filter(leads | routes).order_by("kind", "sort_order", "name")

    def may_see(self, unit: Unit) -> bool:
        return self.everything or self.units.filter(pk=unit.pk).exists()


def figures_access(user) -> FiguresScope:
    """Supervisors and district staff see every unit; a handler sees the units they handle; others are refused."""
    if access.user_is_dispatcher(user):
        return FiguresScope(everything=True, units=Unit.objects.all())
    if access.user_is_handler(user):
        return FiguresScope(everything=False, units=access.units_handled_by(user))
    raise PermissionDenied(_("只有诉求承办单位和督办人可以查看诉求办理统计。"))


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_next(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = month_next(month)
    return months


def month_label(month: datetime.date) -> str:
    return _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}


def month_range_label(first: datetime.date, last: datetime.date) -> str:
    if first == last:
        return month_label(first)
    return _("%(first)s至%(last)s") % {"first": month_label(first), "last": month_label(last)}


def _local_day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
    return value


def figures_build(
    *, scope: FiguresScope, first: datetime.date, last: datetime.date, unit: Unit | None = None,
    today: datetime.date | None = None,
) -> Figures:  # fmt: skip
    """The figures of ``scope`` (narrowed to ``unit`` and the units below it) for the months ``first`` to ``last``
    (first days of months, inclusive)."""
    today = today or workday_today()
    months = months_between(first, last)
    zone_start = datetime.datetime.combine(months[0], datetime.time.min, tzinfo=SHANGHAI)
    zone_end = datetime.datetime.combine(month_next(months[-1]), datetime.time.min, tzinfo=SHANGHAI)
    rows = scope.inquiries().filter(submitted_at__gte=zone_start, submitted_at__lt=zone_end)
    if unit is not None:
        rows = rows.filter(lead_unit__path__startswith=unit.path)
    rows = rows.annotate(month=TruncMonth("submitted_at", tzinfo=SHANGHAI))

    counted = (
        rows.annotate(answered_day=TruncDate("answered_at", tzinfo=SHANGHAI))
        .values("lead_unit", "lead_unit__name", "lead_unit__kind", "lead_unit__sort_order", "month")
        .annotate(
            inquiries=Count("pk"),
            answered=Count("pk", filter=Q(status__in=ANSWERED)),
            on_time=Count("pk", filter=Q(status__in=ANSWERED, answered_day__lte=F("deadline_due"))),
            late_open=Count("pk", filter=Q(status__in=Inquiry.OPEN_STATUSES, deadline_due__lt=today)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
            resolved=Count("pk", filter=Q(status=S.CLOSED) & (Q(rating__in=GOOD_RATINGS) | Q(rating=""))),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=Q(rating__in=GOOD_RATINGS)),
        )
        .order_by()
    )
    first_acceptance = (
        InquiryEvent.objects.filter(
            inquiry=OuterRef("pk"), action=InquiryEvent.Action.ACCEPTED, at__gte=OuterRef("assigned_at")
        )  # fmt: skip
        .order_by("at", "pk")
        .values("at")[:1]
    )
    acceptances = (
        rows.filter(assigned_at__isnull=False)
        .annotate(accepted=Subquery(first_acceptance))
        .annotate(
            assigned_day=TruncDate("assigned_at", tzinfo=SHANGHAI),
            accepted_day=TruncDate("accepted", tzinfo=SHANGHAI),
        )
        .values("lead_unit", "month", "assigned_day", "accepted_day")
        .annotate(n=Count("pk"))
        .order_by()
    )

    cells: dict[tuple[int, datetime.date], Row] = {}
    units: dict[int, tuple] = {}  # pk → (kind, sort order, name, pk): the directory's order
    for line in counted:
        month = month_start(_local_day(line["month"]))
        pk, name = line["lead_unit"], line["lead_unit__name"]
        units[pk] = (line["lead_unit__kind"], line["lead_unit__sort_order"], name, pk)
        cells[(pk, month)] = Row(
            label=name, unit_id=pk, month=month,
            inquiries=line["inquiries"],
            on_time=Rate(line["on_time"], line["answered"] + line["late_open"]),
            resolution=Rate(line["resolved"], line["closed"]),
            satisfaction=Rate(line["satisfied"], line["rated"]),
        )  # fmt: skip
    acceptance_lines = list(acceptances)
    window_ends = _response_window_ends({line["assigned_day"] for line in acceptance_lines})
    for line in acceptance_lines:
        cell = cells.get((line["lead_unit"], month_start(_local_day(line["month"]))))
        if cell is None:  # grouped the same way as ``counted``: only a concurrent write gets here
            continue
        ends = window_ends[line["assigned_day"]]
        accepted = line["accepted_day"]
        if accepted is None and today < ends:
            continue  # still inside its window: neither on time nor late yet
        in_time = accepted is not None and accepted < ends
        cell.response = cell.response + Rate(line["n"] if in_time else 0, line["n"])

    ordered = sorted(units.values())
    table = [cells[(pk, m)] for *_order, pk in ordered for m in months if (pk, m) in cells]
    by_unit = []
    for _kind, _sort, name, pk in ordered:
        row = Row(label=name, unit_id=pk)
        for m in months:
            if (pk, m) in cells:
                row.add(cells[(pk, m)])
        by_unit.append(row)
    by_month = {m: Row(label=month_label(m), month=m) for m in months}
    total = Row(label=_("合计"))
    for cell in table:
        by_month[cell.month].add(cell)
        total.add(cell)
    return Figures(first=months[0], last=months[-1], rows=table, by_unit=by_unit, by_month=list(by_month.values()),
                   total=total)  # fmt: skip


def _response_window_ends(days: set[datetime.date]) -> dict[datetime.date, datetime.date]:
    """For each assignment day, the first day on which an acceptance is late: the day on which the
    ``RETURN_WINDOW_WORKING_DAYS + 1``-th working day after it begins (the services' 退单 window, read from
    one calendar for the whole span)."""
    due = workday_after_each(starts=days, working_days=RETURN_WINDOW_WORKING_DAYS + 1)
    return {day: answer.date for day, answer in due.items()}


RATE_TITLES = {
    "response": gettext_lazy("响应率"),
    "on_time": gettext_lazy("按时办结率"),
    "resolution": gettext_lazy("解决率"),
    "satisfaction": gettext_lazy("满意率"),
}


def figures_xlsx(figures: Figures, *, where: str, by: str) -> bytes:
    """The workbook: a title row, the scope and period, one row per unit × month with each rate's numerator,
    denominator and percent (the page's numbers), and a totals row; the definitions below."""

    def append(values) -> None:
        # Unit names are typed in the admin: a name starting with "=" stays text in Excel (see campaigns.ledger).
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
        for cell in sheet[sheet.max_row]:
            if cell.data_type in ("f", "e"):
                cell.data_type = "s"

    def rate_cells(row: Row) -> list:
        cells = []
        for rate in row.rates:
            percent = rate.percent
            cells += [rate.done, rate.of, float(percent) if percent is not None else "—"]
        return cells

    headers = [str(_("单位")), str(_("月份")), str(_("诉求件数"))]
    for name in RATES:
        title = str(RATE_TITLES[name])
        headers += [f"{title}·{_('分子')}", f"{title}·{_('分母')}", f"{title}（%）"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("诉求办理统计"))
    append([str(_("群众诉求办理统计（响应率、按时办结率、解决率、满意率）"))])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    exported = datetime.datetime.now(tz=SHANGHAI).strftime("%Y-%m-%d %H:%M")
    append([_("范围：%(where)s　统计时间：%(period)s（按提交月份）　导出：%(at)s（%(by)s）")
            % {"where": where, "period": figures.period, "at": exported, "by": by}])  # fmt: skip
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in figures.rows:
        append([row.label, month_label(row.month), row.inquiries, *rate_cells(row)])
    append([str(_("合计")), figures.period, figures.total.inquiries, *rate_cells(figures.total)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    append([])
    for name in ("scope", *RATES):
        append([str(DEFINITIONS[name])])
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 12
    for column in range(3, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
