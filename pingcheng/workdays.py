"""Working days in mainland China (Asia/Shanghai), with holidays and make-up workdays (调休).

Each day is decided by the first source that knows it:

1. ``WorkdayOverride`` — a row the district administrator entered from the State Council's notice;
2. ``chinese_calendar`` (pinned 1.11.0) — knows 2004–2026, raises ``NotImplementedError`` outside;
3. Monday–Friday. This is certain in a year the administrator marked complete (``WorkdayYear``), and
   **provisional** in any other year the library does not know.

An answer is provisional when any day it depended on came from the provisional Monday–Friday rule. Products
store deadlines computed at write time (``WorkingDayDeadline`` + ``deadline_set``); ``manage.py
workdays_recompute`` revisits the provisional ones once the year's arrangement is entered.

Counting follows the usual "N 个工作日内" reading: the start day itself is not counted, so ``workday_after``
returns the N-th working day after ``start``, and ``workdays_between`` counts working days in
``(start, end]`` — ``workdays_between(start=d, end=workday_after(start=d, working_days=n).date) == n``.
"""

import datetime
import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingcheng.errors import DomainError
from pingcheng.models import WorkdayOverride, WorkdayYear, WorkingDayDeadline

# Working days are China's, whatever TIME_ZONE a deployment sets.
SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = datetime.timedelta(days=1)
# A typo such as 100000 would otherwise walk three centuries day by day; no deadline here is 10 years long.
MAX_WORKING_DAYS = 2500
# Loading overrides in windows: a year has about 365 / 246 ≈ 1.48 calendar days per working day, so a
# window of 1.5 × N + a month holds an N-working-day span in one query nearly always.
WINDOW_MARGIN_DAYS = 31


class Source(enum.StrEnum):
    OVERRIDE = "override"  # the administrator's table
    LIBRARY = "library"  # chinese_calendar
    WEEKDAY = "weekday"  # Monday–Friday in a year the administrator marked complete
    FALLBACK = "fallback"  # Monday–Friday in an unknown year: provisional


@dataclass(frozen=True)
class WorkdayStatus:
    day: datetime.date
    is_workday: bool
    source: Source

    @property
    def provisional(self) -> bool:
        return self.source is Source.FALLBACK


@dataclass(frozen=True)
class DueDate:
    date: datetime.date
    provisional: bool


@dataclass(frozen=True)
class WorkdayCount:
    count: int
    provisional: bool


def workday_today() -> datetime.date:
    """Today's date in Shanghai, the usual start of a deadline."""
    return timezone.localdate(timezone=SHANGHAI)


def workday_status(*, day: datetime.date | datetime.datetime) -> WorkdayStatus:
    """Whether ``day`` is a working day, and which source said so."""
    day = _shanghai_date(day)
    return _Calendar(day, until=day).status(day)


def workday_after(*, start: datetime.date | datetime.datetime, working_days: int) -> DueDate:
    """The date ``working_days`` working days after ``start`` (``start`` itself is not counted; 0 → ``start``).

    Refuses a negative or absurdly large number with ``DomainError``. Reads the overrides of the span in
    one query (two when it reaches a year the library does not know).
    """
    start = _shanghai_date(start)
    _check_working_days(working_days)
    calendar = _Calendar(start + ONE_DAY, until=start + _window(working_days))
    return calendar.after(start, working_days)


def workdays_between(
    *, start: datetime.date | datetime.datetime, end: datetime.date | datetime.datetime
) -> WorkdayCount:
    """The number of working days in ``(start, end]``; refuses an ``end`` before ``start``."""
    start, end = _shanghai_date(start), _shanghai_date(end)
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), code="workdays_range_reversed")
    if end == start:
        return WorkdayCount(count=0, provisional=False)
    calendar = _Calendar(start + ONE_DAY, until=end)
    statuses = [calendar.status(day) for day in _days(start + ONE_DAY, end)]
    return WorkdayCount(
        count=sum(status.is_workday for status in statuses),
        provisional=any(status.provisional for status in statuses),
    )


def workday_library_knows(*, year: int) -> bool:
    """Whether ``chinese_calendar`` covers ``year`` (2004–2026 for the pinned 1.11.0)."""
    return _library_knows(year)


def workday_library_says(*, day: datetime.date) -> bool | None:
    """What ``chinese_calendar`` alone says of ``day`` (no overrides); ``None`` for a year it does not know."""
    return chinese_calendar.is_workday(day) if _library_knows(day.year) else None


def deadline_set(*, obj: WorkingDayDeadline, start: datetime.date | datetime.datetime, working_days: int) -> DueDate:
    """Fill ``obj``'s deadline fields from ``start`` and ``working_days``; the caller saves ``obj``.

    Called by a product's service when the clock starts (and again if the start or the span changes), so the
    due date is fixed at write time and lists can filter and sort on it.
    """
    due = workday_after(start=start, working_days=working_days)
    obj.deadline_start = _shanghai_date(start)
    obj.deadline_working_days = working_days
    obj.deadline_due = due.date
    obj.deadline_provisional = due.provisional
    return due


def deadline_models() -> list[type[WorkingDayDeadline]]:
    """Every concrete installed model that stores a ``WorkingDayDeadline`` (proxies share their table: skipped)."""
    return [model for model in apps.get_models() if issubclass(model, WorkingDayDeadline) and not model._meta.proxy]


def deadlines_recompute_provisional(*, model: type[WorkingDayDeadline]) -> int:
    """Recompute ``model``'s provisional deadlines from their stored start and span; return how many changed.

    Idempotent and safe beside other writers: rows are grouped by (start, span) and each group is updated by
    one ``UPDATE`` guarded on the values it was computed from and on the row still being provisional, so a
    second run, or a row whose deadline a service has just reset, is left alone. A row counts as changed when
    its due date or its provisional flag moves; a row whose span is still in an unknown year may get a new
    due date (overrides entered, year not yet complete) and stay provisional.
    """
    rows = model._base_manager.filter(
        deadline_provisional=True, deadline_start__isnull=False, deadline_working_days__isnull=False
    )
    groups = sorted(set(rows.order_by().values_list("deadline_start", "deadline_working_days")))
    if not groups:
        return 0
    # One calendar for the whole run: groups are walked in start order, so its windows only grow forwards.
    calendar = _Calendar(groups[0][0] + ONE_DAY, until=groups[-1][0] + _window(max(days for _start, days in groups)))
    touched = {
        field.attname: timezone.now() for field in model._meta.concrete_fields if getattr(field, "auto_now", False)
    }
    changed = 0
    for start, working_days in groups:
        due = calendar.after(start, working_days)
        changed += (
            rows.filter(deadline_start=start, deadline_working_days=working_days)
            .exclude(deadline_due=due.date, deadline_provisional=due.provisional)
            .update(deadline_due=due.date, deadline_provisional=due.provisional, **touched)
        )
    return changed


def deadlines_recompute_all() -> dict[str, int]:
    """``deadlines_recompute_provisional`` for every model with deadlines: ``{"app.Model": rows changed}``."""
    return {model._meta.label: deadlines_recompute_provisional(model=model) for model in deadline_models()}


# --- internals ------------------------------------------------------------------------------------------


class _Calendar:
    """The three sources for a span of days, read from the database in forward windows (one query each).

    Days must be asked for at or after ``first``; asking beyond what is loaded loads the next window.
    """

    def __init__(self, first: datetime.date, *, until: datetime.date) -> None:
        self._first = first
        self._loaded_to = first - ONE_DAY
        self._overrides: dict[datetime.date, bool] = {}
        self._complete_years: set[int] = set()
        self._checked_years: set[int] = set()
        self._load(until)

    def status(self, day: datetime.date) -> WorkdayStatus:
        if day < self._first:
            raise ValueError(f"{day} is before this calendar's first day {self._first}")
        if day > self._loaded_to:
            self._load(max(day, self._loaded_to + datetime.timedelta(days=366)))
        if day in self._overrides:
            return WorkdayStatus(day, self._overrides[day], Source.OVERRIDE)
        if _library_knows(day.year):
            return WorkdayStatus(day, chinese_calendar.is_workday(day), Source.LIBRARY)
        source = Source.WEEKDAY if day.year in self._complete_years else Source.FALLBACK
        return WorkdayStatus(day, day.weekday() < 5, source)

    def after(self, start: datetime.date, working_days: int) -> DueDate:
        day, counted, provisional = start, 0, False
        while counted < working_days:
            day += ONE_DAY
            status = self.status(day)
            provisional = provisional or status.provisional
            counted += status.is_workday
        return DueDate(date=day, provisional=provisional)

    def _load(self, until: datetime.date) -> None:
        start = self._loaded_to + ONE_DAY
        if until < start:
            return
        self._overrides.update(
            WorkdayOverride.objects.filter(date__range=(start, until)).values_list("date", "is_workday")
        )
        unknown_years = {
            year for year in range(start.year, until.year + 1) if not _library_knows(year)
        } - self._checked_years
        if unknown_years:
            self._complete_years.update(
                WorkdayYear.objects.filter(year__in=unknown_years, complete=True).values_list("year", flat=True)
            )
            self._checked_years |= unknown_years
        self._loaded_to = until


@functools.cache
def _library_years() -> range:
    # The same bounds chinese_calendar checks before raising NotImplementedError.
    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def _library_knows(year: int) -> bool:
    return year in _library_years()


def _shanghai_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            raise TypeError("a naive datetime is ambiguous here: pass an aware datetime or a date")
        return value.astimezone(SHANGHAI).date()
    if isinstance(value, datetime.date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def _check_working_days(working_days: int) -> None:
    if isinstance(working_days, bool) or not isinstance(working_days, int):
        raise TypeError(f"working_days must be an int, got {type(working_days).__name__}")
    if working_days < 0:
        raise DomainError(_("工作日天数不能为负数。"), code="workdays_negative")
    if working_days > MAX_WORKING_DAYS:
        raise DomainError(
            _("工作日天数不能超过 %(max)d 天。"), code="workdays_too_many", params={"max": MAX_WORKING_DAYS}
        )


def _window(working_days: int) -> datetime.timedelta:
    return datetime.timedelta(days=working_days * 3 // 2 + WINDOW_MARGIN_DAYS)


def _days(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY
