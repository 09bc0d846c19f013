"""Working days in mainland China (Asia/Shanghai), with holidays and make-up workdays (调休).

Each day is decided by the first source that knows it:

1. ``WorkdayOverride`` — a row the district administrator entered from the State Council's notice;
2. ``chinese_calendar`` (pinned 1.11.0) — knows 2004–2026, raises ``NotImplementedError`` outside;
3. Monday–Friday. This is certain in a year the administrator marked complete (``WorkdayYear``), and
   **provisional** in any other year the library does not know.

An answer is provisional when any day it depended on came from the provisional Monday–Friday rule. Products
store deadlines computed at write time (``WorkingDayDeadline`` + ``deadline_set``). Calendar edits go through
``workday_calendar_save`` / ``workday_calendar_delete``, which recompute in the same transaction every stored
deadline, provisional or not, whose span the edit reaches; ``manage.py workdays_recompute`` revisits the
provisional ones (by default), a year's, or all of them.

Counting follows the usual "N 个工作日内" reading: the start day itself is not counted, so ``workday_after``
returns the N-th working day after ``start``, and ``workdays_between`` counts working days in
``(start, end]`` — ``workdays_between(start=d, end=workday_after(start=d, working_days=n).date) == n``.
"""

import datetime
import enum
import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from django.apps import apps
from django.db import transaction
from django.db.models import Q, QuerySet
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


def workday_after_each(*, starts: Collection[datetime.date], working_days: int) -> dict[datetime.date, DueDate]:
    """``workday_after`` for many start dates at once (e.g. a report's assignment days): one calendar read for
    the whole span, so a year of dates costs a few queries instead of one or two per date."""
    _check_working_days(working_days)
    if not starts:
        return {}
    days = {_shanghai_date(start) for start in starts}
    first, last = min(days), max(days)
    calendar = _Calendar(first + ONE_DAY, until=last + _window(working_days))
    return {day: calendar.after(day, working_days) for day in days}


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


@transaction.atomic
def workday_calendar_save(*, entry: WorkdayOverride | WorkdayYear) -> int:
    """Save a new or edited calendar entry and recompute the stored deadlines it can move; return how many changed.

    The deadlines recomputed are those, provisional or not, whose span reaches the entry's date (an override)
    or year (a ``WorkdayYear``), before and after the edit: moving an override from a mistyped date corrects
    the deadlines around both dates. Everything happens in one transaction, so an edit is never committed
    with stale due dates.
    """
    model = type(entry)
    # The stored row, read under lock before the save overwrites it: its date or year may be the one edited away.
    stored = model.objects.select_for_update().filter(pk=entry.pk) if entry.pk is not None else model.objects.none()
    dates, years = _calendar_reach(model, stored)
    entry.full_clean()
    entry.save()
    after_dates, after_years = _calendar_reach(model, [entry])
    return sum(deadlines_recompute_spanning(dates=dates | after_dates, years=years | after_years).values())


@transaction.atomic
def workday_calendar_delete(*, entries: QuerySet[WorkdayOverride] | QuerySet[WorkdayYear]) -> int:
    """Delete calendar entries and recompute the stored deadlines they reached; return how many changed."""
    model = entries.model
    locked = list(entries.select_for_update())
    dates, years = _calendar_reach(model, locked)
    model.objects.filter(pk__in=[entry.pk for entry in locked]).delete()
    return sum(deadlines_recompute_spanning(dates=dates, years=years).values())


def deadlines_recompute_provisional() -> dict[str, int]:
    """Recompute every deadline still marked provisional: ``{"app.Model": rows changed}``.

    What ``manage.py workdays_recompute`` runs by default once a year's arrangement is entered.
    """
    return _recompute_each_model(Q(deadline_provisional=True))


def deadlines_recompute_spanning(
    *, dates: Collection[datetime.date] = (), years: Collection[int] = ()
) -> dict[str, int]:
    """Recompute the deadlines, provisional or not, whose span reaches one of ``dates`` or ``years``.

    A deadline depends on exactly the days in ``(deadline_start, deadline_due]``: a calendar edit on any
    other day cannot move it, so only these rows are read (one query per model) and rewritten.
    """
    reach = Q()
    for day in dates:
        reach |= Q(deadline_start__lt=day, deadline_due__gte=day)
    for year in years:
        reach |= Q(deadline_start__lt=datetime.date(year, 12, 31), deadline_due__gte=datetime.date(year, 1, 1))
    if not reach:
        return {model._meta.label: 0 for model in deadline_models()}
    return _recompute_each_model(reach)


def deadlines_recompute_every() -> dict[str, int]:
    """Recompute every stored deadline: the repair after calendar data was changed outside these services."""
    return _recompute_each_model(Q())


# --- internals ------------------------------------------------------------------------------------------


def _recompute_each_model(narrow: Q) -> dict[str, int]:
    return {
        model._meta.label: _recompute(
            model,
            model._base_manager.filter(narrow, deadline_start__isnull=False, deadline_working_days__isnull=False),
        )
        for model in deadline_models()
    }


def _recompute(model: type[WorkingDayDeadline], rows: QuerySet) -> int:
    """Recompute ``rows`` from their stored start and span; return how many changed.

    One query reads the distinct (start, span, stored due, stored flag) groups; a group whose stored values
    already hold is left alone, so a second run writes nothing. Each other group gets one ``UPDATE`` guarded
    on the values it was computed from: a row a service has reset meanwhile is not overwritten. A row counts
    as changed when its due date or its provisional flag moves.
    """
    fields = ("deadline_start", "deadline_working_days", "deadline_due", "deadline_provisional")
    groups = sorted(set(rows.order_by().values_list(*fields)), key=lambda group: group[:2])
    if not groups:
        return 0
    # One calendar for the whole run: groups are walked in start order, so its windows only grow forwards.
    first, last = groups[0][0], groups[-1][0]
    calendar = _Calendar(first + ONE_DAY, until=last + _window(max(group[1] for group in groups)))
    touched = {
        field.attname: timezone.now() for field in model._meta.concrete_fields if getattr(field, "auto_now", False)
    }
    changed = 0
    for start, working_days, stored_due, stored_provisional in groups:
        due = calendar.after(start, working_days)
        if (due.date, due.provisional) == (stored_due, stored_provisional):
            continue
        changed += rows.filter(
            deadline_start=start,
            deadline_working_days=working_days,
            deadline_due=stored_due,
            deadline_provisional=stored_provisional,
        ).update(deadline_due=due.date, deadline_provisional=due.provisional, **touched)
    return changed


def _calendar_reach(
    model: type[WorkdayOverride] | type[WorkdayYear], entries: Iterable[WorkdayOverride | WorkdayYear]
) -> tuple[set[datetime.date], set[int]]:
    """The days (overrides) or years (``WorkdayYear``) whose status these entries decide."""
    if model is WorkdayOverride:
        return {entry.date for entry in entries}, set()
    if model is WorkdayYear:
        return set(), {entry.year for entry in entries}
    raise TypeError(f"not a working-day calendar model: {model.__name__}")


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
